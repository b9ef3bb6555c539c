"""Days at the edge of the calendar: a billing cycle whose invoices would fall due after the
last day a date can name is refused naming its day, never answered INTERNAL. In a module of its
own, so that a cycle issued that late cannot hold up the numbering of other tests' invoices."""

from __future__ import annotations

import grpc
from support.billing_requests import billing_cycle, closed_won_with_terms, time_and_materials
from support.requests import date, time_entry
from support.statuses import refusal_of


def test_a_cycle_whose_invoices_would_fall_due_after_the_calendar_ends_is_refused(
    engagements, billing, run_key
):
    request = closed_won_with_terms(run_key, [time_and_materials("NA")])
    eid = engagements.CreateServiceEngagement(request).engagement.engagement_id
    billing.ApproveBillableEvent(time_entry(run_key, eid))

    cycle = billing_cycle(run_key, eid, as_of=date(9999, 12, 31))
    refusal = refusal_of(lambda: billing.RunBillingCycle(cycle))

    assert (refusal.code, refusal.field) == (grpc.StatusCode.INVALID_ARGUMENT, "as_of")
