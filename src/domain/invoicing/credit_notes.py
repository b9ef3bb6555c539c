"""Credit notes: the whole of what is left of an invoice, or parts of its lines.

A line's tax is credited as the share of the line's tax that the credited net is of the line's
net, reckoned on everything credited so far and rounded once: crediting the rest of a line
credits the rest of its tax exactly, and the credits of a line never add up to more than it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from fractions import Fraction

from attrs import frozen

from domain.errors import CreditExceedsInvoice, CurrencyMismatch, InvalidField
from domain.invoicing.lines import InvoiceLine, sum_of
from domain.invoicing.numbering import DocumentNumber
from domain.invoicing.tax import TaxRate
from domain.money import Money


@frozen
class CreditLine:
    invoice_line: int
    net: Money
    tax: Money
    tax_rate: TaxRate
    source_ids: tuple[str, ...]
    releases_work: bool

    @property
    def total(self) -> Money:
        return self.net + self.tax


@frozen
class CreditNote:
    credit_note_id: str
    number: DocumentNumber
    invoice_id: str
    invoice_number: DocumentNumber
    issued_on: dt.date
    reason: str
    lines: tuple[CreditLine, ...]
    applied_to_invoice: Money
    left_as_credit: Money

    @property
    def currency(self) -> str:
        return self.applied_to_invoice.currency

    @property
    def net(self) -> Money:
        return sum_of((line.net for line in self.lines), self.currency)

    @property
    def tax(self) -> Money:
        return sum_of((line.tax for line in self.lines), self.currency)

    @property
    def total(self) -> Money:
        return self.net + self.tax

    @property
    def releases(self) -> tuple[str, ...]:
        """The events of lines credited in full: billable again once someone re-approves them."""
        ids = (i for line in self.lines if line.releases_work for i in line.source_ids)
        return tuple(dict.fromkeys(ids))

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line.tax_rate.note for line in self.lines if line.tax_rate.note))


@frozen
class Credited:
    """What a line has been credited so far."""

    net: Money
    tax: Money

    @classmethod
    def of(cls, line: InvoiceLine, credits: Iterable[CreditLine]) -> Credited:
        mine = [credit for credit in credits if credit.invoice_line == line.number]
        currency = line.net.currency
        return cls(sum_of((c.net for c in mine), currency), sum_of((c.tax for c in mine), currency))


def credit_line(line: InvoiceLine, before: Credited, net: Money | None) -> CreditLine:
    remaining = line.net - before.net
    net = remaining if net is None else net
    check_credit(line, net, remaining)
    after = before.net + net
    tax = share(line.tax, after, line.net) - before.tax
    return CreditLine(line.number, net, tax, line.tax_rate, line.source_ids, after == line.net)


def check_credit(line: InvoiceLine, net: Money, remaining: Money) -> None:
    where = f"credit_lines[{line.number}].net"
    if net.currency != remaining.currency:
        raise CurrencyMismatch(
            f"the credit is in {net.currency}, the invoice in {remaining.currency}",
            field=f"{where}.currency_code",
            keys={"left": net.currency, "right": remaining.currency},
        )
    if not net.is_positive():
        raise InvalidField(
            f"a credit is more than zero, not {net}",
            field=f"{where}.amount",
            keys={"line": str(line.number)},
        )
    if net.amount > remaining.amount:
        raise CreditExceedsInvoice(
            f"line {line.number} has {remaining} left to credit, not {net}",
            field=f"{where}.amount",
            keys={"line": str(line.number), "remaining": remaining.amount_text()},
        )


def share(whole: Money, part: Money, of: Money) -> Money:
    """`whole` x `part` / `of`, rounded half up to the minor unit."""
    exact = Fraction(whole.minor_units() * part.minor_units(), of.minor_units())
    units = int(exact + Fraction(1, 2)) if exact >= 0 else -int(-exact + Fraction(1, 2))
    return Money.from_minor_units(whole.currency, units)
