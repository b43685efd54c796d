import os
import signal
import socket
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

from pagecache.runtime import declare_server_processes


def bind_reuseport(host, port):
    """A listening socket that sibling worker processes can bind too (SO_REUSEPORT):
    the kernel spreads new connections between them, no master process in the path."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class Command(BaseCommand):
    help = (
        "Run the production ASGI server: uvicorn (uvloop, httptools, websockets), one "
        "process per worker sharing the port through SO_REUSEPORT. On SIGTERM every open "
        "WebSocket is closed with 1001 before the process exits."
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
        declare_server_processes(workers)  # the response cache's workers decide by it
        if workers > 1:
            return self.supervise(host, port, workers)
        self.serve_one(host, port)

    def serve_one(self, host, port):
        import uvicorn

        from website.lifecycle import open_websockets

        class Server(uvicorn.Server):
            async def shutdown(self, sockets=None):
                # Stop accepting first, then say goodbye with 1001, then uvicorn's own drain.
                for server in self.servers:
                    server.close()
                await open_websockets.close_all()
                await super().shutdown(sockets=sockets)

        config = uvicorn.Config(
            "website.asgi:application",
            loop="uvloop",
            http="httptools",
            ws="echo.wsprotocol:WebSocketProtocol",
            lifespan="off",
            proxy_headers=False,  # X-Forwarded-For is trusted only from TRUSTED_PROXIES.
            access_log=False,
            log_config=None,
            timeout_graceful_shutdown=5,
        )
        sock = bind_reuseport(host, port)
        self.stdout.write(f"Serving on http://{host}:{port}/ (pid {os.getpid()})")
        Server(config).run(sockets=[sock])

    def supervise(self, host, port, workers):
        """Start `workers` single-process servers and pass signals on to them."""
        command = [sys.executable, sys.argv[0], "serve", f"--host={host}", f"--port={port}"]
        children = [subprocess.Popen([*command, "--workers=1"]) for _ in range(workers)]

        def forward(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signum)

        signal.signal(signal.SIGTERM, forward)
        # Ctrl-C reaches the workers directly from the terminal; a second one would force-quit.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        while any(child.poll() is None for child in children):
            time.sleep(0.2)
        return None
