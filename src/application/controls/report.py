"""A control's report: what each side is, how many keys matched, and each variance with its
business key and what each side holds. An amount is a decimal in a unit: a currency, or hours."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal

from attrs import frozen

from domain.money import Money


class Control(enum.Enum):
    PSA_VS_BILLING = "psa_vs_billing"
    BILLING_VS_ERP = "billing_vs_erp"
    PAYMENTS_VS_CRM = "payments_vs_crm"
    DUAL_WRITE = "dual_write"


class VarianceKind(enum.Enum):
    MISSING_ON_LEFT = "missing_on_left"
    MISSING_ON_RIGHT = "missing_on_right"
    AMOUNT_DIFFERS = "amount_differs"
    STATUS_DIFFERS = "status_differs"


@frozen
class Measure:
    amount: Decimal
    unit: str  # an ISO-4217 currency, or "h" for hours, or "milestone"
    status: str = ""  # what the side says of it, where a status is compared too

    @classmethod
    def of(cls, money: Money, status: str = "") -> Measure:
        return cls(money.amount, money.currency, status)

    def text(self) -> str:
        shown = f"{self.amount} {self.unit}"
        return f"{shown} ({self.status})" if self.status else shown


@frozen
class ControlVariance:
    business_key: str
    kind: VarianceKind
    left: Measure | None
    right: Measure | None

    def describe(self, left: str, right: str) -> str:
        held = (
            self.left.text() if self.left else "nothing",
            self.right.text() if self.right else "nothing",
        )
        return f"{self.business_key}: {left} has {held[0]}, {right} has {held[1]}"


@frozen
class ControlReport:
    control: Control
    legal_entity_code: str  # "" for every legal entity
    left: str  # what each side is, e.g. "PSA approved work" and "o2c billable events"
    right: str
    matched: int
    variances: tuple[ControlVariance, ...]
    ran_at: dt.datetime
    parked: int = 0  # exceptions parked by this run; a variance already open is not parked again
    note: str = ""  # why part of it was not compared, e.g. an ERP that could not be read

    @property
    def balanced(self) -> bool:
        return not self.variances


def compare(
    left: Mapping[str, Measure], right: Mapping[str, Measure]
) -> tuple[int, list[ControlVariance]]:
    """Each key on either side: matched when both hold the same measure."""
    variances = [
        variance
        for key in sorted(left.keys() | right.keys())
        if (variance := judged(key, left.get(key), right.get(key))) is not None
    ]
    return len(left.keys() | right.keys()) - len(variances), variances


def judged(key: str, left: Measure | None, right: Measure | None) -> ControlVariance | None:
    if left is None:
        return ControlVariance(key, VarianceKind.MISSING_ON_LEFT, None, right)
    if right is None:
        return ControlVariance(key, VarianceKind.MISSING_ON_RIGHT, left, None)
    if (left.amount, left.unit) != (right.amount, right.unit):
        return ControlVariance(key, VarianceKind.AMOUNT_DIFFERS, left, right)
    if left.status != right.status:
        return ControlVariance(key, VarianceKind.STATUS_DIFFERS, left, right)
    return None


def summed(items: Iterable[tuple[str, Money]]) -> dict[str, Measure]:
    """A key twice on one side is added up (an ERP reporting a document in two parts)."""
    by_key: dict[str, Money] = {}
    for key, amount in items:
        earlier = by_key.get(key)
        by_key[key] = amount if earlier is None else earlier + amount
    return {key: Measure.of(amount) for key, amount in by_key.items()}
