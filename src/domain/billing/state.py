"""The running state rating reads and replaces: cap used, held work, retainer balance, usage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from attrs import evolve, frozen

from domain.errors import NotFound
from domain.money import Money


@frozen(order=True)
class Period:
    """A calendar month: the period of retainer and subscription fees and of included usage."""

    year: int
    month: int

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@frozen
class OverCapHold:
    """Work beyond a not-to-exceed cap, waiting to be approved as overage or written off."""

    source_id: str
    amount: Money
    hours: Decimal


@frozen
class TermsState:
    cap_used: Money
    retainer_balance: Money
    held: tuple[OverCapHold, ...] = ()
    fee_periods: frozenset[Period] = frozenset()
    usage: tuple[tuple[Period, Decimal], ...] = ()
    completed_milestones: frozenset[str] = frozenset()

    @classmethod
    def start(cls, currency: str) -> TermsState:
        return cls(cap_used=Money.of(0, currency), retainer_balance=Money.of(0, currency))

    def used_in(self, period: Period) -> Decimal:
        return next((quantity for p, quantity in self.usage if p == period), Decimal(0))

    def with_usage(self, period: Period, quantity: Decimal) -> TermsState:
        others = tuple((p, q) for p, q in self.usage if p != period)
        return evolve(self, usage=(*others, (period, quantity)))

    def hold(self, source_id: str) -> OverCapHold:
        for held in self.held:
            if held.source_id == source_id:
                return held
        raise NotFound(
            f"no work from {source_id!r} is held over the cap",
            field="source_id",
            keys={"source_id": source_id},
        )

    def without_hold(self, source_id: str) -> TermsState:
        return evolve(self, held=tuple(h for h in self.held if h.source_id != source_id))
