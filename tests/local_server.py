"""The HTTP server every stand-in (Telegram, Slack, AirKorea) runs on: 127.0.0.1, a free port, a thread."""
from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer


def serve(handler) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def close(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()
