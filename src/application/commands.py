"""Commands: what callers ask o2c to do, as they said it, before validation."""

from __future__ import annotations

from attrs import frozen

from domain.principal import Principal


@frozen
class RateLine:
    role: str
    amount: str
    currency: str


@frozen
class WorkPackageLine:
    code: str
    name: str
    region: str
    delivering_legal_entity_code: str = ""  # "" when the contracting legal entity delivers it


@frozen
class CreateServiceEngagement:
    request_id: str
    opportunity_id: str
    account_id: str
    account_name: str
    legal_entity_code: str
    currency: str
    billing_method: str
    start_date: str
    end_date: str
    contract_value_amount: str
    contract_value_currency: str
    rate_card: tuple[RateLine, ...]
    work_packages: tuple[WorkPackageLine, ...]
    caller: Principal  # who asks, as authentication proved it: never read from the payload
    billing_terms: tuple[TermsLine, ...] = ()  # none: every work package at the rate card
    customer_country: str = ""  # ISO 3166 alpha-2; "" for the legal entity's own country
    customer_vat_number: str = ""
    payment_terms_days: str = ""  # "" for 30 days


@frozen
class ApproveTimeEntry:
    request_id: str
    source_system: str
    source_id: str
    engagement_id: str
    resource: str
    role: str
    work_date: str
    hours: str
    caller: Principal  # who asks, as authentication proved it: never read from the payload


@frozen
class ApproveWork:
    """One approved piece of work, or a usage record, as the system of record sent it.

    `kind` is time, expense, milestone or usage; only that kind's fields are read."""

    request_id: str
    source_system: str
    source_id: str
    engagement_id: str
    work_package_code: str
    kind: str
    day: str  # the work date, the day the expense was incurred, the milestone completed...
    caller: Principal
    resource: str = ""
    role: str = ""
    hours: str = ""
    category: str = ""
    cost_amount: str = ""
    cost_currency: str = ""
    milestone_code: str = ""
    quantity: str = ""
    field_prefix: str = ""  # where the event sits in the request, e.g. "items[3]."


@frozen
class DecideHeldWork:
    request_id: str
    billable_event_id: str
    decision: str  # "bill" (as overage) or "write_off"
    reason: str
    caller: Principal


@frozen
class RateEntry:
    role: str
    price: str
    currency: str
    effective_from: str
    effective_until: str = ""


@frozen
class MilestoneLine:
    code: str
    name: str
    amount: str
    currency: str


@frozen
class TierLine:
    up_to: str  # "" for the last tier, which has no upper limit
    price: str
    currency: str


@frozen
class TermsLine:
    """One work package's billing terms as the caller wrote them. `method` is
    time_and_materials, fixed_fee, retainer, subscription_plus_services or usage."""

    work_package_code: str
    method: str
    currency: str = ""
    start_date: str = ""  # "" for the engagement's dates
    end_date: str = ""
    rates: tuple[RateEntry, ...] = ()
    discount_percent: str = ""
    cap: str = ""  # an amount; with cap_currency "" meaning the terms' currency
    cap_currency: str = ""
    fee: str = ""
    fee_currency: str = ""
    milestones: tuple[MilestoneLine, ...] = ()
    unused_balance: str = ""  # retainer: expires or rolls_over
    included_quantity: str = ""
    tiers: tuple[TierLine, ...] = ()
    expense_markup_percent: str = ""
    non_billable_categories: tuple[str, ...] = ()
    staffed_roles: tuple[str, ...] = ()


@frozen
class RateChangeLine:
    role: str
    price: str
    currency: str
    effective_from: str


@frozen
class TermsChangeLine:
    work_package_code: str
    cap: str = ""
    cap_currency: str = ""
    fee: str = ""
    fee_currency: str = ""
    milestones: tuple[MilestoneLine, ...] = ()
    rate_changes: tuple[RateChangeLine, ...] = ()


@frozen
class NewWorkPackage:
    work_package: WorkPackageLine
    terms: TermsLine


@frozen
class AmendServiceEngagement:
    request_id: str
    engagement_id: str
    version: int  # the amendment's number: one more than the engagement's last
    effective_on: str
    reason: str
    changes: tuple[TermsChangeLine, ...]
    new_work_packages: tuple[NewWorkPackage, ...]
    caller: Principal


@frozen
class RunBillingCycle:
    request_id: str
    as_of: str
    legal_entity_codes: tuple[str, ...]
    engagement_ids: tuple[str, ...]
    finalise: bool  # False: (re)build the drafts for preview; True: finalise and number them
    caller: Principal


@frozen
class CreditLineRequest:
    line_number: int
    net_amount: str  # "" credits the rest of the line
    net_currency: str = ""  # "" for the invoice's currency


@frozen
class IssueCreditNote:
    request_id: str
    invoice_id: str
    reason: str
    issued_on: str
    lines: tuple[CreditLineRequest, ...]  # empty: credit the whole invoice
    caller: Principal


@frozen
class RecordPayment:
    request_id: str
    invoice_id: str
    payment_id: str
    amount: str
    currency: str
    received_on: str
    caller: Principal


@frozen
class ErpTargetLine:
    erp: str  # "legacy", "netsuite", "dynamics365" or "sandbox"
    erp_legal_entity: str


@frozen
class SetErpRoute:
    request_id: str
    legal_entity_code: str
    effective_from: str
    primary: ErpTargetLine
    caller: Principal
    shadow: ErpTargetLine | None = None  # set for a dual-write


@frozen
class CutOverLegalEntity:
    """Move a legal entity to another ERP from a day: its open invoices carried over as
    opening receivables, the carry-over reconciled, then the route switched."""

    request_id: str
    legal_entity_code: str
    effective_from: str
    target: ErpTargetLine
    caller: Principal
