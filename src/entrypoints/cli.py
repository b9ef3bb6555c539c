"""The o2c command: serve, demo, migrate, status."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING

import structlog
from sqlalchemy.exc import DBAPIError

from adapters.persistence.engine import UnsupportedDatabase
from adapters.security.dev_keys import NoDevelopmentKey
from entrypoints import settings

if TYPE_CHECKING:
    from entrypoints.runtime import Runtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="o2c", description="o2c process APIs")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the gRPC APIs on the configured address")
    commands.add_parser("demo", help="drive a closed-won, time-approval and billing scenario")
    commands.add_parser(
        "demo-vendors",
        help="the same process driven by vendor events, against simulated Salesforce, "
        "Certinia and NetSuite",
    )
    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("status", help="is the server ready, and does the outbox publish")
    add_token_parser(commands)
    args = parser.parse_args(argv)
    quiet = (
        args.command in ("demo", "demo-vendors", "status", "token")
        and "O2C_LOG_LEVEL" not in os.environ
    )
    configure_logging("WARNING" if quiet else settings.read()["O2C_LOG_LEVEL"])
    try:
        return run(args)
    except (settings.SettingError, NoDevelopmentKey) as error:
        print(f"o2c: {error}", file=sys.stderr)
        return 2
    except UnsupportedDatabase as error:
        print(f"o2c: {why_not(error)}", file=sys.stderr)
        return 2


def add_token_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser("token", help="print a development bearer token for a caller")
    token.add_argument("--system", required=True, help="crm, psa, erp, billing, operations, admin")
    token.add_argument(
        "--legal-entities", default="*", help="CRM legal-entity codes, e.g. US01,GB01 (default *)"
    )
    token.add_argument("--ttl", type=int, default=3600, help="seconds it stays valid")
    token.add_argument("--subject", default="", help="who calls (default <system>-dev)")


def run(args: argparse.Namespace) -> int:
    command = args.command
    if command == "token":
        return print_token(args)
    if command == "serve":
        return serve()
    if command == "demo":
        from entrypoints.demo import run_demo

        return run_demo()
    if command == "demo-vendors":
        from entrypoints.demo_vendors import run_vendor_demo

        return run_vendor_demo()
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


def print_token(args: argparse.Namespace) -> int:
    from entrypoints.grpc.dev_tokens import development_principal, development_token

    entities = frozenset(code.strip() for code in args.legal_entities.split(",") if code.strip())
    principal = development_principal(args.system, entities or frozenset({"*"}), args.subject)
    print(development_token(settings.read(), principal, args.ttl))
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
