"""The dashboard's HTTP server: a thread of its own beside the gRPC server, like the workers."""

from __future__ import annotations

import threading
from typing import Any

import structlog
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

log = structlog.get_logger("o2c.dashboard")


class QuietRequests(WSGIRequestHandler):
    """Logs the path without its query: a `?token=` sign-in link never reaches the logs."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.info("dashboard request", method=self.command, path=self.path.split("?")[0], code=code)

    def log(self, type: str, message: str, *args: Any) -> None:
        log.debug("dashboard server", kind=type, message=message % args)


class DashboardServer:
    def __init__(self, address: str, app: Any) -> None:
        self.address = address
        self.app = app
        self.server: BaseWSGIServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self.server is not None, "the dashboard has not started"
        return self.server.server_port

    @property
    def url(self) -> str:
        host = self.address.rpartition(":")[0].strip("[]") or "127.0.0.1"
        return f"http://{host}:{self.port}"

    def start(self) -> DashboardServer:
        """A port already taken leaves the dashboard off, logged, and the APIs served anyway."""
        host, _, port = self.address.rpartition(":")
        try:
            self.server = make_server(
                host.strip("[]"), int(port), self.app, threaded=True, request_handler=QuietRequests
            )
        except OSError as error:
            log.warning("dashboard not started", address=self.address, error=str(error))
            return self
        self.thread = threading.Thread(
            target=self.server.serve_forever, name="o2c-dashboard", daemon=True
        )
        self.thread.start()
        log.info("dashboard serving", url=self.url)
        return self

    def stop(self, grace: float) -> None:
        if self.server is None:
            return
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join(grace)
