from django.apps import AppConfig


class EchoConfig(AppConfig):
    name = "echo"
    verbose_name = "Echo tester"
