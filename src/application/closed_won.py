"""A closed-won opportunity's terms, read field by field into a new engagement."""

from __future__ import annotations

from application.billing_terms import flat_terms, terms_from
from application.commands import CreateServiceEngagement, RateLine, WorkPackageLine
from application.parsing import fields_under, parse_date, parse_money, parse_quantity, required
from domain.billing.agreement import BillingAgreement
from domain.billing.terms import BillingTerms
from domain.engagement import BillingMethod, Engagement, WorkPackage
from domain.errors import InvalidField
from domain.money import check_currency
from domain.rate_card import RateCard, RoleRate
from domain.unit_price import UnitPrice

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
                work_package(line, f"{PREFIX}work_packages[{index}]")
                for index, line in enumerate(cmd.work_packages)
            ],
            customer_country=cmd.customer_country.strip(),
            customer_vat_number=cmd.customer_vat_number.strip(),
            payment_terms_days=payment_terms_days(cmd.payment_terms_days),
        )


def agreement_from(cmd: CreateServiceEngagement, engagement: Engagement) -> BillingAgreement:
    """Terms per work package as the opportunity gives them; without any, every work package
    is billed time and materials at the rate card."""
    check_rates_price(engagement)
    if not cmd.billing_terms:
        return BillingAgreement.open(
            engagement.id, [flat_terms(engagement, wp.code) for wp in engagement.work_packages]
        )
    terms = [
        terms_from(
            line,
            f"{PREFIX}billing_terms[{index}].",
            currency=engagement.currency,
            start_date=engagement.start_date,
            end_date=engagement.end_date,
            flat_card=engagement.rate_card,
        )
        for index, line in enumerate(cmd.billing_terms)
    ]
    check_terms_cover_packages(terms, engagement)
    with fields_under(PREFIX):
        return BillingAgreement.open(engagement.id, terms)


def check_rates_price(engagement: Engagement) -> None:
    """Every rate must also be a unit price, the form rating reads it in."""
    for index, line in enumerate(engagement.rate_card.rates):
        try:
            UnitPrice.of_money(line.hourly_rate)
        except InvalidField as error:
            raise InvalidField(
                error.message, field=f"{PREFIX}rate_card[{index}].hourly_rate.amount"
            ) from None


def check_terms_cover_packages(terms: list[BillingTerms], engagement: Engagement) -> None:
    codes = {wp.code for wp in engagement.work_packages}
    for index, item in enumerate(terms):
        if item.work_package_code not in codes:
            raise InvalidField(
                f"work package {item.work_package_code!r} is not on the engagement",
                field=f"{PREFIX}billing_terms[{index}].work_package_code",
                keys={"work_package": item.work_package_code},
            )
    missing = sorted(codes - {item.work_package_code for item in terms})
    if missing:
        raise InvalidField(
            f"work package {missing[0]!r} has no billing terms",
            field=f"{PREFIX}billing_terms",
            keys={"work_package": missing[0]},
        )


def payment_terms_days(text: str) -> int:
    if not text.strip():
        return 30
    days = parse_quantity(text, PREFIX + "payment_terms_days")
    if days != days.to_integral_value():
        raise InvalidField(
            "payment_terms_days is a whole number of days", field=PREFIX + "payment_terms_days"
        )
    return int(days)


def billing_method(value: str) -> BillingMethod:
    if not value.strip():
        required(value, PREFIX + "billing_method")
    try:
        return BillingMethod(value)
    except ValueError:
        names = ", ".join(method.value for method in BillingMethod)
        raise InvalidField(
            f"billing_method must be one of {names}", field=PREFIX + "billing_method"
        ) from None


def role_rate(line: RateLine, index: int) -> RoleRate:
    field = f"{PREFIX}rate_card[{index}]"
    return RoleRate(
        role=required(line.role, field + ".role"),
        hourly_rate=parse_money(line.amount, line.currency, field + ".hourly_rate"),
    )


def work_package(line: WorkPackageLine, field: str) -> WorkPackage:
    """`field`: where the caller sent it, e.g. `opportunity.work_packages[1]`."""
    return WorkPackage(
        code=required(line.code, field + ".code"),
        name=required(line.name, field + ".name"),
        region=required(line.region, field + ".region"),
        delivering_legal_entity_code=line.delivering_legal_entity_code.strip(),
    )
