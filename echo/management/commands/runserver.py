"""`manage.py runserver`: Daphne's development server, with the fixes in echo.devserver."""

from daphne.management.commands.runserver import Command as DaphneRunserverCommand

from echo.devserver import EchoReadyServer


class Command(DaphneRunserverCommand):
    server_cls = EchoReadyServer
