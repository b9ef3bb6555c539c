"""A work package's billing terms as the caller wrote them, read field by field into
`BillingTerms`; each refusal names the field under the caller's own prefix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal

from application.commands import MilestoneLine, RateEntry, TermsLine, TierLine
from application.parsing import (
    fields_renamed,
    fields_under,
    parse_date,
    parse_money,
    parse_quantity,
    required,
)
from domain.billing.methods import (
    BillingMethod,
    FixedFee,
    Milestone,
    Retainer,
    SubscriptionPlusServices,
    Tier,
    TimeAndMaterials,
    UnusedBalance,
    Usage,
)
from domain.billing.rate_card import BillingRateCard, Discount, Rate
from domain.billing.terms import BillingTerms, ExpensePolicy
from domain.engagement import Engagement
from domain.errors import InvalidField
from domain.money import Money
from domain.rate_card import RateCard
from domain.unit_price import UnitPrice

METHODS = (
    "time_and_materials",
    "fixed_fee",
    "retainer",
    "subscription_plus_services",
    "usage",
)


def terms_from(
    line: TermsLine,
    prefix: str,
    *,
    currency: str,
    start_date: dt.date,
    end_date: dt.date,
    flat_card: RateCard | None = None,
) -> BillingTerms:
    """`currency` and the dates are the engagement's, used where the line leaves them out;
    a line without rates is billed at the engagement's flat rate card."""
    currency = line.currency.strip() or currency
    with fields_under(prefix), rate_card_fields():
        return BillingTerms.agree(
            work_package_code=required(line.work_package_code, prefix + "work_package_code"),
            currency=currency,
            start_date=optional_date(line.start_date, prefix + "start_date") or start_date,
            end_date=optional_date(line.end_date, prefix + "end_date") or end_date,
            method=method_of(line, prefix, currency),
            rate_card=rate_card_of(line, prefix, start_date, flat_card),
            staffed_roles=tuple(line.staffed_roles),
            expenses=expense_policy(line, prefix),
        )


@contextmanager
def rate_card_fields() -> Iterator[None]:
    """The domain's rate card is the caller's `rates` and `discount_percent`."""
    with (  # the innermost renames first: the most particular is last
        fields_renamed("rate_card", "rates"),
        fields_renamed("rate_card.discount.percent", "discount_percent"),
        fields_renamed("rate_card.rates", "rates"),
    ):
        yield


def flat_terms(engagement: Engagement, code: str) -> BillingTerms:
    """Time and materials at the engagement's rate card: the terms of an engagement whose
    opportunity named no terms per work package."""
    return BillingTerms.agree(
        work_package_code=code,
        currency=engagement.currency,
        start_date=engagement.start_date,
        end_date=engagement.end_date,
        method=TimeAndMaterials(),
        rate_card=BillingRateCard.from_flat(engagement.rate_card, engagement.start_date),
    )


def method_of(line: TermsLine, prefix: str, currency: str) -> BillingMethod:
    method = required(line.method, prefix + "method")
    if method == "time_and_materials":
        cap = optional_money(line.cap, line.cap_currency or currency, prefix + "cap")
        return TimeAndMaterials(cap=cap)
    fee_currency = line.fee_currency or currency
    if method == "fixed_fee":
        fee = money(line.fee, fee_currency, prefix + "fee")
        return FixedFee(fee, milestones_of(line.milestones, prefix + "milestones"))
    if method == "retainer":
        fee = money(line.fee, fee_currency, prefix + "fee")
        return Retainer(fee, unused_balance(line.unused_balance, prefix + "unused_balance"))
    if method == "subscription_plus_services":
        cap = optional_money(line.cap, line.cap_currency or currency, prefix + "cap")
        fee = money(line.fee, fee_currency, prefix + "fee")
        return SubscriptionPlusServices(fee, TimeAndMaterials(cap))
    if method == "usage":
        included = line.included_quantity.strip() or "0"
        return Usage(
            parse_quantity(included, prefix + "included_quantity"),
            tiers_of(line.tiers, prefix + "tiers"),
        )
    raise InvalidField(f"method must be one of {', '.join(METHODS)}", field=prefix + "method")


def rate_card_of(
    line: TermsLine, prefix: str, start_date: dt.date, flat_card: RateCard | None
) -> BillingRateCard | None:
    discount = discount_of(line.discount_percent, prefix + "discount_percent")
    if line.rates:
        rates = tuple(rate_of(entry, f"{prefix}rates[{i}]") for i, entry in enumerate(line.rates))
        return BillingRateCard(rates, discount)
    if flat_card is None or not flat_card.rates:
        return None
    card = BillingRateCard.from_flat(flat_card, start_date)
    return BillingRateCard(card.rates, discount)


def rate_of(entry: RateEntry, where: str) -> Rate:
    return Rate(
        role=required(entry.role, where + ".role"),
        price=UnitPrice.parse(entry.price, entry.currency.strip(), where + ".price"),
        effective_from=parse_date(entry.effective_from, where + ".effective_from"),
        effective_until=optional_date(entry.effective_until, where + ".effective_until"),
    )


def discount_of(text: str, field_name: str) -> Discount | None:
    if not text.strip():
        return None
    try:
        return Discount(parse_quantity(text, field_name))
    except InvalidField as error:
        raise InvalidField(error.message, field=field_name) from None


def milestones_of(lines: Sequence[MilestoneLine], where: str) -> tuple[Milestone, ...]:
    return tuple(
        Milestone(
            code=required(line.code, f"{where}[{i}].code"),
            amount=parse_money(line.amount, line.currency, f"{where}[{i}].amount"),
            name=line.name.strip(),
        )
        for i, line in enumerate(lines)
    )


def tiers_of(lines: Sequence[TierLine], where: str) -> tuple[Tier, ...]:
    return tuple(
        Tier(
            up_to=parse_quantity(line.up_to, f"{where}[{i}].up_to") if line.up_to.strip() else None,
            price=UnitPrice.parse(line.price, line.currency.strip(), f"{where}[{i}].price"),
        )
        for i, line in enumerate(lines)
    )


def unused_balance(text: str, field_name: str) -> UnusedBalance:
    try:
        return UnusedBalance(required(text, field_name))
    except ValueError:
        raise InvalidField("unused_balance is expires or rolls_over", field=field_name) from None


def expense_policy(line: TermsLine, prefix: str) -> ExpensePolicy:
    markup = line.expense_markup_percent.strip() or "0"
    return ExpensePolicy(
        parse_quantity(markup, prefix + "expense_markup_percent"),
        {c.strip() for c in line.non_billable_categories if c.strip()},
    )


def money(amount: str, currency: str, field_name: str) -> Money:
    return parse_money(amount, currency, field_name)


def optional_money(amount: str, currency: str, field_name: str) -> Money | None:
    return None if not amount.strip() else parse_money(amount, currency, field_name)


def optional_date(text: str, field_name: str) -> dt.date | None:
    return None if not text.strip() else parse_date(text, field_name)


def decimal_or_zero(text: str, field_name: str) -> Decimal:
    return parse_quantity(text, field_name) if text.strip() else Decimal(0)
