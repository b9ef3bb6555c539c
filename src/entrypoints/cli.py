"""The o2c command: serve, demo, migrate, status."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType

import structlog
from sqlalchemy.exc import DBAPIError

from entrypoints import settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="o2c", description="o2c process APIs")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the gRPC APIs on the configured address")
    commands.add_parser("demo", help="drive a closed-won and time-approval scenario")
    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("status", help="is the server ready, and does the outbox publish")
    args = parser.parse_args(argv)
    quiet = args.command in ("demo", "status") and "O2C_LOG_LEVEL" not in os.environ
    configure_logging("WARNING" if quiet else settings.read()["O2C_LOG_LEVEL"])
    try:
        return run(args.command)
    except settings.SettingError as error:
        print(f"o2c: {error}", file=sys.stderr)
        return 2


def run(command: str) -> int:
    if command == "serve":
        return serve()
    if command == "demo":
        from entrypoints.demo import run_demo

        return run_demo()
    if command == "status":
        from entrypoints.status import run_status

        return run_status()
    return migrate_only()


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
    except (settings.SettingError, ListenError, DBAPIError, EmbeddedNatsError) as error:
        runtime.stop()
        print(f"o2c: cannot start: {why_not(error)}", file=sys.stderr)
        return 1
    print(f"o2c serving gRPC on port {runtime.port}; Ctrl-C or SIGTERM stops it", flush=True)
    stopping.wait()
    runtime.stop()
    return 0


def why_not(error: Exception) -> str:
    """One line an operator can act on; a database error says which database, not its SQL."""
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


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(message)s")
    logging.getLogger("alembic").setLevel(max(logging.getLevelName(level), logging.WARNING))
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            structlog.processors.KeyValueRenderer(key_order=["timestamp", "level", "event"]),
        ],
    )


if __name__ == "__main__":
    raise SystemExit(main())
