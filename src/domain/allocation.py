"""Splitting an amount by ratios so that the parts always sum to the whole."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from domain.errors import InvalidField
from domain.money import MAX_MAGNITUDE, Money

Ratio = Decimal | int


def allocate(amount: Money, ratios: Sequence[Ratio]) -> list[Money]:
    """Parts that sum exactly to `amount`, each within one minor unit of its exact share.

    Largest remainder: every part gets the floor of its share, and the units left over go one
    each to the largest remainders, ties to the earliest. A negative amount is split as its
    magnitude and negated, so a credit mirrors the invoice it reverses.
    """
    shares = exact_shares(ratios)
    units = amount.minor_units()
    parts = largest_remainder(abs(units), shares)
    sign = -1 if units < 0 else 1
    return [Money.from_minor_units(amount.currency, sign * part) for part in parts]


def exact_shares(ratios: Sequence[Ratio]) -> list[Fraction]:
    if not ratios:
        raise InvalidField("at least one ratio is required", field="ratios")
    fractions = [Fraction(check_ratio(ratio)) for ratio in ratios]
    total = sum(fractions, Fraction(0))
    if total == 0:
        raise InvalidField("at least one ratio must be more than zero", field="ratios")
    return [fraction / total for fraction in fractions]


def check_ratio(ratio: Ratio) -> Ratio:
    number = Decimal(ratio) if isinstance(ratio, int | Decimal) else Decimal("NaN")
    valid = number.is_finite() and number >= 0 and abs(number.adjusted()) <= MAX_MAGNITUDE
    if not valid:
        raise InvalidField(f"ratio {ratio} must be a number of zero or more", field="ratios")
    return ratio


def largest_remainder(units: int, shares: list[Fraction]) -> list[int]:
    exact = [units * share for share in shares]
    parts = [int(share) for share in exact]  # floors: units and shares are never negative
    left_over = units - sum(parts)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for index in by_remainder[:left_over]:
        parts[index] += 1
    return parts
