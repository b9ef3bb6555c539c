"""The vendor call log on each database: every HTTP call o2c makes to a vendor (here a
simulated NetSuite account) carries the work's correlation id and is written down with its
operation, status, latency and attempt — without ever failing or holding up the call."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from support.netsuite import NetSuiteWorld, a_netsuite_world

from adapters.persistence.lineage_reader import sql_lineage_readers
from adapters.persistence.vendor_calls import VendorCallWriter
from adapters.vendors import call_log
from adapters.vendors.call_log import VendorCall, VendorCallLog
from application.correlation import Trace, traced
from application.errors import VendorUnavailable
from application.lineage import EntryKind

SUBSIDIARY = "US-SUB-1"


@pytest.fixture
def netsuite() -> Iterator[NetSuiteWorld]:
    world = a_netsuite_world()
    yield world
    world.close()


@pytest.fixture
def recorded(engine) -> Iterator[VendorCallLog]:
    log = VendorCallLog(VendorCallWriter(engine)).start()
    call_log.install(log)
    yield log
    call_log.uninstall(log)
    log.stop()


def vendor_entries(engine, key: str):
    with sql_lineage_readers(engine)() as reader:
        entries = reader.timeline(frozenset({key}))
    return [entry for entry in entries if entry.kind is EntryKind.VENDOR_CALL]


def test_each_call_to_netsuite_is_logged_under_the_work_s_key_and_correlation_id(
    engine, netsuite, recorded
):
    with traced(Trace("corr-lineage-1", "US01-2026-000007")):
        netsuite.ledger.open_items(SUBSIDIARY)
    recorded.flush()

    calls = vendor_entries(engine, "US01-2026-000007")

    assert [(c.system, c.operation, c.status) for c in calls] == [
        ("netsuite", "POST /services/rest/auth/oauth2/v1/token", "200"),
        ("netsuite", "POST /services/rest/query/v1/suiteql", "200"),
    ]
    assert {(c.correlation_id, c.attempt) for c in calls} == {("corr-lineage-1", 1)}
    assert all(c.latency_ms >= 0 for c in calls)
    assert netsuite.account.correlation_ids == ["corr-lineage-1", "corr-lineage-1"]


def test_a_request_netsuite_refused_then_retried_is_logged_as_two_attempts(
    engine, netsuite, recorded
):
    netsuite.ledger.open_items(SUBSIDIARY)  # signed in, outside any work
    netsuite.account.refuse_next(1, retry_after=0)
    with traced(Trace("corr-lineage-2", "US01-2026-000008")):
        with pytest.raises(VendorUnavailable):
            netsuite.ledger.open_items(SUBSIDIARY)
        netsuite.ledger.open_items(SUBSIDIARY)  # the saga's retry
    recorded.flush()

    calls = vendor_entries(engine, "US01-2026-000008")

    assert [(c.status, c.attempt) for c in calls] == [("429", 1), ("200", 2)]


def test_a_call_made_outside_any_work_carries_no_correlation_header(netsuite, recorded):
    netsuite.ledger.open_items(SUBSIDIARY)

    assert set(netsuite.account.correlation_ids) == {""}


def test_a_log_that_cannot_be_written_never_fails_the_vendor_call(netsuite):
    def broken(_calls):
        raise RuntimeError("the database is away")

    log = VendorCallLog(broken).start()
    call_log.install(log)
    try:
        with traced(Trace("corr-lineage-3", "US01-2026-000009")):
            assert netsuite.ledger.open_items(SUBSIDIARY) == []
        log.flush()
    finally:
        call_log.uninstall(log)
        log.stop()


def test_a_full_log_drops_calls_instead_of_holding_up_the_caller():
    release = threading.Event()
    log = VendorCallLog(lambda _calls: release.wait(5), queue_size=2).start()
    call = VendorCall(
        called_at=dt.datetime.now(dt.UTC),
        system="netsuite",
        operation="GET /x",
        status="200",
        latency_ms=1,
        attempt=1,
        correlation_id="c",
        business_key="k",
    )
    try:
        for _ in range(10):
            log.record(call)
        assert log.dropped >= 7
    finally:
        release.set()
        log.stop()
