"""Validating a closed-won opportunity into a new engagement, field by field."""

from __future__ import annotations

from application.commands import CreateServiceEngagement
from application.parsing import parse_date, required
from domain.engagement import BillingMethod, Engagement, WorkPackage
from domain.errors import InvalidField
from domain.money import Money, check_currency
from domain.rate_card import RateCard, RoleRate

PREFIX = "opportunity."


def new_engagement(cmd: CreateServiceEngagement, engagement_id: str) -> Engagement:
    currency = check_currency(
        required(cmd.currency, PREFIX + "currency_code"), PREFIX + "currency_code"
    )
    start = parse_date(cmd.start_date, PREFIX + "start_date")
    end = parse_date(cmd.end_date, PREFIX + "end_date")
    if end < start:
        raise InvalidField("end_date is before start_date", field=PREFIX + "end_date")
    return Engagement(
        id=engagement_id,
        opportunity_id=required(cmd.opportunity_id, PREFIX + "opportunity_id"),
        account_id=required(cmd.account_id, PREFIX + "account_id"),
        account_name=required(cmd.account_name, PREFIX + "account_name"),
        legal_entity_code=required(cmd.legal_entity_code, PREFIX + "legal_entity_code"),
        currency=currency,
        billing_method=billing_method(cmd.billing_method),
        rate_card=rate_card(cmd, currency),
        start_date=start,
        end_date=end,
        contract_value=contract_value(cmd, currency),
        work_packages=work_packages(cmd),
    )


def billing_method(value: str) -> BillingMethod:
    try:
        return BillingMethod(value)
    except ValueError:
        raise InvalidField(
            "billing_method must be time and materials", field=PREFIX + "billing_method"
        ) from None


def contract_value(cmd: CreateServiceEngagement, currency: str) -> Money:
    field = PREFIX + "contract_value"
    value = Money.parse(cmd.contract_value_amount, cmd.contract_value_currency, field)
    if value.currency != currency:
        raise InvalidField(
            f"contract value is in {value.currency}, the engagement in {currency}",
            field=field + ".currency_code",
        )
    if value.is_negative():
        raise InvalidField("contract value must not be negative", field=field + ".amount")
    return value


def rate_card(cmd: CreateServiceEngagement, currency: str) -> RateCard:
    if not cmd.rate_card:
        raise InvalidField(
            "a rate card with at least one role is required", field=PREFIX + "rate_card"
        )
    lines = []
    for index, line in enumerate(cmd.rate_card):
        field = f"{PREFIX}rate_card[{index}]"
        role = required(line.role, field + ".role")
        lines.append(
            RoleRate(role, Money.parse(line.amount, line.currency, field + ".hourly_rate"))
        )
    try:
        return RateCard(currency, tuple(lines))
    except InvalidField as error:
        raise InvalidField(error.message, field=PREFIX + error.field) from None


def work_packages(cmd: CreateServiceEngagement) -> list[WorkPackage]:
    if not cmd.work_packages:
        raise InvalidField("at least one work package is required", field=PREFIX + "work_packages")
    packages: list[WorkPackage] = []
    for index, line in enumerate(cmd.work_packages):
        field = f"{PREFIX}work_packages[{index}]"
        code = required(line.code, field + ".code")
        if any(wp.code == code for wp in packages):
            raise InvalidField(f"work package {code!r} appears twice", field=field + ".code")
        packages.append(
            WorkPackage(
                code, required(line.name, field + ".name"), required(line.region, field + ".region")
            )
        )
    return packages
