"""The test servers are the ones the tests talk to, on a machine where other engineers'
test runs start servers on random ports at the same time (tests/servers.py)."""

import http.server
import threading

import pytest

from tests.servers import ServerProcess, get, server_env


class Stranger(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"someone else's server")

    def log_message(self, *args):
        pass


@pytest.fixture
def strangers_port():
    """A port another process took after a test server chose it: a server answers on it."""
    stranger = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stranger)
    thread = threading.Thread(target=stranger.serve_forever, daemon=True)
    thread.start()
    yield stranger.server_address[1]
    stranger.shutdown()
    stranger.server_close()


def test_a_server_whose_chosen_port_was_taken_starts_on_another_and_answers_itself(
    live_database, static_root, strangers_port, live_server_logs
):
    env = server_env(live_database, STATIC_ROOT=str(static_root))
    server = ServerProcess("serve", env, log_path=live_server_logs / "port-taken.log")
    server.port = strangers_port  # chosen free, taken by the stranger before the bind
    server.start()
    try:
        status, _, html = get(server.http_url + "/")
        assert server.port != strangers_port
        assert status == 200
        assert "someone else's server" not in html
    finally:
        server.stop()


def test_a_server_asked_for_a_taken_port_fails_to_start(
    live_database, static_root, strangers_port, live_server_logs
):
    env = server_env(live_database, STATIC_ROOT=str(static_root))
    server = ServerProcess(
        "serve", env, port=strangers_port, log_path=live_server_logs / "asked.log"
    )
    try:
        with pytest.raises(RuntimeError, match=f"port {strangers_port}"):
            server.start()
    finally:
        server.stop()
