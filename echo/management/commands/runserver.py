"""`manage.py runserver`: Daphne's development server, with the fixes in echo.devserver
and the same bound on buffered messages as `make serve` (echo.wsprotocol)."""

from daphne.management.commands.runserver import Command as DaphneRunserverCommand

from echo.devserver import ConformingServer
from echo.wsprotocol import buffer_bound


class Command(DaphneRunserverCommand):
    server_cls = ConformingServer

    def handle(self, *args, **options):
        bound = buffer_bound()
        for option in ("websocket_max_message_size", "websocket_max_frame_size"):
            if options.get(option) is None:
                options[option] = bound
        super().handle(*args, **options)
