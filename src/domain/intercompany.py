"""Intercompany charges: work that one legal entity delivered on an engagement another entity
contracted.

The contracting entity invoices the customer for all of it; the delivering entity is paid its
share by the contracting one. When an invoice is finalised, each delivering entity gets one
intercompany charge for its work on that invoice: per invoice line, the line's net revenue for
the charges it delivered, times the transfer-pricing share agreed between the two entities.
The delivering entity posts it as a receivable, the contracting entity as a payable, both under
the one intercompany number, so the two sides reconcile by number and amount."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from attrs import frozen

from domain.errors import InvalidField
from domain.invoicing.credit_notes import CreditNote, share
from domain.invoicing.invoice import Invoice
from domain.invoicing.lines import InvoiceLine, sum_of
from domain.money import Money, digits_of, exact, rounded


@frozen
class TransferPricing:
    """The share of the net revenue billed for delivered work that the delivering entity
    charges the contracting one: one default, and an agreed share per (delivering, contracting)
    pair where the firm has one."""

    default_share: Decimal
    shares: Mapping[tuple[str, str], Decimal] = {}

    def __attrs_post_init__(self) -> None:
        for pair, agreed in {("*", "*"): self.default_share, **self.shares}.items():
            if not Decimal(0) < agreed <= Decimal(1):
                raise InvalidField(
                    f"the intercompany share {agreed} for {pair[0]} to {pair[1]} is not above 0 "
                    "and at most 1",
                    field="intercompany.revenue_share_percent",
                )

    def share(self, delivering: str, contracting: str) -> Decimal:
        return self.shares.get((delivering, contracting), self.default_share)


@frozen
class IntercompanyLine:
    invoice_line: int
    description: str
    revenue: Money  # the line's net billed to the customer for the delivering entity's work
    amount: Money  # what the delivering entity charges for it


@frozen
class IntercompanyCharge:
    number: str
    invoice_id: str
    invoice_number: str
    engagement_id: str
    delivering_legal_entity: str
    contracting_legal_entity: str
    issued_on: dt.date
    currency: str
    share: Decimal
    lines: tuple[IntercompanyLine, ...]
    reverses: str = ""  # a reversal: the number of the charge whose share it credits
    credit_note_id: str = ""  # a reversal: the customer's credit note that caused it

    @property
    def is_reversal(self) -> bool:
        return bool(self.reverses)

    @property
    def total(self) -> Money:
        return sum_of((line.amount for line in self.lines), self.currency)

    @property
    def payable_key(self) -> str:
        """The contracting side's posting key: the same number, booked as a bill."""
        return f"{self.number}/AP"


def intercompany_number(invoice_number: str, delivering: str) -> str:
    return f"{invoice_number}/IC-{delivering}"


def intercompany_charges(
    invoice: Invoice, delivered_by: Mapping[str, str], pricing: TransferPricing
) -> list[IntercompanyCharge]:
    """One charge per entity that delivered work billed on the finalised `invoice`.
    `delivered_by` maps a charge's source (its billable event) to the entity that delivered it;
    a source it does not name was delivered by the contracting entity itself."""
    assert invoice.number is not None and invoice.issued_on is not None
    contracting = invoice.legal_entity.code
    by_entity: dict[str, list[IntercompanyLine]] = {}
    for line in invoice.lines:
        for delivering, revenue in delivered_revenue(line, delivered_by, contracting).items():
            agreed = pricing.share(delivering, contracting)
            amount = in_minor_units(exact().multiply(revenue.amount, agreed), revenue.currency)
            by_entity.setdefault(delivering, []).append(
                IntercompanyLine(line.number, line.description, revenue, amount)
            )
    return [
        IntercompanyCharge(
            number=intercompany_number(str(invoice.number), delivering),
            invoice_id=invoice.id,
            invoice_number=str(invoice.number),
            engagement_id=invoice.engagement_id,
            delivering_legal_entity=delivering,
            contracting_legal_entity=contracting,
            issued_on=invoice.issued_on,
            currency=invoice.currency,
            share=pricing.share(delivering, contracting),
            lines=tuple(lines),
        )
        for delivering, lines in sorted(by_entity.items())
        if any(line.amount.is_positive() for line in lines)
    ]


def delivered_revenue(
    line: InvoiceLine, delivered_by: Mapping[str, str], contracting: str
) -> dict[str, Money]:
    """The line's net revenue per delivering entity other than the contracting one, in
    proportion to the charges each delivered (a discount shared the same way)."""
    if not line.amount.is_positive():
        return {}
    delivered: dict[str, Money] = {}
    for charge in line.charges:
        entity = delivered_by.get(charge.source_id, contracting)
        if entity != contracting:
            delivered[entity] = delivered.get(entity, zero(line)) + charge.amount
    return {entity: share(line.net, amount, line.amount) for entity, amount in delivered.items()}


def zero(line: InvoiceLine) -> Money:
    return Money.of(0, line.amount.currency)


def in_minor_units(amount: Decimal, currency: str) -> Money:
    """An amount times a share (both decimals: the product ends), rounded half up to the
    currency's minor unit."""
    return Money.of(rounded(amount, digits_of(currency)), currency)


def intercompany_reversal(
    charge: IntercompanyCharge,
    invoice: Invoice,
    note: CreditNote,
    earlier: Sequence[IntercompanyCharge],
) -> IntercompanyCharge | None:
    """The delivering entity's share of what `note` credits on its lines, reversed.

    As with a credit note's tax, the share is reckoned on everything credited on the line so
    far and rounded once, less what `earlier` reversals of the charge took: crediting the rest of
    a line reverses the rest of its charge exactly, and reversals never add up to more."""
    notes = invoice.credit_notes[: invoice.credit_notes.index(note) + 1]
    lines: list[IntercompanyLine] = []
    for line in charge.lines:
        invoiced = next(ln for ln in invoice.lines if ln.number == line.invoice_line).net
        now = credited(note, line.invoice_line, charge.currency)
        so_far = sum_of(
            (credited(n, line.invoice_line, charge.currency) for n in notes), charge.currency
        )
        if not now.is_positive() or not invoiced.is_positive():
            continue
        target = min(share(line.amount, so_far, invoiced), line.amount, key=amount_of)
        taken = sum_of(
            (
                r_line.amount
                for r in earlier
                for r_line in r.lines
                if r_line.invoice_line == line.invoice_line
            ),
            charge.currency,
        )
        amount = target - taken
        if amount.is_positive():
            lines.append(
                IntercompanyLine(line.invoice_line, f"Credit of {line.description}", now, amount)
            )
    if not lines:
        return None
    return IntercompanyCharge(
        number=intercompany_number(str(note.number), charge.delivering_legal_entity),
        invoice_id=charge.invoice_id,
        invoice_number=charge.invoice_number,
        engagement_id=charge.engagement_id,
        delivering_legal_entity=charge.delivering_legal_entity,
        contracting_legal_entity=charge.contracting_legal_entity,
        issued_on=note.issued_on,
        currency=charge.currency,
        share=charge.share,
        lines=tuple(lines),
        reverses=charge.number,
        credit_note_id=note.credit_note_id,
    )


def credited(note: CreditNote, invoice_line: int, currency: str) -> Money:
    return sum_of((ln.net for ln in note.lines if ln.invoice_line == invoice_line), currency)


def amount_of(money: Money) -> Decimal:
    return money.amount
