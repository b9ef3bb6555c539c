"""A control: two sets of documents compared by number and amount. Matched, missing on one
side, or different in amount; the totals of each side, per currency."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from attrs import frozen

from domain.money import Money


class VarianceKind(enum.Enum):
    MISSING_ON_LEFT = "missing_on_left"
    MISSING_ON_RIGHT = "missing_on_right"
    AMOUNT_DIFFERS = "amount_differs"


@frozen
class Variance:
    number: str
    kind: VarianceKind
    left: Money | None
    right: Money | None


@frozen
class Reconciliation:
    left: str  # what each side is, e.g. "dynamics365 primary" and "legacy shadow"
    right: str
    matched: int
    variances: tuple[Variance, ...]
    left_totals: Mapping[str, Money]
    right_totals: Mapping[str, Money]

    @property
    def balanced(self) -> bool:
        return not self.variances and dict(self.left_totals) == dict(self.right_totals)


def reconcile(
    left: Iterable[tuple[str, Money]], right: Iterable[tuple[str, Money]], names: tuple[str, str]
) -> Reconciliation:
    """Each side's documents by number; a number twice on one side is summed."""
    by_left, by_right = summed(left), summed(right)
    variances = [
        variance
        for number in sorted(by_left.keys() | by_right.keys())
        if (variance := compare(number, by_left.get(number), by_right.get(number))) is not None
    ]
    matched = len(by_left.keys() & by_right.keys()) - sum(
        1 for v in variances if v.kind is VarianceKind.AMOUNT_DIFFERS
    )
    return Reconciliation(
        names[0], names[1], matched, tuple(variances), totals(by_left), totals(by_right)
    )


def compare(number: str, left: Money | None, right: Money | None) -> Variance | None:
    if left is None:
        return Variance(number, VarianceKind.MISSING_ON_LEFT, None, right)
    if right is None:
        return Variance(number, VarianceKind.MISSING_ON_RIGHT, left, None)
    if left != right:
        return Variance(number, VarianceKind.AMOUNT_DIFFERS, left, right)
    return None


def summed(items: Iterable[tuple[str, Money]]) -> dict[str, Money]:
    by_number: dict[str, Money] = {}
    for number, amount in items:
        earlier = by_number.get(number)
        by_number[number] = amount if earlier is None else earlier + amount
    return by_number


def totals(by_number: Mapping[str, Money]) -> dict[str, Money]:
    by_currency: dict[str, Money] = {}
    for amount in by_number.values():
        earlier = by_currency.get(amount.currency)
        by_currency[amount.currency] = amount if earlier is None else earlier + amount
    return by_currency
