"""RunBillingCycle(as_of, scope): the fees due by `as_of` scheduled, then one invoice per
engagement, legal entity and currency from everything staged by then.

A draft run (re)builds the drafts for preview and bills nothing; a finalising run numbers the
invoices gaplessly per legal entity and records each charge as invoiced, once, ever.

Engagements of a legal entity an external billing platform bills (the reference data says
which) are neither rated nor invoiced here: a finalising run hands their staged work to the
platform in the same transaction that marks it (see platform_handoff); a draft shows nothing
for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from attrs import evolve, frozen

from application.billing_access import (
    agreement_for,
    check_within_a_year,
    engagement_for,
    sequence_for,
)
from application.billing_platform_ports import O2C_ENGINE
from application.billing_ports import BillingPorts, BillingReferenceData
from application.commands import RunBillingCycle
from application.fees import schedule_fees
from application.intercompany import delivered_by
from application.invoice_lines import line_text
from application.parsing import parse_date, required
from application.pipeline import Pipeline
from application.platform_handoff import PlatformHandoff
from application.ports import BillingChunks, UnitOfWork
from domain.billable_event import BillableEvent
from domain.billing.agreement import BillingAgreement
from domain.billing.charges import ChargeKind
from domain.engagement import Engagement, EngagementStatus
from domain.errors import InvalidField, LegalEntityNotAllowed, UnknownValue
from domain.invoicing.billed_work import BilledWork
from domain.invoicing.cycle import finalise_all, run_billing_cycle
from domain.invoicing.invoice import Invoice
from domain.invoicing.lines import key_of
from domain.invoicing.numbering import Series
from domain.invoicing.payment_terms import PaymentTerms
from domain.invoicing.staging import BillingAccount, BillingSetup, CycleScope, StagedCharge
from domain.invoicing.tax import Customer
from domain.principal import Principal
from domain.requests import RequestKey

OPERATION = "RunBillingCycle"
SERVICE_TYPES = {ChargeKind.EXPENSE: "expenses", ChargeKind.USAGE: "usage"}
DEFAULT_SERVICE_TYPE = "professional_services"


@frozen
class CycleOutcome:
    invoices: tuple[Invoice, ...]
    finalised: bool
    handed_to_platform: tuple[PlatformHandoff, ...] = ()


def run_cycle(cmd: RunBillingCycle, ports: BillingPorts) -> CycleOutcome:
    as_of = check_within_a_year(parse_date(cmd.as_of, "as_of"), ports.clock.now().date(), "as_of")
    key = RequestKey(cmd.caller.subject, OPERATION, cmd.request_id)
    answer = Pipeline(ports.uow_factory, ports.clock).run(
        key, cmd, lambda uow: bill(uow, cmd, as_of, ports)
    )
    invoice_ids = answer["invoice_ids"]
    assert isinstance(invoice_ids, list)
    ids = [str(i) for i in invoice_ids]
    with ports.uow_factory() as uow:
        invoices = tuple(invoice for i in ids if (invoice := uow.invoices.get(i)) is not None)
    handed = answer.get("handed_to_platform") or []
    assert isinstance(handed, list)
    return CycleOutcome(
        invoices, bool(answer["finalised"]), tuple(PlatformHandoff.of_json(h) for h in handed)
    )


def bill(
    uow: UnitOfWork, cmd: RunBillingCycle, as_of: dt.date, ports: BillingPorts
) -> dict[str, object]:
    check_known(cmd.legal_entity_codes, required_reference(ports))
    scoped = in_scope(uow, cmd)
    agreements = {e.id: agreement_for(uow, e) for e in billed_here(scoped, ports)}
    return bill_engagements(uow, scoped, agreements, as_of, ports, finalise=cmd.finalise)


def billed_here(scoped: Sequence[Engagement], ports: BillingPorts) -> list[Engagement]:
    reference = required_reference(ports)
    return [e for e in scoped if billed_by(e, reference) == O2C_ENGINE]


def bill_engagements(
    uow: UnitOfWork,
    scoped: Sequence[Engagement],
    agreements: Mapping[str, BillingAgreement],
    as_of: dt.date,
    ports: BillingPorts,
    *,
    finalise: bool,
    cycle_id: str = "",
    chunk: BillingChunks | None = None,
) -> dict[str, object]:
    """The cycle over these engagements, each o2c bills held with its agreement. With a
    `chunk`, staged work is read and the charges recorded set-based, through it."""
    reference = required_reference(ports)
    engagements = billed_here(scoped, ports)
    elsewhere = [e for e in scoped if billed_by(e, reference) != O2C_ENGINE]
    setup = billing_setup(engagements, agreements, reference)
    for engagement in engagements:
        schedule_fees(uow, engagement, agreements[engagement.id], as_of, ports.ids, ports.clock)
    ids = [e.id for e in engagements]
    events = chunk.staged(ids, as_of) if chunk else uow.billable_events.staged(ids, as_of)
    staged = staged_charges(events, {e.id: e for e in engagements})
    billed = uow.billed_work.get_many([key_of(item.charge) for item in staged])
    if not finalise:  # a draft bills nothing: its records are copies, never saved
        billed = {key: evolve(record) for key, record in billed.items()}
    for old in uow.invoices.drafts([e.id for e in scoped]):
        uow.invoices.remove_draft(old)
    cycle_id = cycle_id or ports.ids.new_id()
    result = run_billing_cycle(
        setup,
        cycle_id=cycle_id,
        as_of=as_of,
        scope=CycleScope(),
        staged=staged,
        billed=billed,
        invoice_id=lambda _key: ports.ids.new_id(),
    )
    if finalise:  # numbered before they are added: each invoice is written once, as issued
        number(uow, result.invoices, as_of, ports)
    for invoice in result.invoices:
        uow.invoices.add(invoice)
    if finalise:
        record_billed(uow, [r for r in result.billed if r.key not in billed], chunk)
        for event in events:
            event.mark_invoiced()
        if chunk:
            chunk.write_invoiced(events)
        if ports.postings is not None:
            ports.postings.invoices(uow, result.invoices, ports.clock.now())
        if ports.psa_invoiced is not None:
            ports.psa_invoiced.invoices(uow, result.invoices, events, ports.clock.now())
        if ports.intercompany is not None:
            delivered = delivered_by(events, {e.id: e for e in engagements})
            pricing = reference.transfer_pricing()
            ports.intercompany.charge(uow, result.invoices, delivered, pricing, ports.clock.now())
    handed = hand_over(uow, elsewhere, as_of, cycle_id, ports) if finalise else []
    return {
        "invoice_ids": [i.id for i in result.invoices],
        "finalised": finalise,
        "handed_to_platform": [h.as_json() for h in handed],
    }


def record_billed(
    uow: UnitOfWork, records: Sequence[BilledWork], chunk: BillingChunks | None
) -> None:
    if chunk:
        chunk.write_billed(records)
        return
    for record in records:
        uow.billed_work.add(record)


def billed_by(engagement: Engagement, reference: BillingReferenceData) -> str:
    return reference.billing_platform(engagement.legal_entity_code)


def hand_over(
    uow: UnitOfWork,
    engagements: Sequence[Engagement],
    as_of: dt.date,
    cycle_id: str,
    ports: BillingPorts,
) -> list[PlatformHandoff]:
    """Each engagement's staged work by `as_of`, to the platform that bills its entity."""
    if not engagements:
        return []
    reference = required_reference(ports)
    if ports.platform_handoffs is None:
        code = engagements[0].legal_entity_code
        raise InvalidField(
            f"legal entity {code} is billed by {billed_by(engagements[0], reference)}, and o2c "
            "has no billing platform configured (O2C_BILLING_PLATFORM)",
            field="legal_entity_codes",
            keys={"legal_entity_code": code},
        )
    staged = uow.billable_events.staged([e.id for e in engagements], as_of)
    handed = []
    for engagement in engagements:
        entity = reference.legal_entity(engagement.legal_entity_code)
        work = [e for e in staged if e.engagement_id == engagement.id]
        if not work:
            continue
        handed.append(
            ports.platform_handoffs.hand_over(
                uow,
                engagement,
                billed_by(engagement, reference),
                entity.country if entity else "",
                work,
                cycle_id,
                ports.clock.now(),
            )
        )
    return handed


def number(
    uow: UnitOfWork, invoices: Sequence[Invoice], as_of: dt.date, ports: BillingPorts
) -> None:
    codes = sorted({invoice.legal_entity.code for invoice in invoices})
    sequences = {code: sequence_for(uow, code, Series.INVOICE) for code in codes}
    finalise_all(invoices, sequences, as_of, ports.clock.now())


def in_scope(uow: UnitOfWork, cmd: RunBillingCycle) -> list[Engagement]:
    """Active engagements the caller may see, within the legal entities and engagements
    named; none named means all of them."""
    for index, code in enumerate(cmd.legal_entity_codes):
        check_sees(cmd.caller, code, f"legal_entity_codes[{index}]")
    if cmd.engagement_ids:
        named = [
            engagement_for(
                uow, required(i, f"engagement_ids[{n}]"), cmd.caller, f"engagement_ids[{n}]"
            )
            for n, i in enumerate(cmd.engagement_ids)
        ]
    else:
        named = [e for e in map(uow.engagements.get, uow.billing_agreements.engagement_ids()) if e]
    entities = set(cmd.legal_entity_codes)
    return [
        e
        for e in named
        if e.status is EngagementStatus.ACTIVE
        and cmd.caller.sees(e.legal_entity_code)
        and (not entities or e.legal_entity_code in entities)
    ]


def check_known(codes: Sequence[str], reference: BillingReferenceData) -> None:
    for index, code in enumerate(codes):
        if reference.legal_entity(code) is None:
            raise UnknownValue(
                f"o2c bills for no legal entity {code!r}",
                field=f"legal_entity_codes[{index}]",
                keys={"legal_entity_code": code},
            )


def check_sees(caller: Principal, code: str, field_name: str) -> None:
    if not caller.sees(code):
        raise LegalEntityNotAllowed(
            f"{caller.subject} may not bill for legal entity {code!r}",
            field=field_name,
            keys={"legal_entity_code": code},
        )


def billing_setup(
    engagements: Sequence[Engagement],
    agreements: Mapping[str, BillingAgreement],
    reference: BillingReferenceData,
) -> BillingSetup:
    entities = {}
    for engagement in engagements:
        code = engagement.legal_entity_code
        entity = reference.legal_entity(code)
        if entity is None:
            raise UnknownValue(
                f"legal entity {code} has no country in the billing reference data: "
                "finance adds it before billing",
                field="legal_entity_codes",
                keys={"legal_entity_code": code, "engagement_id": engagement.id},
            )
        entities[code] = entity
    accounts = {
        e.id: account_of(e, entities[e.legal_entity_code].country, agreements[e.id])
        for e in engagements
    }
    return BillingSetup(entities, accounts, reference.tax_table())


def account_of(
    engagement: Engagement, entity_country: str, agreement: BillingAgreement
) -> BillingAccount:
    customer = Customer(
        number=engagement.erp_customer_number or engagement.account_id,
        country=engagement.customer_country or entity_country,
        is_business=True,
        vat_number=engagement.customer_vat_number,
    )
    currencies = frozenset({engagement.currency} | {t.currency for t in agreement.terms.values()})
    return BillingAccount(
        engagement.id, customer, currencies, PaymentTerms(engagement.payment_terms_days)
    )


def staged_charges(
    events: Sequence[BillableEvent], engagements: dict[str, Engagement]
) -> list[StagedCharge]:
    return [
        StagedCharge(
            charge=charge,
            engagement_id=event.engagement_id,
            legal_entity_code=engagements[event.engagement_id].legal_entity_code,
            service_type=SERVICE_TYPES.get(charge.kind, DEFAULT_SERVICE_TYPE),
            on=event.work_date,
            reference=event.source_id,
            description=line_text(event, charge),
        )
        for event in events
        for charge in event.billed_charges()
    ]


def required_reference(ports: BillingPorts) -> BillingReferenceData:
    assert ports.reference is not None, "billing needs its reference data"
    return ports.reference


__all__ = ["CycleOutcome", "bill_engagements", "required", "run_cycle"]
