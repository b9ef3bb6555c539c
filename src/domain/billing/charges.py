"""What rating makes of approved work: charges, billed or not, each traceable to its source."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal

from attrs import frozen

from domain.money import Money


class ChargeKind(enum.Enum):
    TIME = "time"
    EXPENSE = "expense"
    MILESTONE = "milestone"
    USAGE = "usage"
    PERIOD_FEE = "period_fee"
    RETAINER_OVERAGE = "retainer_overage"
    CAP_OVERAGE = "cap_overage"
    RETAINER_DRAWDOWN = "retainer_drawdown"
    RETAINER_EXPIRED = "retainer_expired"
    HELD_OVER_CAP = "held_over_cap"
    WRITTEN_OFF = "written_off"

    @property
    def is_billed(self) -> bool:
        return self not in NOT_BILLED


# Covered by a fee already billed, or awaiting or refused a decision: kept, never invoiced.
NOT_BILLED = frozenset(
    {
        ChargeKind.RETAINER_DRAWDOWN,
        ChargeKind.RETAINER_EXPIRED,
        ChargeKind.HELD_OVER_CAP,
        ChargeKind.WRITTEN_OFF,
    }
)


@frozen
class Charge:
    kind: ChargeKind
    source_id: str
    amount: Money
    quantity: Decimal = Decimal(1)

    @property
    def is_billed(self) -> bool:
        return self.kind.is_billed


def total(charges: Iterable[Charge], currency: str) -> Money:
    return sum((charge.amount for charge in charges), Money.of(0, currency))
