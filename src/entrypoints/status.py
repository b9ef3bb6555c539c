"""`o2c status`: is the server up and ready, and does the outbox get its events out — and if
not, why, since when, and what to change."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy.exc import DBAPIError

from adapters.messaging.event_codec import stream_subjects
from adapters.messaging.relay import OutboxRelay
from adapters.persistence.engine import create_engine_for
from adapters.persistence.outbox_store import SqlOutboxStore
from entrypoints import settings
from entrypoints.client_channel import open_channel
from entrypoints.readiness import READINESS_SERVICE


def run_status(values: Mapping[str, str] | None = None) -> int:
    """Prints the report; exits 0 when the server is ready and the outbox publishes in time."""
    values = settings.read() if values is None else values
    ready, health = server_health(values)
    print(f"server {values['O2C_GRPC_ADDRESS']}: {health}")
    if not database_exists(values["O2C_DATABASE_URL"]):
        print(
            f"database {settings.redact(values['O2C_DATABASE_URL'])}: no database file there "
            "(is O2C_DATABASE_URL the server's?)"
        )
        return 1
    engine = create_engine_for(values["O2C_DATABASE_URL"])
    try:
        store = SqlOutboxStore(engine)
        stale = outbox_report(store, settings.number(values, "O2C_OUTBOX_STALE_SECONDS"))
        problem = broker_problem(store, values)
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0]
        print(f"database {settings.redact(values['O2C_DATABASE_URL'])}: not reachable ({reason})")
        return 1
    finally:
        engine.dispose()
    print(f"broker {settings.nats_url(values)}, stream {values['O2C_STREAM']}: {problem or 'ok'}")
    return 0 if ready and not stale and not problem else 1


def database_exists(url: str) -> bool:
    """A SQLite file must be there already: asking about it must not create an empty one."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix + ":memory:":
        return True
    return Path(url.removeprefix(prefix).split("?", 1)[0]).is_file()


def server_health(values: Mapping[str, str]) -> tuple[bool, str]:
    """Whether the server answers ready, and its liveness and readiness in words."""
    with open_channel(values) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            live, ready = (_status(stub, name) for name in ("", READINESS_SERVICE))
        except grpc.RpcError as error:
            return False, f"not answering ({error.code().name})"
    return ready == "SERVING", f"live {live}, ready {ready}"


def _status(stub: health_pb2_grpc.HealthStub, service: str) -> str:
    reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=2)
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


def outbox_report(store: SqlOutboxStore, limit: float) -> bool:
    """Prints the outbox's backlog; whether its oldest event waited past the limit."""
    pending, oldest, last = (
        store.pending_count(),
        store.oldest_pending_since(),
        store.last_published_at(),
    )
    age = (dt.datetime.now(dt.UTC) - oldest).total_seconds() if oldest else 0.0
    shown = last.isoformat(timespec="seconds") if last else "never"
    print(f"outbox: {pending} unpublished, oldest {age:.0f}s old (limit {limit:.0f}s)", end="")
    print(f", last published {shown}")
    return age > limit


def broker_problem(store: SqlOutboxStore, values: Mapping[str, str]) -> str:
    relay = OutboxRelay(
        store,
        settings.nats_url(values),
        values["O2C_STREAM"],
        stream_subjects(values["O2C_SUBJECT_PREFIX"]),
    )
    problem = asyncio.run(relay.problem())
    return "" if problem is None else f"{problem.reason}: {problem}"
