from __future__ import annotations

import datetime as dt

import attrs
import pytest

from domain import events

NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)


def test_an_event_type_that_does_not_say_its_aggregate_and_business_key_cannot_be_recorded():
    @attrs.frozen(kw_only=True)
    class InvoicePosted(events.Event):
        invoice_number: str

    with pytest.raises(TypeError, match="aggregate"):
        InvoicePosted(occurred_at=NOW, invoice_number="INV-1")


@pytest.mark.parametrize(
    ("workflow", "kind"),
    [
        ("closed_won_to_engagement", events.BusinessKeyKind.OPPORTUNITY),
        ("approved_work_to_staging", events.BusinessKeyKind.SOURCE_RECORD),
        ("a_workflow_not_known_yet", events.BusinessKeyKind.UNCLASSIFIED),
    ],
)
def test_a_parked_case_is_known_by_what_starts_its_workflow(workflow, kind):
    parked = events.ExceptionParked(
        occurred_at=NOW,
        exception_id="EXC-1",
        workflow=workflow,
        business_key="006-GLOBEX-1",
        reason_code="LEGAL_ENTITY_NOT_MAPPED",
        owner_role="finance",
        detail="legal entity BR01 has no ERP mapping",
    )

    assert parked.key == events.BusinessKey(kind, "006-GLOBEX-1")
    assert parked.aggregate == events.AggregateRef("exception", "EXC-1")
