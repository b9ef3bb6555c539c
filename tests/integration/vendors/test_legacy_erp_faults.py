"""The legacy ERP when things go wrong: answers lost after the rows were committed, an import
job that falls behind, a database that refuses sessions, and its limit on sessions."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from contracts.ledgers import ENTITY, a_document, a_ledger_customer
from support.databases import BACKENDS
from support.legacy_erp import LegacyWorld, legacy_erp

from application.errors import VendorUnavailable
from application.retry import RetryPolicy, call_with_retry
from entrypoints.system import SystemClock
from simulators.legacy_erp import customer_trx, interface_lines

PATIENT = RetryPolicy(attempts=30, first_delay=0.02, max_delay=0.1)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def legacy(backend: str, tmp_path) -> Iterator[LegacyWorld]:
    with legacy_erp(backend, tmp_path, import_wait=1.0) as world:
        world.ledger.upsert_customer(a_ledger_customer())
        yield world


def numbers(count: int) -> list[str]:
    return [f"US01-2026-{n:06d}" for n in range(1, count + 1)]


def assert_each_posted_once(world: LegacyWorld, posted_numbers: list[str]) -> None:
    transactions = sorted(t["trx_number"] for t in world.erp.rows(customer_trx))
    assert transactions == sorted(posted_numbers)
    rows = world.erp.rows(interface_lines)
    assert len(rows) == 2 * len(posted_numbers)  # a LINE and a TAX row each, never a copy
    assert {r["interface_status"] for r in rows} == {"P"}


def test_a_posting_whose_answer_was_lost_after_its_rows_committed_is_found_not_repeated(legacy):
    legacy.erp.sessions.refuse_sessions(1, after=1)  # the session after the insert fails
    with pytest.raises(VendorUnavailable, match="ORA-12520"):
        legacy.ledger.post(a_document())

    again = legacy.ledger.post(a_document())

    assert legacy.ledger.find(again.posting_key) == again
    assert_each_posted_once(legacy, ["US01-2026-000001"])


def test_a_posting_the_import_has_not_reached_is_unavailable_and_found_once_it_has(
    backend, tmp_path
):
    with legacy_erp(backend, tmp_path, running=False, import_wait=0.1) as world:
        world.ledger.upsert_customer(a_ledger_customer())
        with pytest.raises(VendorUnavailable, match="still waiting for the import"):
            world.ledger.post(a_document())
        assert world.ledger.find("inv-US01-2026-000001") is None

        world.erp.run_import()

        found = world.ledger.find("inv-US01-2026-000001")
        assert found is not None and world.ledger.post(a_document()) == found
        assert_each_posted_once(world, ["US01-2026-000001"])


def test_a_database_that_is_down_is_unavailable_for_every_call(legacy):
    legacy.erp.sessions.down = True
    calls = [
        lambda: legacy.ledger.upsert_customer(a_ledger_customer()),
        lambda: legacy.ledger.post(a_document()),
        lambda: legacy.ledger.find("inv-US01-2026-000001"),
        lambda: legacy.ledger.open_items(ENTITY),
    ]
    for call in calls:
        with pytest.raises(VendorUnavailable, match="ORA-12541"):
            call()
    legacy.erp.sessions.down = False
    assert legacy.erp.rows(interface_lines) == []


def test_a_storm_of_refused_sessions_and_a_stalled_import_loses_and_duplicates_nothing(legacy):
    legacy.erp.sessions.refuse_sessions(8)
    legacy.erp.job.stall(75)  # 1.5 s: longer than a posting waits
    documents = [a_document(number) for number in numbers(5)]

    attempts = [
        call_with_retry(lambda d=d: legacy.ledger.post(d), PATIENT, SystemClock()).attempts
        for d in documents
    ]

    assert sum(attempts) > len(documents)
    assert legacy.erp.sessions.refused == 8
    assert_each_posted_once(legacy, numbers(5))


def test_concurrent_postings_never_hold_more_sessions_than_the_limit(backend, tmp_path):
    with legacy_erp(backend, tmp_path, max_sessions=2) as world:
        world.ledger.upsert_customer(a_ledger_customer())
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda n: world.ledger.post(a_document(n)), numbers(16)))

        assert world.erp.sessions.most == 2
        assert world.erp.sessions.over_limit == 0
        assert_each_posted_once(world, numbers(16))


def test_the_database_refuses_a_session_past_its_limit(backend, tmp_path):
    with legacy_erp(backend, tmp_path, max_sessions=2) as world:
        greedy = world.adapter(max_sessions=3)
        engine = greedy.database.engine
        with (
            engine.connect(),
            engine.connect(),
            pytest.raises(VendorUnavailable, match="ORA-00018"),
        ):
            greedy.find("inv-US01-2026-000001")
        greedy.close()
        assert world.erp.sessions.over_limit == 1
