"""Billing as its callers ask for it: opportunities with terms per work package, approvals of
every kind, cycles, credit notes and payments, in the business's words."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from attrs import evolve

from application.commands import (
    AmendServiceEngagement,
    ApproveWork,
    CreateServiceEngagement,
    CreditLineRequest,
    IssueCreditNote,
    MilestoneLine,
    RateLine,
    RecordPayment,
    RunBillingCycle,
    TermsChangeLine,
    TermsLine,
    TierLine,
    WorkPackageLine,
)
from domain.intercompany import TransferPricing
from domain.invoicing.tax import LegalEntity, TaxRule, TaxTable, TaxTreatment
from support.builders import closed_won, integration

COUNTRIES = {"US01": "US", "GB01": "GB", "JP01": "JP", "KW01": "KW"}
SERVICE_TYPES = ("professional_services", "expenses", "usage")


class ReferenceData:
    """The firm's billing configuration: four legal entities and their domestic tax rules,
    with reverse charge from GB to business customers in Germany; o2c bills every entity
    unless `platforms` names another engine for it."""

    def __init__(self, platforms: dict[str, str] | None = None) -> None:
        self.platforms = dict(platforms or {})

    def billing_platform(self, code: str) -> str:
        return self.platforms.get(code, "o2c")

    def legal_entity(self, code: str) -> LegalEntity | None:
        country = COUNTRIES.get(code)
        return LegalEntity(code, country) if country else None

    def tax_table(self) -> TaxTable:
        domestic = {
            "US": (TaxTreatment.EXEMPT, "0"),
            "GB": (TaxTreatment.STANDARD, "20"),
            "JP": (TaxTreatment.STANDARD, "10"),
            "KW": (TaxTreatment.ZERO_RATED, "0"),
        }
        rules = [
            TaxRule(country, country, service, treatment, Decimal(percent))
            for country, (treatment, percent) in domestic.items()
            for service in SERVICE_TYPES
        ]
        rules += [
            TaxRule("GB", "DE", service, TaxTreatment.STANDARD, Decimal(20), reverse_charge=True)
            for service in SERVICE_TYPES
        ]
        return TaxTable.of(rules)

    def transfer_pricing(self) -> TransferPricing:
        """85% of the revenue by default; GB01 charges US01 80%."""
        return TransferPricing(Decimal("0.85"), {("GB01", "US01"): Decimal("0.80")})


def opportunity(*terms: TermsLine, **overrides: Any) -> CreateServiceEngagement:
    """One work package, NA, billed by `terms` (time and materials at the rate card if none)."""
    fields: dict[str, Any] = {
        "work_packages": (WorkPackageLine("NA", "North America rollout", "NA"),),
        "billing_terms": terms,
    }
    fields.update(overrides)
    return evolve(closed_won(), **fields)


def in_currency(
    currency: str, legal_entity: str, rate: str, **overrides: Any
) -> CreateServiceEngagement:
    return opportunity(
        *overrides.pop("terms", ()),
        legal_entity_code=legal_entity,
        currency=currency,
        contract_value_amount=overrides.pop("value", "1000000"),
        contract_value_currency=currency,
        rate_card=(RateLine("consultant", rate, currency),),
        **overrides,
    )


def time_and_materials(cap: str = "", **overrides: Any) -> TermsLine:
    return TermsLine(work_package_code="NA", method="time_and_materials", cap=cap, **overrides)


def fixed_fee(fee: str, *milestones: tuple[str, str], currency: str = "USD") -> TermsLine:
    return TermsLine(
        work_package_code="NA",
        method="fixed_fee",
        fee=fee,
        milestones=tuple(
            MilestoneLine(code, code, amount, currency) for code, amount in milestones
        ),
    )


def retainer(fee: str, unused_balance: str = "expires") -> TermsLine:
    return TermsLine(
        work_package_code="NA", method="retainer", fee=fee, unused_balance=unused_balance
    )


def subscription(fee: str, cap: str = "") -> TermsLine:
    return TermsLine(work_package_code="NA", method="subscription_plus_services", fee=fee, cap=cap)


def usage(included: str, *tiers: tuple[str, str], currency: str) -> TermsLine:
    return TermsLine(
        work_package_code="NA",
        method="usage",
        included_quantity=included,
        tiers=tuple(TierLine(up_to, price, currency) for up_to, price in tiers),
    )


def approval(kind: str, engagement_id: str, source_id: str, day: str, **fields: Any) -> ApproveWork:
    system = "billing" if kind == "usage" else "psa"
    return ApproveWork(
        request_id=fields.pop("request_id", f"approve-{source_id}"),
        source_system=system,
        source_id=source_id,
        engagement_id=engagement_id,
        work_package_code=fields.pop("work_package_code", "NA"),
        kind=kind,
        day=day,
        caller=fields.pop("caller", integration(system)),
        **fields,
    )


def time(engagement_id: str, source_id: str, day: str, hours: str, **fields: Any) -> ApproveWork:
    fields.setdefault("resource", "Ada Lovelace")
    fields.setdefault("role", "consultant")
    return approval("time", engagement_id, source_id, day, hours=hours, **fields)


def expense(
    engagement_id: str, source_id: str, day: str, cost: str, currency: str, category: str
) -> ApproveWork:
    return approval(
        "expense",
        engagement_id,
        source_id,
        day,
        resource="Ada Lovelace",
        category=category,
        cost_amount=cost,
        cost_currency=currency,
    )


def milestone(engagement_id: str, source_id: str, day: str, code: str) -> ApproveWork:
    return approval("milestone", engagement_id, source_id, day, milestone_code=code)


def used(engagement_id: str, source_id: str, day: str, quantity: str) -> ApproveWork:
    return approval("usage", engagement_id, source_id, day, quantity=quantity)


def cycle(
    as_of: str, *engagement_ids: str, finalise: bool = True, **fields: Any
) -> RunBillingCycle:
    return RunBillingCycle(
        request_id=fields.pop("request_id", f"cycle-{as_of}-{finalise}-{'-'.join(engagement_ids)}"),
        as_of=as_of,
        legal_entity_codes=fields.pop("legal_entity_codes", ()),
        engagement_ids=engagement_ids,
        finalise=finalise,
        caller=fields.pop("caller", integration("billing")),
    )


def credit(invoice_id: str, *lines: tuple[int, str], **fields: Any) -> IssueCreditNote:
    return IssueCreditNote(
        request_id=fields.pop("request_id", f"credit-{invoice_id}-{len(lines)}"),
        invoice_id=invoice_id,
        reason=fields.pop("reason", "Hours disputed by the customer"),
        issued_on=fields.pop("issued_on", ""),
        lines=tuple(CreditLineRequest(number, net) for number, net in lines),
        caller=fields.pop("caller", integration("billing")),
    )


def payment(
    invoice_id: str, payment_id: str, amount: str, currency: str, **fields: Any
) -> RecordPayment:
    return RecordPayment(
        request_id=fields.pop("request_id", f"pay-{payment_id}"),
        invoice_id=invoice_id,
        payment_id=payment_id,
        amount=amount,
        currency=currency,
        received_on=fields.pop("received_on", "2026-11-27"),  # by today, on any clock
        caller=fields.pop("caller", integration("erp")),
    )


def change_order(
    engagement_id: str, version: int, *changes: TermsChangeLine, **fields: Any
) -> AmendServiceEngagement:
    return AmendServiceEngagement(
        request_id=fields.pop("request_id", f"amend-{engagement_id}-{version}"),
        engagement_id=engagement_id,
        version=version,
        effective_on=fields.pop("effective_on", "2026-12-15"),
        reason=fields.pop("reason", "Change order signed by the customer"),
        changes=changes,
        new_work_packages=fields.pop("new_work_packages", ()),
        caller=fields.pop("caller", integration("crm")),
    )
