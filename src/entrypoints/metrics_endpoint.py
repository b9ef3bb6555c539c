"""The Prometheus endpoint: the text format on `/metrics`, optionally behind a bearer token."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

StartResponse = Callable[..., Any]
Wsgi = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class MetricsEndpoint:
    def __init__(self, address: str, registry: CollectorRegistry, token: str = "") -> None:
        host, _, port = address.rpartition(":")
        self.host, self.wanted_port = host.strip("[]"), int(port)
        self.app = guarded(make_wsgi_app(registry), token)
        self.server: ThreadingWSGIServer | None = None
        self.port = 0

    def start(self) -> MetricsEndpoint:
        self.server = make_server(
            self.host,
            self.wanted_port,
            self.app,
            ThreadingWSGIServer,
            handler_class=QuietHandler,
        )
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, name="metrics", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def guarded(app: Wsgi, token: str) -> Wsgi:
    """Without a token every scraper that can reach the address reads the figures."""
    if not token:
        return app
    expected = f"Bearer {token}".encode()

    def check(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        given = environ.get("HTTP_AUTHORIZATION", "").encode()
        if hmac.compare_digest(given, expected):
            return app(environ, start_response)
        start_response(
            "401 Unauthorized",
            [("Content-Type", "text/plain"), ("WWW-Authenticate", 'Bearer realm="o2c-metrics"')],
        )
        return [b"a bearer token is needed\n"]

    return check


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # every scrape is no news
        pass
