"""The intercompany control: each charge's receivable, as the delivering entity's ERP holds it,
against its payable, as the contracting entity's ERP holds it, by number and amount. Only charges
whose both sides are posted are compared; the others are counted as still posting. Each
variance is parked for finance, once, under the charge's number."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from attrs import frozen

from application.billing_ports import BillingPorts
from application.erp_ports import ErpLedger, OpenItem
from application.ledger_controls import ledger_of, park_variances
from domain.erp_posting import ErpPosting, PostingRole
from domain.erp_routing import Erp, ErpTarget
from domain.errors import LegalEntityNotAllowed
from domain.intercompany import IntercompanyCharge
from domain.money import Money
from domain.principal import Principal
from domain.reconciliation import Reconciliation, reconcile

NAMES = ("delivering entities' receivables", "contracting entities' payables")


@frozen
class IntercompanyReport:
    reconciliation: Reconciliation
    charges: int  # o2c's charges in scope
    posting: tuple[str, ...]  # numbers of charges whose two sides are not both posted yet


@frozen
class ChargeView:
    charge: IntercompanyCharge
    postings: tuple[ErpPosting, ...]  # both sides, primary and any shadow


def list_intercompany_charges(
    legal_entity_code: str,
    invoice_id: str,
    after: str,
    limit: int,
    ports: BillingPorts,
    viewer: Principal,
) -> list[ChargeView]:
    """In number order, after the number `after`: those the entity delivers or contracts, or
    those of one invoice; a charge the caller sees neither side of is left out."""
    code = scope_of(legal_entity_code, viewer)
    with ports.uow_factory() as uow:
        found = (
            uow.intercompany_charges.of_invoice(invoice_id)
            if invoice_id
            else uow.intercompany_charges.involving(code)
        )
        page = [
            c
            for c in found
            if c.number > after
            and visible(c, viewer)
            and code in (None, c.delivering_legal_entity, c.contracting_legal_entity)
        ][:limit]
        return [
            ChargeView(c, tuple(sides(c, uow.erp_postings.of_invoice(c.invoice_id)))) for c in page
        ]


def sides(charge: IntercompanyCharge, postings: Sequence[ErpPosting]) -> list[ErpPosting]:
    return [p for p in postings if p.document_number in (charge.number, charge.payable_key)]


def scope_of(legal_entity_code: str, viewer: Principal) -> str | None:
    code = legal_entity_code or None
    if code is not None and not viewer.sees(code):
        raise LegalEntityNotAllowed(
            f"the caller may not read legal entity {code!r}",
            field="legal_entity_code",
            keys={"legal_entity_code": code},
        )
    return code


def reconcile_intercompany(
    legal_entity_code: str, ports: BillingPorts, viewer: Principal
) -> IntercompanyReport:
    """Every charge, or those the entity delivers or contracts."""
    code = scope_of(legal_entity_code, viewer)
    with ports.uow_factory() as uow:
        charges = [c for c in uow.intercompany_charges.involving(code) if visible(c, viewer)]
        postings = {c.number: primaries(uow.erp_postings.of_invoice(c.invoice_id)) for c in charges}
    posted = [c for c in charges if both_sides(c, postings[c.number])]
    numbers = {c.number for c in posted}
    receivables = held(posted, postings, ports, numbers, payable=False)
    payables = held(posted, postings, ports, numbers, payable=True)
    report = reconcile(receivables, payables, NAMES)
    park_variances(code or "all", report, ports)
    pending = tuple(c.number for c in charges if c.number not in numbers)
    return IntercompanyReport(report, len(charges), pending)


def visible(charge: IntercompanyCharge, viewer: Principal) -> bool:
    return viewer.sees(charge.contracting_legal_entity) or viewer.sees(
        charge.delivering_legal_entity
    )


def primaries(postings: Sequence[ErpPosting]) -> list[ErpPosting]:
    return [p for p in postings if p.role is PostingRole.PRIMARY]


def both_sides(charge: IntercompanyCharge, postings: Sequence[ErpPosting]) -> bool:
    keys = {p.document_number for p in postings}
    return charge.number in keys and charge.payable_key in keys


def held(
    charges: Sequence[IntercompanyCharge],
    postings: dict[str, list[ErpPosting]],
    ports: BillingPorts,
    numbers: set[str],
    *,
    payable: bool,
) -> list[tuple[str, Money]]:
    """What each ERP holding one side of these charges (and their reversals, negative) reports
    for them, read once per ERP entity."""
    keys = {c.payable_key if payable else c.number for c in charges}
    targets = sorted(
        {
            (p.erp, p.erp_legal_entity)
            for found in postings.values()
            for p in found
            if p.document_number in keys
        }
    )
    items: list[tuple[str, Money]] = []
    for erp, erp_legal_entity in targets:
        ledger = ledger_of(ErpTarget(Erp(erp), erp_legal_entity), ports)
        read = reader(ledger, payable=payable)
        items += [
            (item.number, item.amount)
            for item in read(erp_legal_entity)
            if item.is_intercompany and item.kind.is_payable == payable and item.number in numbers
        ]
    return items


def reader(ledger: ErpLedger, *, payable: bool) -> Callable[[str], list[OpenItem]]:
    return ledger.payables if payable else ledger.open_items
