"""Billing API requests in the business's words: terms per work package, approved expenses,
milestones and usage, batches, billing cycles, credit notes and payments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from google.type import date_pb2

from o2c.v1 import billing_pb2, common_pb2, engagement_pb2
from support.requests import closed_won, date, override, usd

DECEMBER_31 = date(2026, 12, 31)


def time_and_materials(code: str, cap: str = "") -> engagement_pb2.WorkPackageBillingTerms:
    terms = engagement_pb2.WorkPackageBillingTerms(
        work_package_code=code,
        method=engagement_pb2.BILLING_METHOD_TIME_AND_MATERIALS,
        rates=[
            engagement_pb2.BillingRate(
                role="consultant",
                price="140",
                currency_code="USD",
                effective_from=date(2026, 12, 1),
            )
        ],
        expense_markup_percent="10",
        non_billable_categories=["alcohol"],
    )
    if cap:
        terms.cap.CopyFrom(usd(cap))
    return terms


def fixed_fee(code: str) -> engagement_pb2.WorkPackageBillingTerms:
    return engagement_pb2.WorkPackageBillingTerms(
        work_package_code=code,
        method=engagement_pb2.BILLING_METHOD_FIXED_FEE,
        fee=usd("10000.00"),
        milestones=[
            engagement_pb2.Milestone(code="DESIGN", name="Design signed off", amount=usd("4000")),
            engagement_pb2.Milestone(code="GO-LIVE", name="Go-live", amount=usd("6000")),
        ],
    )


def usage_priced(code: str) -> engagement_pb2.WorkPackageBillingTerms:
    return engagement_pb2.WorkPackageBillingTerms(
        work_package_code=code,
        method=engagement_pb2.BILLING_METHOD_USAGE,
        included_quantity="1000",
        tiers=[
            engagement_pb2.UsageTier(up_to="10000", price="0.05", currency_code="USD"),
            engagement_pb2.UsageTier(price="0.01", currency_code="USD"),
        ],
    )


def closed_won_with_terms(
    key: str,
    terms: Sequence[engagement_pb2.WorkPackageBillingTerms],
    legal_entity: str = "US01",
    **overrides: object,
) -> engagement_pb2.CreateServiceEngagementRequest:
    """An opportunity whose work packages are those the terms name."""
    request = closed_won(key, legal_entity, **overrides)
    opportunity = request.opportunity
    del opportunity.work_packages[:]
    opportunity.work_packages.extend(
        engagement_pb2.WorkPackage(code=item.work_package_code, name="Rollout", region="NA")
        for item in terms
    )
    opportunity.billing_terms.extend(terms)
    return request


def expense(
    key: str, engagement_id: str, source_id: str = "EX-1", **overrides: object
) -> billing_pb2.ApproveBillableEventRequest:
    entry = billing_pb2.ExpenseEntry(
        source_id=f"{source_id}-{key}",
        engagement_id=engagement_id,
        resource="Ada Lovelace",
        category="travel",
        incurred_on=date(2026, 12, 3),
        cost=usd("200.00"),
    )
    for name, value in overrides.items():
        override(entry, name, value)
    return billing_pb2.ApproveBillableEventRequest(
        request_id=f"expense-{key}-{source_id}",
        source_system=common_pb2.SOURCE_SYSTEM_PSA,
        expense=entry,
    )


def milestone_completed(
    key: str, engagement_id: str, milestone_code: str, **overrides: object
) -> billing_pb2.ApproveBillableEventRequest:
    entry = billing_pb2.MilestoneCompletion(
        source_id=f"MS-{milestone_code}-{key}",
        engagement_id=engagement_id,
        milestone_code=milestone_code,
        completed_on=date(2026, 12, 10),
    )
    for name, value in overrides.items():
        override(entry, name, value)
    return billing_pb2.ApproveBillableEventRequest(
        request_id=f"milestone-{key}-{milestone_code}",
        source_system=common_pb2.SOURCE_SYSTEM_PSA,
        milestone=entry,
    )


def usage_recorded(
    key: str, engagement_id: str, quantity: str, source_id: str = "USE-1"
) -> billing_pb2.ApproveBillableEventRequest:
    """Metered usage, which the billing system owns."""
    return billing_pb2.ApproveBillableEventRequest(
        request_id=f"usage-{key}-{source_id}",
        source_system=common_pb2.SOURCE_SYSTEM_BILLING,
        usage=billing_pb2.UsageRecord(
            source_id=f"{source_id}-{key}",
            engagement_id=engagement_id,
            used_on=date(2026, 12, 5),
            quantity=quantity,
        ),
    )


def batch_of(
    key: str, *requests: billing_pb2.ApproveBillableEventRequest
) -> billing_pb2.ApproveBillableEventsRequest:
    items = []
    for request in requests:
        item = billing_pb2.BillableEventItem()
        item.ParseFromString(request.SerializeToString())  # the same fields, the same numbers
        items.append(item)
    return billing_pb2.ApproveBillableEventsRequest(request_id=f"batch-{key}", items=items)


def billing_cycle(
    key: str, engagement_id: str, finalise: bool = True, as_of: date_pb2.Date = DECEMBER_31
) -> billing_pb2.RunBillingCycleRequest:
    return billing_pb2.RunBillingCycleRequest(
        request_id=f"cycle-{key}-{engagement_id}-{as_of.month}-{as_of.day}-{finalise}",
        as_of=as_of,
        engagement_ids=[engagement_id],
        finalise=finalise,
    )


def credit_note(
    key: str, invoice_id: str, *lines: billing_pb2.CreditLineRequest
) -> billing_pb2.IssueCreditNoteRequest:
    return billing_pb2.IssueCreditNoteRequest(
        request_id=f"credit-{key}-{invoice_id}-{len(lines)}",
        invoice_id=invoice_id,
        reason="Hours billed twice",
        issued_on=date(2027, 1, 5),
        credit_lines=list(lines),
    )


def today() -> date_pb2.Date:
    day = dt.datetime.now(dt.UTC).date()
    return date(day.year, day.month, day.day)


def payment(
    key: str, invoice_id: str, amount: str, payment_id: str = "PAY-1"
) -> billing_pb2.RecordPaymentRequest:
    return billing_pb2.RecordPaymentRequest(
        request_id=f"payment-{key}-{payment_id}",
        invoice_id=invoice_id,
        payment_id=f"{payment_id}-{key}",
        amount=usd(amount),
        received_on=today(),  # a payment is received by now
    )


def amendment(
    engagement_id: str, version: int, *changes: engagement_pb2.TermsChange, key: str = ""
) -> engagement_pb2.AmendServiceEngagementRequest:
    return engagement_pb2.AmendServiceEngagementRequest(
        request_id=f"amend-{key}-{engagement_id}-{version}",
        engagement_id=engagement_id,
        version=version,
        effective_on=date(2026, 12, 15),
        reason="Change order 7: budget raised",
        changes=list(changes),
    )


def raised_cap(code: str, cap: str) -> engagement_pb2.TermsChange:
    return engagement_pb2.TermsChange(work_package_code=code, cap=usd(cap))
