"""An outbox that cannot publish shows: readiness turns NOT_SERVING with the reason and the age,
while liveness stays SERVING (the API still takes work: its events wait in the outbox)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from structlog.testing import capture_logs

from adapters.messaging.embedded_nats import EmbeddedNats
from adapters.messaging.outbox_health import OutboxHealth
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from entrypoints import settings
from entrypoints.readiness import READINESS_SERVICE, ReadinessWatcher
from entrypoints.runtime import Runtime
from entrypoints.status import run_status

from .broker import StreamUnderTest, eventually

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def a_runtime(tmp_path: Path, stream: StreamUnderTest, **values: str) -> Runtime:
    return Runtime(
        settings.read(
            {
                "O2C_DATABASE_URL": f"sqlite:///{tmp_path}/o2c.db",
                "O2C_NATS_URL": stream.url,
                "O2C_STREAM": stream.name,
                "O2C_SUBJECT_PREFIX": stream.prefix,
                "O2C_GRPC_ADDRESS": "127.0.0.1:0",
                "O2C_SHUTDOWN_GRACE_SECONDS": "2",
                "O2C_ERP_SIMULATORS": "false",
                **values,
            }
        )
    )


@pytest.fixture
def running() -> Iterator[list[Runtime]]:
    started: list[Runtime] = []
    yield started
    for runtime in started:
        runtime.stop()


def health_of(runtime: Runtime, service: str) -> int:
    with grpc.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
        request = health_pb2.HealthCheckRequest(service=service)
        return health_pb2_grpc.HealthStub(channel).Check(request, timeout=2).status


def park_a_case(runtime: Runtime) -> None:
    """A closed-won opportunity parked for finance: its ExceptionParked waits in the outbox."""
    case = ExceptionCase.park(
        exception_id=str(uuid.uuid4()),
        workflow=Workflow.CLOSED_WON_TO_ENGAGEMENT,
        business_key="006-GLOBEX-1",
        reason_code=ReasonCode.LEGAL_ENTITY_NOT_MAPPED,
        owner_role=OwnerRole.FINANCE,
        detail="legal entity BR01 has no ERP mapping",
        payload={},
        now=dt.datetime.now(dt.UTC),
    )
    with runtime.container.unit_of_work() as uow:
        uow.exceptions.add(case)
        uow.commit()


def test_with_the_broker_down_readiness_turns_not_serving_with_the_reason_and_comes_back(
    embedded_nats: EmbeddedNats, tmp_path: Path, running: list[Runtime]
) -> None:
    stream = StreamUnderTest.unique(embedded_nats.url)
    runtime = a_runtime(tmp_path, stream, O2C_OUTBOX_STALE_SECONDS="0.5").start()
    running.append(runtime)
    assert eventually(lambda: health_of(runtime, READINESS_SERVICE) == SERVING)

    with capture_logs() as logs:
        embedded_nats.stop()
        park_a_case(runtime)
        assert eventually(lambda: health_of(runtime, READINESS_SERVICE) == NOT_SERVING)

    assert health_of(runtime, "") == SERVING
    [not_ready] = [entry for entry in logs if entry["event"] == "o2c not ready"]
    assert not_ready["reason"] == "OUTBOX_STALE"
    assert not_ready["oldest_pending_seconds"] > 0.5
    assert "BROKER_UNAVAILABLE" in not_ready["detail"]
    embedded_nats.start()
    assert eventually(lambda: health_of(runtime, READINESS_SERVICE) == SERVING, timeout=40)


def test_a_stream_that_overlaps_another_makes_the_server_not_ready_and_status_says_how_to_fix_it(
    stream: StreamUnderTest,
    other_stream: StreamUnderTest,
    tmp_path: Path,
    running: list[Runtime],
    capsys: pytest.CaptureFixture[str],
) -> None:
    other_stream.create(f"{stream.root}.>")
    runtime = a_runtime(tmp_path, stream).start()
    running.append(runtime)

    assert eventually(lambda: health_of(runtime, READINESS_SERVICE) == NOT_SERVING)
    assert health_of(runtime, "") == SERVING
    assert runtime.readiness is not None
    assert eventually(lambda: runtime.readiness.refresh().reason == "STREAM_SUBJECTS_OVERLAP")

    exit_code = run_status({**runtime.values, "O2C_GRPC_ADDRESS": f"127.0.0.1:{runtime.port}"})

    report = capsys.readouterr().out
    assert exit_code == 1
    assert "ready NOT_SERVING" in report
    assert f"STREAM_SUBJECTS_OVERLAP: stream {stream.name} cannot take" in report
    assert f"O2C_STREAM={other_stream.name}" in report


READY = OutboxHealth(True)
STALE = OutboxHealth(False, "OUTBOX_STALE", "the oldest unpublished event waited 75s", 75.0)


@pytest.mark.parametrize(
    ("remind_every", "expected"),
    [
        (3600.0, ["o2c ready", "o2c not ready", "o2c ready"]),
        (
            0.0,
            [
                "o2c ready",
                "o2c not ready",
                "o2c still not ready",
                "o2c still not ready",
                "o2c ready",
            ],
        ),
    ],
)
def test_readiness_is_logged_on_each_change_and_reminded_while_not_ready(
    remind_every: float, expected: list[str]
) -> None:
    reports = iter([READY, STALE, STALE, STALE, READY])
    watcher = ReadinessWatcher(
        lambda: next(reports), health.HealthServicer(), remind_every=remind_every
    )

    with capture_logs() as logs:
        for _ in range(5):
            watcher.refresh()

    assert [entry["event"] for entry in logs] == expected
    assert {entry.get("oldest_pending_seconds") for entry in logs} >= {75.0}
