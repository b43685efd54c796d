from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class EchoConfig(AppConfig):
    name = "echo"
    verbose_name = "Echo tester"

    def ready(self):
        from .limits import parse_networks

        # Fail at startup, naming the entry, rather than on the first connection.
        try:
            parse_networks(settings.TRUSTED_PROXIES)
        except ValueError as error:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from None
