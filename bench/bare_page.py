"""The baseline for the page benchmark: a bare ASGI app answering every request with one
recorded response (status, headers, body), no Django.

bench/page_bench.py records the project's cached response into a file and runs

    .venv/bin/python bench/bare_page.py FILE --port PORT

which serves this app under uvicorn exactly as `manage.py serve` runs the project: the
same uvicorn options and the same SO_REUSEPORT listening socket.
"""

import argparse
import base64
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_app(recorded):
    status = recorded["status"]
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in recorded["headers"]]
    body = base64.b64decode(recorded["body"])

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def main():
    parser = argparse.ArgumentParser(description="Serve one recorded response, bare.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    import uvicorn

    sys.path.insert(0, str(ROOT))
    from website.management.commands.serve import bind_reuseport

    app = make_app(json.loads(args.file.read_text()))
    # The options of website/management/commands/serve.py (WebSockets aside).
    config = uvicorn.Config(
        app,
        loop="uvloop",
        http="httptools",
        ws="none",
        lifespan="off",
        proxy_headers=False,
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run(sockets=[bind_reuseport(args.host, args.port)])


if __name__ == "__main__":
    main()
