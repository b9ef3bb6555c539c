"""A simulator's HTTP server on a free loopback port, serving from a thread of its own."""

from __future__ import annotations

import functools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Loopback:
    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None

    def start(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        serve = functools.partial(self._server.serve_forever, poll_interval=0.05)
        threading.Thread(target=serve, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def origin(self) -> str:
        """http://127.0.0.1:<port>, once started."""
        assert self._server is not None, "start() the simulator first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"
