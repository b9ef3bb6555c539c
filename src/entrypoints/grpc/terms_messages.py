"""Billing terms between the API and the application: a work package's terms as the caller
wrote them (`TermsLine`), and as they are agreed (`BillingTerms`) for the engagement's answer."""

from __future__ import annotations

from google.protobuf.message import Message

from adapters.proto_values import date_message, money_message
from application.commands import (
    MilestoneLine,
    RateChangeLine,
    RateEntry,
    TermsChangeLine,
    TermsLine,
    TierLine,
)
from domain.billable_event import decimal_text
from domain.billing.methods import (
    BillingMethod,
    FixedFee,
    Retainer,
    SubscriptionPlusServices,
    TimeAndMaterials,
    UnusedBalance,
    Usage,
)
from domain.billing.rate_card import Rate
from domain.billing.terms import BillingTerms
from domain.engagement import BillingMethod as MethodName
from domain.money import Money
from entrypoints.grpc.presence import iso_date
from o2c.v1 import common_pb2, engagement_pb2

METHOD_NAMES = {
    method: engagement_pb2.BillingMethod.Value(f"BILLING_METHOD_{method.name}")
    for method in MethodName
}
METHODS_BY_NUMBER = {number: method for method, number in METHOD_NAMES.items()}
METHOD_OF_TERMS: dict[type, MethodName] = {
    TimeAndMaterials: MethodName.TIME_AND_MATERIALS,
    FixedFee: MethodName.FIXED_FEE,
    Retainer: MethodName.RETAINER,
    SubscriptionPlusServices: MethodName.SUBSCRIPTION_PLUS_SERVICES,
    Usage: MethodName.USAGE,
}
UNUSED_BALANCES = {
    engagement_pb2.UNUSED_BALANCE_EXPIRES: UnusedBalance.EXPIRES,
    engagement_pb2.UNUSED_BALANCE_ROLLS_OVER: UnusedBalance.ROLLS_OVER,
}
UNUSED_BALANCE_NUMBERS = {balance: number for number, balance in UNUSED_BALANCES.items()}


def method_name(number: int) -> str:
    method = METHODS_BY_NUMBER.get(number)
    return method.value if method else ""


def terms_line(terms: engagement_pb2.WorkPackageBillingTerms, where: str) -> TermsLine:
    """`where` is the terms' path in the request, e.g. "opportunity.billing_terms[0]."."""
    balance = UNUSED_BALANCES.get(terms.unused_balance)
    return TermsLine(
        work_package_code=terms.work_package_code,
        method=method_name(terms.method),
        currency=terms.currency_code,
        start_date=optional_date(terms, "start_date", where),
        end_date=optional_date(terms, "end_date", where),
        rates=tuple(rate_entry(rate, f"{where}rates[{i}].") for i, rate in enumerate(terms.rates)),
        discount_percent=terms.discount_percent,
        cap=terms.cap.amount,
        cap_currency=terms.cap.currency_code,
        fee=terms.fee.amount,
        fee_currency=terms.fee.currency_code,
        milestones=tuple(milestone_line(m) for m in terms.milestones),
        unused_balance=balance.value if balance else "",
        included_quantity=terms.included_quantity,
        tiers=tuple(TierLine(t.up_to, t.price, t.currency_code) for t in terms.tiers),
        expense_markup_percent=terms.expense_markup_percent,
        non_billable_categories=tuple(terms.non_billable_categories),
        staffed_roles=tuple(terms.staffed_roles),
    )


def rate_entry(rate: engagement_pb2.BillingRate, where: str) -> RateEntry:
    return RateEntry(
        role=rate.role,
        price=rate.price,
        currency=rate.currency_code,
        effective_from=iso_date(rate, "effective_from", where + "effective_from"),
        effective_until=optional_date(rate, "effective_until", where),
    )


def milestone_line(milestone: engagement_pb2.Milestone) -> MilestoneLine:
    return MilestoneLine(
        milestone.code, milestone.name, milestone.amount.amount, milestone.amount.currency_code
    )


def terms_change_line(change: engagement_pb2.TermsChange, where: str) -> TermsChangeLine:
    return TermsChangeLine(
        work_package_code=change.work_package_code,
        cap=change.cap.amount,
        cap_currency=change.cap.currency_code,
        fee=change.fee.amount,
        fee_currency=change.fee.currency_code,
        milestones=tuple(milestone_line(m) for m in change.milestones),
        rate_changes=tuple(
            RateChangeLine(
                role=rate.role,
                price=rate.price,
                currency=rate.currency_code,
                effective_from=iso_date(
                    rate, "effective_from", f"{where}rate_changes[{i}].effective_from"
                ),
            )
            for i, rate in enumerate(change.rate_changes)
        ),
    )


def optional_date(parent: Message, name: str, where: str) -> str:
    return iso_date(parent, name, where + name) if parent.HasField(name) else ""


def terms_message(terms: BillingTerms) -> engagement_pb2.WorkPackageBillingTerms:
    method = terms.method
    message = engagement_pb2.WorkPackageBillingTerms(
        work_package_code=terms.work_package_code,
        method=METHOD_NAMES[METHOD_OF_TERMS[type(method)]],
        currency_code=terms.currency,
        start_date=date_message(terms.start_date),
        end_date=date_message(terms.end_date),
        expense_markup_percent=decimal_text(terms.expenses.markup_percent),
        non_billable_categories=sorted(terms.expenses.non_billable),
    )
    card = terms.rate_card
    if card is not None:
        message.rates.extend(rate_message(rate) for rate in card.rates)
        message.discount_percent = decimal_text(card.discount.percent) if card.discount else ""
    fill_method(message, method)
    return message


def rate_message(rate: Rate) -> engagement_pb2.BillingRate:
    message = engagement_pb2.BillingRate(
        role=rate.role,
        price=rate.price.amount_text(),
        currency_code=rate.currency,
        effective_from=date_message(rate.effective_from),
    )
    if rate.effective_until is not None:
        message.effective_until.CopyFrom(date_message(rate.effective_until))
    return message


def fill_method(message: engagement_pb2.WorkPackageBillingTerms, method: BillingMethod) -> None:
    if isinstance(method, TimeAndMaterials | SubscriptionPlusServices):
        cap = method.cap if isinstance(method, TimeAndMaterials) else method.services.cap
        copy_money(message.cap, cap)
    if isinstance(method, FixedFee | Retainer | SubscriptionPlusServices):
        copy_money(message.fee, method.fee)
    if isinstance(method, FixedFee):
        message.milestones.extend(
            engagement_pb2.Milestone(code=m.code, name=m.name, amount=money_message(m.amount))
            for m in method.milestones
        )
    if isinstance(method, Retainer):
        message.unused_balance = UNUSED_BALANCE_NUMBERS[method.unused_balance]
    if isinstance(method, Usage):
        message.included_quantity = decimal_text(method.included)
        message.tiers.extend(
            engagement_pb2.UsageTier(
                up_to="" if tier.up_to is None else decimal_text(tier.up_to),
                price=tier.price.amount_text(),
                currency_code=tier.price.currency,
            )
            for tier in method.tiers
        )


def copy_money(target: common_pb2.Money, value: Money | None) -> None:
    if value is not None:
        target.CopyFrom(money_message(value))
