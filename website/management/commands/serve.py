import os

from django.core.management.base import BaseCommand

from pagecache.runtime import declare_server_processes


class Command(BaseCommand):
    help = (
        "Run the production ASGI server: uvicorn (uvloop, httptools, echo.wsprotocol). With "
        "--workers N, uvicorn's supervisor runs N worker processes on one listening socket "
        "and replaces any that dies. On SIGTERM every open WebSocket is closed with 1001."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WORKERS", "1")),
            help="Server processes; more than one needs REDIS_URL for rooms to span them.",
        )

    def handle(self, *args, host, port, workers, **options):
        import uvicorn

        declare_server_processes(workers)  # the response cache's workers decide by it
        self.stdout.write(f"Serving on http://{host}:{port}/ with {workers} worker(s)")
        uvicorn.run(
            "website.asgi:application",
            host=host,
            port=port,
            workers=workers,
            loop="uvloop",
            http="httptools",
            ws="echo.wsprotocol:WebSocketProtocol",
            lifespan="off",
            proxy_headers=False,  # X-Forwarded-For is trusted only from TRUSTED_PROXIES.
            access_log=False,
            log_config=None,  # Django's LOGGING, in every worker
            timeout_graceful_shutdown=5,
        )
