"""Concurrent approvals for one engagement, and concurrent numbering for one legal entity, take
turns on PostgreSQL (SELECT ... FOR UPDATE) instead of losing an update or failing: each waits
for the one before to commit and reads what it wrote. SQLite never interleaves them at all."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import attrs
import pytest
from support.billing import capped_december_terms, time_worked

from domain.billing.agreement import BillingAgreement
from domain.invoicing.numbering import DocumentSequence, Series
from domain.money import Money

from .builders import an_active_engagement

WRITERS = 4
HOLD_SECONDS = 0.2  # long enough that every writer asks for the row while the first holds it

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("migrated_engine", ["postgresql"], indirect=True),
]


def race(write) -> list:
    start = threading.Barrier(WRITERS)

    def each(index: int):
        start.wait()
        return write(index)

    with ThreadPoolExecutor(WRITERS) as pool:
        return list(pool.map(each, range(WRITERS)))


def test_approvals_for_one_engagement_take_turns_and_every_one_counts(uow_factory):
    engagement = an_active_engagement()
    terms = attrs.evolve(capped_december_terms(), work_package_code="EMEA-1")
    with uow_factory() as uow:
        uow.engagements.add(engagement)
        uow.billing_agreements.add(BillingAgreement.open(engagement.id, [terms]))
        uow.commit()

    def approve(index: int) -> str:
        with uow_factory() as uow:
            agreement = uow.billing_agreements.get(engagement.id)
            work = time_worked("2", on=dt.date(2026, 12, 10), source_id=f"TC-{index}")
            agreement.rate("EMEA-1", work, "work")
            time.sleep(HOLD_SECONDS)
            uow.commit()
        return work.source_id

    approved = race(approve)

    with uow_factory() as uow:
        agreement = uow.billing_agreements.get(engagement.id)
    assert sorted(approved) == [f"TC-{i}" for i in range(WRITERS)]
    # 2 h at 150.00 less 10 % is 270.00 each
    assert agreement.states["EMEA-1"].cap_used == Money("USD", Decimal("270.00") * WRITERS)
    assert agreement.row_version == 1 + WRITERS


def test_documents_numbered_at_once_get_gapless_numbers_each_their_own(uow_factory):
    with uow_factory() as uow:
        uow.sequences.add(DocumentSequence.start("GB01"))
        uow.commit()

    def number(_index: int) -> int:
        with uow_factory() as uow:
            sequence = uow.sequences.get("GB01", Series.INVOICE)
            taken = sequence.take("GB01", dt.date(2026, 12, 31))
            time.sleep(HOLD_SECONDS)
            uow.commit()
        return taken.sequence

    numbers = race(number)

    assert sorted(numbers) == list(range(1, WRITERS + 1))
