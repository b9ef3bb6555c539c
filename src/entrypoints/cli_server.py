"""`o2c serve` and `o2c migrate`: the server in the foreground until SIGTERM or Ctrl-C, and the
database schema brought up to date; a setting they cannot use is one line naming it."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING

import structlog
from sqlalchemy.exc import DBAPIError

from adapters.persistence.engine import UnsupportedDatabase
from entrypoints import settings

if TYPE_CHECKING:
    from entrypoints.runtime import Runtime


def serve() -> int:
    from adapters.messaging.embedded_nats import EmbeddedNatsError
    from entrypoints.grpc.server import ListenError
    from entrypoints.runtime import Runtime

    stopping = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        structlog.get_logger("o2c").info("stopping", signal=signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    runtime = Runtime.from_environment()
    try:
        runtime.start()
    except (
        settings.SettingError,
        ListenError,
        DBAPIError,
        EmbeddedNatsError,
        UnsupportedDatabase,
    ) as error:
        runtime.stop()
        print(f"o2c: cannot start: {why_not(error)}", file=sys.stderr)
        return 1
    print(f"o2c serving gRPC on port {runtime.port}; Ctrl-C or SIGTERM stops it", flush=True)
    print(how_to_call(runtime), flush=True)
    stopping.wait()
    runtime.stop()
    return 0


def how_to_call(runtime: Runtime) -> str:
    if not runtime.container.config.auth.dev_keys():
        return "callers need a bearer token signed by a key of O2C_AUTH_JWKS_FILE"
    transport = (
        "-cacert <CA of O2C_TLS_CERT_FILE>" if runtime.values["O2C_TLS_CERT_FILE"] else "-plaintext"
    )
    return (
        f"call it with a development token, e.g. grpcurl {transport} -H "
        '"authorization: Bearer $(.venv/bin/o2c token --system crm)" '
        """-d '{"opportunity_id": "006-DEMO-1"}' """
        f"127.0.0.1:{runtime.port} o2c.v1.EngagementService/GetServiceEngagement"
    )


def why_not(error: Exception) -> str:
    """One line an operator can act on; a database error says which database, not its SQL."""
    if isinstance(error, UnsupportedDatabase):
        return f"O2C_DATABASE_URL {settings.redact(settings.read()['O2C_DATABASE_URL'])} {error}"
    if isinstance(error, DBAPIError):
        reason = str(error.orig).strip().splitlines()[0]
        return f"the database {settings.redact(settings.read()['O2C_DATABASE_URL'])}: {reason}"
    return str(error)


def migrate_only() -> int:
    from adapters.persistence.engine import create_engine_for
    from adapters.persistence.migrate import migrate
    from entrypoints.runtime import prepare_database

    url = settings.read()["O2C_DATABASE_URL"]
    prepare_database(url)
    migrate(create_engine_for(url))
    return 0
