"""A closed-won opportunity's terms, read field by field into a new engagement."""

from __future__ import annotations

from application.commands import CreateServiceEngagement, RateLine, WorkPackageLine
from application.parsing import fields_under, parse_date, parse_money, required
from domain.engagement import BillingMethod, Engagement, WorkPackage
from domain.errors import InvalidField
from domain.money import check_currency
from domain.rate_card import RateCard, RoleRate

PREFIX = "opportunity."


def engagement_from(cmd: CreateServiceEngagement, engagement_id: str) -> Engagement:
    currency = check_currency(
        required(cmd.currency, PREFIX + "currency_code"), PREFIX + "currency_code"
    )
    rates = tuple(role_rate(line, index) for index, line in enumerate(cmd.rate_card))
    start = parse_date(cmd.start_date, PREFIX + "start_date")
    end = parse_date(cmd.end_date, PREFIX + "end_date")
    value = parse_money(
        cmd.contract_value_amount, cmd.contract_value_currency, PREFIX + "contract_value"
    )
    with fields_under(PREFIX):
        return Engagement.open(
            engagement_id=engagement_id,
            opportunity_id=required(cmd.opportunity_id, PREFIX + "opportunity_id"),
            account_id=required(cmd.account_id, PREFIX + "account_id"),
            account_name=required(cmd.account_name, PREFIX + "account_name"),
            legal_entity_code=required(cmd.legal_entity_code, PREFIX + "legal_entity_code"),
            billing_method=billing_method(cmd.billing_method),
            rate_card=RateCard(currency, rates),
            start_date=start,
            end_date=end,
            contract_value=value,
            work_packages=[
                work_package(line, index) for index, line in enumerate(cmd.work_packages)
            ],
        )


def billing_method(value: str) -> BillingMethod:
    if not value.strip():
        required(value, PREFIX + "billing_method")
    try:
        return BillingMethod(value)
    except ValueError:
        raise InvalidField(
            "billing_method must be time and materials", field=PREFIX + "billing_method"
        ) from None


def role_rate(line: RateLine, index: int) -> RoleRate:
    field = f"{PREFIX}rate_card[{index}]"
    return RoleRate(
        role=required(line.role, field + ".role"),
        hourly_rate=parse_money(line.amount, line.currency, field + ".hourly_rate"),
    )


def work_package(line: WorkPackageLine, index: int) -> WorkPackage:
    field = f"{PREFIX}work_packages[{index}]"
    return WorkPackage(
        code=required(line.code, field + ".code"),
        name=required(line.name, field + ".name"),
        region=required(line.region, field + ".region"),
    )
