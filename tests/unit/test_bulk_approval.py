"""Approval in bulk answers every item as approving the items one by one would."""

from __future__ import annotations

from attrs import evolve
from support.billing_api import opportunity, time, time_and_materials, usage, used

from application.approve_work import ItemOutcome, approve_many
from application.bulk_approval import approve_in_bulk
from application.commands import ApproveWork
from domain.errors import RequestIdReused, RoleNotOnRateCard
from unit import test_billing_use_cases as billing_examples

change_orders, engage = billing_examples.change_orders, billing_examples.engage
erp, ports, usd = billing_examples.erp, billing_examples.ports, billing_examples.usd


def capped_engagement(engage, name: str) -> str:
    deal = opportunity(
        time_and_materials(cap="1000.00"),
        opportunity_id=f"006-{name}",
        request_id=f"req-{name}",
    )
    return str(engage(deal))


def month_of_work(engagement_id: str, tag: str) -> list[ApproveWork]:
    """Over the cap on the third entry, a role off the rate card, one entry sent twice under
    two keys, and one key sent twice in the batch."""
    items = [
        time(engagement_id, f"{tag}-1", "2026-12-02", "4"),
        time(engagement_id, f"{tag}-2", "2026-12-03", "2", role="astronaut"),
        time(engagement_id, f"{tag}-3", "2026-12-03", "3"),
        time(engagement_id, f"{tag}-4", "2026-12-04", "2"),
        time(engagement_id, f"{tag}-1", "2026-12-02", "4", request_id=f"{tag}-1-resent"),
        time(engagement_id, f"{tag}-3", "2026-12-03", "3"),
    ]
    return [evolve(item, field_prefix=f"items[{i}].") for i, item in enumerate(items)]


def answers(outcomes: list[ItemOutcome]) -> list[tuple[object, ...]]:
    """What a caller reads of each answer, without the ids the engagements differ by."""
    return [
        (type(o.error).__name__, o.error.field)
        if o.error is not None
        else (
            o.approval.already_staged,
            o.approval.event.status,
            o.approval.event.amount,
            [(c.kind, c.quantity, c.amount) for c in o.approval.event.charges],
        )
        for o in outcomes
        if o.approval is not None or o.error is not None
    ]


def test_a_bulk_batch_answers_each_item_as_approving_them_one_by_one_does(engage, ports):
    one_by_one = approve_many(month_of_work(capped_engagement(engage, "SINGLE"), "S"), ports)
    in_bulk = approve_in_bulk(month_of_work(capped_engagement(engage, "BULK"), "B"), ports)

    assert answers(in_bulk) == answers(one_by_one)
    assert [o.error is None for o in in_bulk] == [True, False, True, True, True, True]
    assert isinstance(in_bulk[1].error, RoleNotOnRateCard)
    assert in_bulk[1].error.field == "items[1].time_entry.role"
    assert in_bulk[4].approval and in_bulk[4].approval.already_staged
    assert in_bulk[5].approval and in_bulk[2].approval
    assert in_bulk[5].approval.event.id == in_bulk[2].approval.event.id
    assert in_bulk[0].approval and in_bulk[0].approval.event.amount == usd("600.00")


def test_a_retried_batch_gets_its_first_answers_and_a_refused_item_runs_anew(engage, ports):
    engagement_id = capped_engagement(engage, "RETRY")
    batch = month_of_work(engagement_id, "R")
    first = approve_in_bulk(batch, ports)
    mended = [evolve(item, role="consultant") if i == 1 else item for i, item in enumerate(batch)]
    retried = approve_in_bulk(mended, ports)

    assert [o.approval.event.id for o in retried if o.approval and o is not retried[1]] == [
        o.approval.event.id for o in first if o.approval
    ]
    assert retried[1].approval and not retried[1].approval.already_staged


def test_a_key_sent_again_with_other_work_is_refused_for_that_item_alone(engage, ports):
    engagement_id = capped_engagement(engage, "REUSED")
    approve_in_bulk([time(engagement_id, "U-1", "2026-12-02", "1")], ports)
    reused = time(engagement_id, "U-2", "2026-12-02", "1", request_id="approve-U-1")
    batch = [
        evolve(reused, field_prefix="items[0]."),
        time(engagement_id, "U-3", "2026-12-02", "1"),
    ]
    [refused, staged] = approve_in_bulk(batch, ports)

    assert isinstance(refused.error, RequestIdReused)
    assert refused.error.field == "items[0].request_id"
    assert staged.approval and not staged.approval.already_staged


def test_usage_from_the_billing_system_is_rated_in_bulk_by_its_tiers(engage, ports):
    deal = opportunity(
        usage("100", ("1000", "0.50"), ("", "0.25"), currency="USD"),
        opportunity_id="006-USAGE",
        request_id="req-USAGE",
    )
    engagement_id = str(engage(deal))
    records = [used(engagement_id, f"M-{day}", f"2026-12-{day:02d}", "400") for day in (1, 2, 3)]
    outcomes = approve_in_bulk(records, ports)

    amounts = [o.approval.event.amount for o in outcomes if o.approval]
    assert amounts == [usd("150.00"), usd("200.00"), usd("150.00")]
