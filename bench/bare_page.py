"""The baseline for the page benchmark: a bare ASGI app answering every request with one
recorded response (status, headers, body), no Django.

bench/page_bench.py records the project's cached response into a file and runs

    .venv/bin/python bench/bare_page.py FILE --port PORT

which serves this app under uvicorn exactly as `manage.py serve` runs the project with one
worker: the same uvicorn options, uvicorn binding the socket.
"""

import argparse
import base64
import json
from pathlib import Path


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

    app = make_app(json.loads(args.file.read_text()))
    # The options of website/management/commands/serve.py (WebSockets aside).
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        ws="none",
        lifespan="off",
        proxy_headers=False,
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
