"""What every audit trail promises: each refusal kept, and a business key's read back in the
order they were recorded."""

from __future__ import annotations

from contracts.builders import a_refusal
from contracts.units_of_work import read, save
from domain.audit import Refusal


def as_recorded(refusal: Refusal) -> tuple[object, ...]:
    return (
        refusal.id,
        refusal.recorded_at,
        refusal.writer,
        refusal.operation,
        refusal.business_key,
        refusal.reason_code,
        refusal.detail,
    )


def refusals(uow_factory, business_key: str = "crm:TC-0001") -> list[Refusal]:
    return read(uow_factory, lambda uow: uow.audit.refusals(business_key))


def test_a_refusal_comes_back_with_who_wrote_what_and_why(uow_factory):
    refusal = a_refusal()
    save(uow_factory, "audit", refusal)
    assert [as_recorded(r) for r in refusals(uow_factory)] == [as_recorded(refusal)]


def test_a_business_keys_refusals_come_back_in_the_order_recorded_and_no_others(uow_factory):
    reasons = ["NOT_SYSTEM_OF_RECORD", "ENGAGEMENT_NOT_ACTIVE", "NOT_SYSTEM_OF_RECORD"]
    for reason in reasons:
        save(uow_factory, "audit", a_refusal(reason_code=reason))
    save(uow_factory, "audit", a_refusal("crm:TC-0002"))
    assert [r.reason_code for r in refusals(uow_factory)] == reasons


def test_a_business_key_never_refused_has_no_refusals(uow_factory):
    assert refusals(uow_factory, "psa:TC-9999") == []


def test_a_refusal_not_committed_is_not_kept(uow_factory):
    with uow_factory() as uow:
        uow.audit.add(a_refusal())
    assert refusals(uow_factory) == []
