"""The billing methods a work package may be billed by, each checking its own figures."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from decimal import Decimal

from attrs import field, frozen

from domain.errors import CurrencyMismatch, InvalidField, MilestonesNotFee
from domain.money import Money, exact
from domain.unit_price import UnitPrice


def check_in(money: Money, currency: str, field_name: str) -> None:
    if money.currency != currency:
        raise CurrencyMismatch(
            f"{field_name} is in {money.currency}, the terms in {currency}",
            field=f"{field_name}.currency_code",
            keys={"left": money.currency, "right": currency},
        )


def check_positive(money: Money, field_name: str) -> None:
    if not money.is_positive():
        raise InvalidField(f"{field_name} must be more than zero", field=f"{field_name}.amount")


@frozen
class TimeAndMaterials:
    """Hours at the rate card; with a cap, work beyond it is held until someone decides."""

    cap: Money | None = None

    def __attrs_post_init__(self) -> None:
        if self.cap is not None:
            check_positive(self.cap, "cap")

    def check_currency(self, currency: str) -> None:
        if self.cap is not None:
            check_in(self.cap, currency, "cap")


@frozen
class Milestone:
    code: str
    amount: Money
    name: str = ""


def milestone_tuple(items: Iterable[Milestone]) -> tuple[Milestone, ...]:
    return tuple(items)


@frozen
class FixedFee:
    """A fee billed milestone by milestone; the milestones sum exactly to the fee."""

    fee: Money
    milestones: tuple[Milestone, ...] = field(converter=milestone_tuple)

    def __attrs_post_init__(self) -> None:
        check_positive(self.fee, "fee")
        check_milestones(self.milestones, self.fee)

    def check_currency(self, currency: str) -> None:
        check_in(self.fee, currency, "fee")

    def milestone(self, code: str) -> Milestone | None:
        return next((m for m in self.milestones if m.code == code), None)


def check_milestones(milestones: Sequence[Milestone], fee: Money) -> None:
    if not milestones:
        raise InvalidField("a fixed fee needs at least one milestone", field="milestones")
    codes: set[str] = set()
    for index, milestone in enumerate(milestones):
        where = f"milestones[{index}]"
        if not milestone.code or milestone.code in codes:
            raise InvalidField(
                f"milestone {milestone.code!r} is blank or twice", field=f"{where}.code"
            )
        check_in(milestone.amount, fee.currency, f"{where}.amount")
        check_positive(milestone.amount, f"{where}.amount")
        codes.add(milestone.code)
    total = sum((m.amount for m in milestones), Money.of(0, fee.currency))
    if total != fee:
        raise MilestonesNotFee(
            f"the milestones sum to {total}, the fee is {fee}",
            field="milestones",
            keys={"milestones_total": total.amount_text(), "fee": fee.amount_text()},
        )


class UnusedBalance(enum.Enum):
    EXPIRES = "expires"
    ROLLS_OVER = "rolls_over"


@frozen
class Retainer:
    """A fee each period buys a balance that approved time draws down; beyond it, overage."""

    fee: Money
    unused_balance: UnusedBalance

    def __attrs_post_init__(self) -> None:
        check_positive(self.fee, "fee")

    def check_currency(self, currency: str) -> None:
        check_in(self.fee, currency, "fee")


@frozen
class SubscriptionPlusServices:
    """A fee each period, and services billed as time and materials."""

    fee: Money
    services: TimeAndMaterials = TimeAndMaterials()

    def __attrs_post_init__(self) -> None:
        check_positive(self.fee, "fee")

    def check_currency(self, currency: str) -> None:
        check_in(self.fee, currency, "fee")
        self.services.check_currency(currency)


@frozen
class Tier:
    """A price for each unit used in a period up to `up_to` units in all (None: no limit)."""

    up_to: Decimal | None
    price: UnitPrice


def tier_tuple(items: Iterable[Tier]) -> tuple[Tier, ...]:
    return tuple(items)


@frozen
class Usage:
    """An included quantity each period, then tiered prices, each tier starting where the
    last one ends: the cost of the period's usage has no jumps."""

    included: Decimal = field(converter=Decimal)
    tiers: tuple[Tier, ...] = field(converter=tier_tuple)

    def __attrs_post_init__(self) -> None:
        check_tiers(self.included, self.tiers)

    def check_currency(self, currency: str) -> None:
        for index, tier in enumerate(self.tiers):
            if tier.price.currency != currency:
                raise CurrencyMismatch(
                    f"tier {index} is priced in {tier.price.currency}, the terms in {currency}",
                    field=f"tiers[{index}].price.currency_code",
                )

    def exact_cost(self, quantity: Decimal) -> Decimal:
        """What `quantity` units in one period cost, unrounded."""
        cost, floor = Decimal(0), self.included
        for tier in self.tiers:
            ceiling = quantity if tier.up_to is None else min(quantity, tier.up_to)
            if ceiling > floor:
                cost = exact().add(cost, exact().multiply(ceiling - floor, tier.price.amount))
            floor = floor if tier.up_to is None else tier.up_to
        return cost

    def charge(self, used_before: Decimal, quantity: Decimal, currency: str) -> Money:
        """The units from `used_before` to `used_before + quantity`, rounded once."""
        after = exact().add(used_before, quantity)
        return Money.of(
            exact().subtract(self.exact_cost(after), self.exact_cost(used_before)), currency
        )


def check_tiers(included: Decimal, tiers: Sequence[Tier]) -> None:
    if not (included.is_finite() and included >= 0):
        raise InvalidField("the included quantity is zero or more", field="included")
    if not tiers:
        raise InvalidField("usage needs at least one price tier", field="tiers")
    floor = included
    for index, tier in enumerate(tiers):
        last = index == len(tiers) - 1
        if tier.price.amount < 0:
            raise InvalidField(
                "a tier's price is zero or more", field=f"tiers[{index}].price.amount"
            )
        if last and tier.up_to is not None:
            raise InvalidField("the last tier has no upper limit", field=f"tiers[{index}].up_to")
        if not last and (tier.up_to is None or not tier.up_to.is_finite() or tier.up_to <= floor):
            raise InvalidField(
                "each tier ends above the included quantity and the tier before it",
                field=f"tiers[{index}].up_to",
            )
        floor = tier.up_to if tier.up_to is not None else floor


BillingMethod = TimeAndMaterials | FixedFee | Retainer | SubscriptionPlusServices | Usage
