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
from collections.abc import Mapping
from decimal import Decimal

from attrs import frozen

from domain.errors import InvalidField
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
        for pair, share in {("*", "*"): self.default_share, **self.shares}.items():
            if not Decimal(0) < share <= Decimal(1):
                raise InvalidField(
                    f"the intercompany share {share} for {pair[0]} to {pair[1]} is not above 0 "
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
            share = pricing.share(delivering, contracting)
            amount = in_minor_units(exact().multiply(revenue.amount, share), revenue.currency)
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
    return {
        entity: in_minor_units(
            exact().divide(exact().multiply(line.net.amount, amount.amount), line.amount.amount),
            line.amount.currency,
        )
        for entity, amount in delivered.items()
    }


def zero(line: InvoiceLine) -> Money:
    return Money.of(0, line.amount.currency)


def in_minor_units(amount: Decimal, currency: str) -> Money:
    """A share of an amount, which may not end, rounded half up to the currency's minor unit."""
    return Money.of(rounded(amount, digits_of(currency)), currency)
