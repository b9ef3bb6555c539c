"""Invoice lines: rated charges billed together, taxed and rounded on the line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet

from attrs import evolve, frozen

from domain.billing.charges import Charge, ChargeKind
from domain.errors import CurrencyMismatch, InvalidField
from domain.invoicing.tax import TaxRate
from domain.money import Money, check_size, digits_of, exact, zero_in


@frozen
class InvoiceLine:
    """`amount` is what the charges sum to; `discount` its share of an invoice discount; tax is
    on the net, rounded here once. Each line names the charges, so the events, it bills."""

    number: int
    description: str
    service_type: str
    charges: tuple[Charge, ...]
    tax_rate: TaxRate
    amount: Money
    discount: Money
    tax: Money

    @classmethod
    def of(
        cls,
        number: int,
        description: str,
        service_type: str,
        charges: tuple[Charge, ...],
        tax_rate: TaxRate,
        discount: Money | None = None,
    ) -> InvoiceLine:
        amount = sum_of((c.amount for c in charges), charges[0].amount.currency)
        discount = discount or zero_in(amount.currency)
        tax = tax_rate.tax_on(amount - discount)
        return cls(number, description, service_type, charges, tax_rate, amount, discount, tax)

    @property
    def net(self) -> Money:
        return self.amount - self.discount

    @property
    def total(self) -> Money:
        return self.net + self.tax

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(charge.source_id for charge in self.charges))

    def discounted(self, discount: Money) -> InvoiceLine:
        return evolve(self, discount=discount, tax=self.tax_rate.tax_on(self.amount - discount))


def sum_of(moneys: Iterable[Money], currency: str) -> Money:
    """Added as Decimals, each partial sum held to an amount's size, and built once."""
    zero = zero_in(currency)
    total, digits = zero.amount, digits_of(currency)
    for money in moneys:
        zero.check_same_currency(money)
        total = exact().add(total, money.amount)
        check_size(total, digits, currency)
    return Money(currency, total)


@frozen
class LineSums:
    """What an invoice's lines add up to."""

    lines: tuple[InvoiceLine, ...]
    amount: Money
    net: Money
    tax: Money
    total: Money

    @classmethod
    def of(cls, lines: tuple[InvoiceLine, ...], currency: str) -> LineSums:
        amount = sum_of((line.amount for line in lines), currency)
        net = amount - sum_of((line.discount for line in lines), currency)
        tax = sum_of((line.tax for line in lines), currency)
        return cls(lines, amount, net, tax, net + tax)

    def are_of(self, lines: tuple[InvoiceLine, ...], currency: str) -> bool:
        return self.lines is lines and self.amount.currency == currency


ChargeKey = tuple[str, ChargeKind]


def key_of(charge: Charge) -> ChargeKey:
    return (charge.source_id, charge.kind)


def check_charges(
    charges: Sequence[Charge], currency: str, billed: AbstractSet[ChargeKey]
) -> set[ChargeKey]:
    """Billed kinds only, in the invoice's currency, each charge once on the invoice (`billed`
    holds those on it already): the keys of `charges`, which are new to it."""
    new: set[ChargeKey] = set()
    if not charges:
        raise InvalidField("a line bills at least one charge", field="charges")
    for index, charge in enumerate(charges):
        where = f"charges[{index}]"
        if not charge.is_billed:
            raise InvalidField(
                f"a {charge.kind.value} charge is never invoiced",
                field=f"{where}.kind",
                keys={"source_id": charge.source_id},
            )
        if charge.amount.currency != currency:
            raise CurrencyMismatch(
                f"the charge is in {charge.amount.currency}, the invoice in {currency}",
                field=f"{where}.amount.currency_code",
                keys={"left": charge.amount.currency, "right": currency},
            )
        if not charge.amount.is_positive():
            raise InvalidField("a billed charge is more than zero", field=f"{where}.amount")
        if key_of(charge) in billed or key_of(charge) in new:
            raise InvalidField(
                f"{charge.source_id} ({charge.kind.value}) is on this invoice already",
                field=f"{where}.source_id",
                keys={"source_id": charge.source_id},
            )
        new.add(key_of(charge))
    return new
