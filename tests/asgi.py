"""HTTP scopes built by hand, for tests that drive an ASGI application below Django's
test client (to keep a request waiting, or to see every message it sends)."""


def get_scope(path, *, host="testserver", query_string=b"", headers=()):
    """A GET request for `path` from 127.0.0.1, as a server would pass it on."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query_string,
        "root_path": "",
        "headers": [(b"host", host.encode()), *headers],
        "client": ("127.0.0.1", 50000),
        "server": (host, 80),
    }
