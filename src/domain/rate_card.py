"""A rate card: each role's hourly rate in the engagement's currency."""

from __future__ import annotations

from attrs import frozen

from domain.errors import InvalidField, RoleNotOnRateCard
from domain.money import Money


@frozen
class RoleRate:
    role: str
    hourly_rate: Money


@frozen
class RateCard:
    currency: str
    rates: tuple[RoleRate, ...]

    def __attrs_post_init__(self) -> None:
        self.check_rates()

    def check_rates(self) -> None:
        seen: set[str] = set()
        for index, line in enumerate(self.rates):
            field = f"rate_card[{index}]"
            if line.role in seen:
                raise InvalidField(f"role {line.role!r} appears twice", field=field + ".role")
            if line.hourly_rate.currency != self.currency:
                raise InvalidField(
                    f"rate for {line.role!r} is in {line.hourly_rate.currency}, "
                    f"the engagement in {self.currency}",
                    field=field + ".hourly_rate.currency_code",
                )
            if not line.hourly_rate.is_positive():
                raise InvalidField(
                    "hourly rate must be positive", field=field + ".hourly_rate.amount"
                )
            seen.add(line.role)

    def rate_for(self, role: str) -> Money:
        for line in self.rates:
            if line.role == role:
                return line.hourly_rate
        raise RoleNotOnRateCard(
            f"role {role!r} is not on the engagement's rate card",
            field="time_entry.role",
            keys={"role": role},
        )
