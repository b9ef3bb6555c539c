"""Billing values as JSON columns: money and decimals only ever as decimal strings, and every
value rebuilt through its constructor, so a stored value that is not exact, or no longer
valid, is refused on reading, naming its column, instead of being rounded or trusted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from sqlalchemy import JSON, Dialect
from sqlalchemy.types import TypeDecorator

from adapters.persistence.column_types import NotExactlyStored
from domain.billing.agreement import Amendment
from domain.billing.amendments import RateChange, TermsChange
from domain.billing.charges import Charge, ChargeKind
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
from domain.billing.state import OverCapHold, Period, TermsState
from domain.billing.terms import BillingTerms, ExpensePolicy
from domain.billing.work import (
    ExpenseIncurred,
    MilestoneCompleted,
    PeriodBegan,
    TimeWorked,
    UsageRecorded,
    Work,
)
from domain.errors import DomainError
from domain.invoicing.credit_notes import CreditLine, CreditNote
from domain.invoicing.lines import InvoiceLine
from domain.invoicing.numbering import DocumentNumber, Series
from domain.invoicing.payment_terms import PaymentTerms
from domain.invoicing.payments import Payment, PaymentApplication
from domain.invoicing.tax import Customer, LegalEntity, TaxRate, TaxTreatment
from domain.money import Money, parse_decimal
from domain.unit_price import UnitPrice

T = TypeVar("T")
Json = Any
UNREADABLE = (DomainError, KeyError, TypeError, ValueError, InvalidOperation, AttributeError)


class BillingJson(TypeDecorator[Any]):
    """A JSON column written by `write` and read back by `read`; SQL NULL for None."""

    impl = JSON(none_as_null=True)
    cache_ok = True

    def __init__(
        self, column: str, write: Callable[[Any], Json], read: Callable[[Json], Any]
    ) -> None:
        super().__init__()
        self.column = column
        self.write = write
        self.read = read

    def process_bind_param(self, value: Any, dialect: Dialect) -> Json:
        return None if value is None else self.write(value)

    def process_result_value(self, value: Json, dialect: Dialect) -> Any:
        if value is None:
            return None
        try:
            return self.read(value)
        except UNREADABLE as error:
            raise NotExactlyStored(self.column, value, f"not a valid value ({error})") from None


# Plain values: text, whole numbers, dates, decimal strings.


def text(value: Json) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def whole(value: Json) -> int:
    if type(value) is not int:
        raise TypeError(f"{value!r} is not a whole number")
    return value


def flag(value: Json) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{value!r} is not true or false")
    return value


def decimal_text(value: Decimal) -> str:
    return f"{value:f}"


def decimal(value: Json) -> Decimal:
    """Plain decimal text only: a float or an exponent is never read as a number."""
    return parse_decimal(text(value), "decimal")


def day_text(value: dt.date) -> str:
    return value.isoformat()


def day(value: Json) -> dt.date:
    return dt.date.fromisoformat(text(value))


def optional(read: Callable[[Json], T], value: Json) -> T | None:
    return None if value is None else read(value)


def each(read: Callable[[Json], T], values: Json) -> tuple[T, ...]:
    if not isinstance(values, list):
        raise TypeError(f"{values!r} is not a list")
    return tuple(read(value) for value in values)


def money_json(money: Money) -> Json:
    return {"currency": money.currency, "amount": money.amount_text()}


def money(value: Json) -> Money:
    return Money(text(value["currency"]), decimal(value["amount"]))


def optional_money_json(money: Money | None) -> Json:
    return None if money is None else money_json(money)


def unit_price_json(price: UnitPrice) -> Json:
    return {"currency": price.currency, "amount": price.amount_text()}


def unit_price(value: Json) -> UnitPrice:
    return UnitPrice(text(value["currency"]), decimal(value["amount"]))


# Billing terms: the method, the rate card, the expense policy.


def milestone_json(milestone: Milestone) -> Json:
    return {"code": milestone.code, "amount": money_json(milestone.amount), "name": milestone.name}


def milestone(value: Json) -> Milestone:
    return Milestone(text(value["code"]), money(value["amount"]), text(value["name"]))


def tier_json(tier: Tier) -> Json:
    up_to = None if tier.up_to is None else decimal_text(tier.up_to)
    return {"up_to": up_to, "price": unit_price_json(tier.price)}


def tier(value: Json) -> Tier:
    return Tier(optional(decimal, value["up_to"]), unit_price(value["price"]))


def time_and_materials_json(method: TimeAndMaterials) -> Json:
    return {"method": "time_and_materials", "cap": optional_money_json(method.cap)}


def method_json(method: BillingMethod) -> Json:
    if isinstance(method, TimeAndMaterials):
        return time_and_materials_json(method)
    if isinstance(method, FixedFee):
        milestones = [milestone_json(m) for m in method.milestones]
        return {"method": "fixed_fee", "fee": money_json(method.fee), "milestones": milestones}
    if isinstance(method, Retainer):
        unused = method.unused_balance.value
        return {"method": "retainer", "fee": money_json(method.fee), "unused_balance": unused}
    if isinstance(method, SubscriptionPlusServices):
        services = time_and_materials_json(method.services)
        fee = money_json(method.fee)
        return {"method": "subscription_plus_services", "fee": fee, "services": services}
    tiers = [tier_json(t) for t in method.tiers]
    return {"method": "usage", "included": decimal_text(method.included), "tiers": tiers}


def time_and_materials(value: Json) -> TimeAndMaterials:
    return TimeAndMaterials(optional(money, value["cap"]))


METHODS: dict[str, Callable[[Json], BillingMethod]] = {
    "time_and_materials": time_and_materials,
    "fixed_fee": lambda v: FixedFee(money(v["fee"]), each(milestone, v["milestones"])),
    "retainer": lambda v: Retainer(money(v["fee"]), UnusedBalance(text(v["unused_balance"]))),
    "subscription_plus_services": lambda v: SubscriptionPlusServices(
        money(v["fee"]), time_and_materials(v["services"])
    ),
    "usage": lambda v: Usage(decimal(v["included"]), each(tier, v["tiers"])),
}


def method(value: Json) -> BillingMethod:
    return METHODS[text(value["method"])](value)


def rate_json(rate: Rate) -> Json:
    until = None if rate.effective_until is None else day_text(rate.effective_until)
    return {
        "role": rate.role,
        "price": unit_price_json(rate.price),
        "effective_from": day_text(rate.effective_from),
        "effective_until": until,
    }


def rate(value: Json) -> Rate:
    return Rate(
        text(value["role"]),
        unit_price(value["price"]),
        day(value["effective_from"]),
        optional(day, value["effective_until"]),
    )


def rate_card_json(card: BillingRateCard) -> Json:
    discount = None if card.discount is None else decimal_text(card.discount.percent)
    return {"rates": [rate_json(r) for r in card.rates], "discount_percent": discount}


def rate_card(value: Json) -> BillingRateCard:
    discount = optional(decimal, value["discount_percent"])
    return BillingRateCard(
        each(rate, value["rates"]), None if discount is None else Discount(discount)
    )


def expense_policy_json(policy: ExpensePolicy) -> Json:
    return {
        "markup_percent": decimal_text(policy.markup_percent),
        "non_billable": sorted(policy.non_billable),
    }


def expense_policy(value: Json) -> ExpensePolicy:
    return ExpensePolicy(decimal(value["markup_percent"]), each(text, value["non_billable"]))


def terms_json(terms: BillingTerms) -> Json:
    card = None if terms.rate_card is None else rate_card_json(terms.rate_card)
    return {
        "work_package_code": terms.work_package_code,
        "currency": terms.currency,
        "start_date": day_text(terms.start_date),
        "end_date": day_text(terms.end_date),
        "method": method_json(terms.method),
        "rate_card": card,
        "expenses": expense_policy_json(terms.expenses),
    }


def terms(value: Json) -> BillingTerms:
    return BillingTerms.agree(
        work_package_code=text(value["work_package_code"]),
        currency=text(value["currency"]),
        start_date=day(value["start_date"]),
        end_date=day(value["end_date"]),
        method=method(value["method"]),
        rate_card=optional(rate_card, value["rate_card"]),
        expenses=expense_policy(value["expenses"]),
    )


def terms_by_package_json(by_code: Mapping[str, BillingTerms]) -> Json:
    return [terms_json(t) for t in by_code.values()]


def terms_by_package(value: Json) -> dict[str, BillingTerms]:
    return {t.work_package_code: t for t in each(terms, value)}


# The running state of each work package's terms.


def period_text(period: Period) -> str:
    return str(period)


def period(value: Json) -> Period:
    year, month = text(value).split("-")
    if not 1 <= int(month) <= 12:
        raise ValueError(f"{value!r} is not a month")
    return Period(int(year), int(month))


def hold_json(hold: OverCapHold) -> Json:
    return {
        "source_id": hold.source_id,
        "amount": money_json(hold.amount),
        "hours": decimal_text(hold.hours),
    }


def hold(value: Json) -> OverCapHold:
    return OverCapHold(text(value["source_id"]), money(value["amount"]), decimal(value["hours"]))


def state_json(state: TermsState) -> Json:
    return {
        "cap_used": money_json(state.cap_used),
        "retainer_balance": money_json(state.retainer_balance),
        "held": [hold_json(h) for h in state.held],
        "fee_periods": sorted(period_text(p) for p in state.fee_periods),
        "usage": [[period_text(p), decimal_text(q)] for p, q in state.usage],
        "completed_milestones": sorted(state.completed_milestones),
    }


def used_in_period(value: Json) -> tuple[Period, Decimal]:
    month, quantity = value
    return period(month), decimal(quantity)


def state(value: Json) -> TermsState:
    return TermsState(
        cap_used=money(value["cap_used"]),
        retainer_balance=money(value["retainer_balance"]),
        held=each(hold, value["held"]),
        fee_periods=frozenset(each(period, value["fee_periods"])),
        usage=each(used_in_period, value["usage"]),
        completed_milestones=frozenset(each(text, value["completed_milestones"])),
    )


def states_json(states: Mapping[str, TermsState]) -> Json:
    return {code: state_json(s) for code, s in states.items()}


def states(value: Json) -> dict[str, TermsState]:
    if not isinstance(value, dict):
        raise TypeError(f"{value!r} is not a map of work packages")
    return {text(code): state(s) for code, s in value.items()}


# Amendments.


def rate_change_json(change: RateChange) -> Json:
    return {
        "role": change.role,
        "price": unit_price_json(change.price),
        "effective_from": day_text(change.effective_from),
    }


def rate_change(value: Json) -> RateChange:
    return RateChange(text(value["role"]), unit_price(value["price"]), day(value["effective_from"]))


def terms_change_json(change: TermsChange) -> Json:
    return {
        "work_package_code": change.work_package_code,
        "cap": optional_money_json(change.cap),
        "fee": optional_money_json(change.fee),
        "milestones": [milestone_json(m) for m in change.milestones],
        "rate_changes": [rate_change_json(r) for r in change.rate_changes],
    }


def terms_change(value: Json) -> TermsChange:
    return TermsChange(
        text(value["work_package_code"]),
        optional(money, value["cap"]),
        optional(money, value["fee"]),
        each(milestone, value["milestones"]),
        each(rate_change, value["rate_changes"]),
    )


def amendment_json(amendment: Amendment) -> Json:
    return {
        "version": amendment.version,
        "effective_on": day_text(amendment.effective_on),
        "reason": amendment.reason,
        "changes": [terms_change_json(c) for c in amendment.changes],
        "new_terms": [terms_json(t) for t in amendment.new_terms],
    }


def amendment(value: Json) -> Amendment:
    return Amendment(
        whole(value["version"]),
        day(value["effective_on"]),
        text(value["reason"]),
        each(terms_change, value["changes"]),
        each(terms, value["new_terms"]),
    )


def amendments_json(amendments: Iterable[Amendment]) -> Json:
    return [amendment_json(a) for a in amendments]


def amendments(value: Json) -> list[Amendment]:
    return list(each(amendment, value))


# Approved work and its charges.


def work_json(work: Work) -> Json:
    if isinstance(work, TimeWorked):
        return {
            "kind": "time",
            "source_id": work.source_id,
            "role": work.role,
            "work_date": day_text(work.work_date),
            "hours": decimal_text(work.hours),
        }
    if isinstance(work, ExpenseIncurred):
        return {
            "kind": "expense",
            "source_id": work.source_id,
            "category": work.category,
            "incurred_on": day_text(work.incurred_on),
            "cost": money_json(work.cost),
        }
    if isinstance(work, MilestoneCompleted):
        return {
            "kind": "milestone",
            "source_id": work.source_id,
            "milestone_code": work.milestone_code,
            "completed_on": day_text(work.completed_on),
        }
    if isinstance(work, UsageRecorded):
        return {
            "kind": "usage",
            "source_id": work.source_id,
            "used_on": day_text(work.used_on),
            "quantity": decimal_text(work.quantity),
        }
    return {"kind": "period_fee", "source_id": work.source_id, "starts_on": day_text(work.day)}


WORK: dict[str, Callable[[Json], Work]] = {
    "time": lambda v: TimeWorked(
        text(v["source_id"]), text(v["role"]), day(v["work_date"]), decimal(v["hours"])
    ),
    "expense": lambda v: ExpenseIncurred(
        text(v["source_id"]), text(v["category"]), day(v["incurred_on"]), money(v["cost"])
    ),
    "milestone": lambda v: MilestoneCompleted(
        text(v["source_id"]), text(v["milestone_code"]), day(v["completed_on"])
    ),
    "usage": lambda v: UsageRecorded(
        text(v["source_id"]), day(v["used_on"]), decimal(v["quantity"])
    ),
    "period_fee": lambda v: PeriodBegan(text(v["source_id"]), day(v["starts_on"])),
}


def work(value: Json) -> Work:
    return WORK[text(value["kind"])](value)


def charge_json(charge: Charge) -> Json:
    return {
        "kind": charge.kind.value,
        "source_id": charge.source_id,
        "amount": money_json(charge.amount),
        "quantity": decimal_text(charge.quantity),
    }


def charge(value: Json) -> Charge:
    return Charge(
        ChargeKind(text(value["kind"])),
        text(value["source_id"]),
        money(value["amount"]),
        decimal(value["quantity"]),
    )


def charges_json(charges: Iterable[Charge]) -> Json:
    return [charge_json(c) for c in charges]


def charges(value: Json) -> tuple[Charge, ...]:
    return each(charge, value)


# Invoices: parties, lines, credit notes, payments, numbers.


def legal_entity_json(entity: LegalEntity) -> Json:
    return {"code": entity.code, "country": entity.country}


def legal_entity(value: Json) -> LegalEntity:
    return LegalEntity(text(value["code"]), text(value["country"]))


def customer_json(customer: Customer) -> Json:
    return {
        "number": customer.number,
        "country": customer.country,
        "is_business": customer.is_business,
        "vat_number": customer.vat_number,
    }


def customer(value: Json) -> Customer:
    return Customer(
        text(value["number"]),
        text(value["country"]),
        flag(value["is_business"]),
        text(value["vat_number"]),
    )


def payment_terms_json(terms: PaymentTerms) -> Json:
    return {"days": terms.days}


def payment_terms(value: Json) -> PaymentTerms:
    return PaymentTerms(whole(value["days"]))


def document_number_json(number: DocumentNumber) -> Json:
    return {
        "legal_entity_code": number.legal_entity_code,
        "series": number.series.value,
        "sequence": number.sequence,
        "year": number.year,
    }


def document_number(value: Json) -> DocumentNumber:
    return DocumentNumber(
        text(value["legal_entity_code"]),
        Series(text(value["series"])),
        whole(value["sequence"]),
        whole(value["year"]),
    )


def tax_rate_json(rate: TaxRate) -> Json:
    return {
        "treatment": rate.treatment.value,
        "percent": decimal_text(rate.percent),
        "note": rate.note,
    }


def tax_rate(value: Json) -> TaxRate:
    return TaxRate(
        TaxTreatment(text(value["treatment"])), decimal(value["percent"]), text(value["note"])
    )


def line_json(line: InvoiceLine) -> Json:
    return {
        "number": line.number,
        "description": line.description,
        "service_type": line.service_type,
        "charges": charges_json(line.charges),
        "tax_rate": tax_rate_json(line.tax_rate),
        "amount": money_json(line.amount),
        "discount": money_json(line.discount),
        "tax": money_json(line.tax),
    }


def line(value: Json) -> InvoiceLine:
    return InvoiceLine(
        whole(value["number"]),
        text(value["description"]),
        text(value["service_type"]),
        charges(value["charges"]),
        tax_rate(value["tax_rate"]),
        money(value["amount"]),
        money(value["discount"]),
        money(value["tax"]),
    )


def lines_json(lines: Iterable[InvoiceLine]) -> Json:
    return [line_json(ln) for ln in lines]


def lines(value: Json) -> tuple[InvoiceLine, ...]:
    return each(line, value)


def credit_line_json(credit: CreditLine) -> Json:
    return {
        "invoice_line": credit.invoice_line,
        "net": money_json(credit.net),
        "tax": money_json(credit.tax),
        "tax_rate": tax_rate_json(credit.tax_rate),
        "source_ids": list(credit.source_ids),
        "releases_work": credit.releases_work,
    }


def credit_line(value: Json) -> CreditLine:
    return CreditLine(
        whole(value["invoice_line"]),
        money(value["net"]),
        money(value["tax"]),
        tax_rate(value["tax_rate"]),
        each(text, value["source_ids"]),
        flag(value["releases_work"]),
    )


def credit_note_json(note: CreditNote) -> Json:
    return {
        "credit_note_id": note.credit_note_id,
        "number": document_number_json(note.number),
        "invoice_id": note.invoice_id,
        "invoice_number": document_number_json(note.invoice_number),
        "issued_on": day_text(note.issued_on),
        "reason": note.reason,
        "lines": [credit_line_json(c) for c in note.lines],
        "applied_to_invoice": money_json(note.applied_to_invoice),
        "left_as_credit": money_json(note.left_as_credit),
    }


def credit_note(value: Json) -> CreditNote:
    return CreditNote(
        text(value["credit_note_id"]),
        document_number(value["number"]),
        text(value["invoice_id"]),
        document_number(value["invoice_number"]),
        day(value["issued_on"]),
        text(value["reason"]),
        each(credit_line, value["lines"]),
        money(value["applied_to_invoice"]),
        money(value["left_as_credit"]),
    )


def credit_notes_json(notes: Iterable[CreditNote]) -> Json:
    return [credit_note_json(n) for n in notes]


def credit_notes(value: Json) -> tuple[CreditNote, ...]:
    return each(credit_note, value)


def payment_json(payment: Payment) -> Json:
    return {
        "payment_id": payment.payment_id,
        "amount": money_json(payment.amount),
        "received_on": day_text(payment.received_on),
    }


def payment(value: Json) -> Payment:
    return Payment(text(value["payment_id"]), money(value["amount"]), day(value["received_on"]))


def application_json(application: PaymentApplication) -> Json:
    return {
        "payment": payment_json(application.payment),
        "applied": money_json(application.applied),
        "unapplied": money_json(application.unapplied),
    }


def application(value: Json) -> PaymentApplication:
    return PaymentApplication(
        payment(value["payment"]), money(value["applied"]), money(value["unapplied"])
    )


def payments_json(applications: Iterable[PaymentApplication]) -> Json:
    return [application_json(a) for a in applications]


def payments(value: Json) -> tuple[PaymentApplication, ...]:
    return each(application, value)


# The column types, one per kind of value a column holds.


def terms_column(name: str) -> BillingJson:
    return BillingJson(name, terms_by_package_json, terms_by_package)


def states_column(name: str) -> BillingJson:
    return BillingJson(name, states_json, states)


def amendments_column(name: str) -> BillingJson:
    return BillingJson(name, amendments_json, amendments)


def work_column(name: str) -> BillingJson:
    return BillingJson(name, work_json, work)


def charges_column(name: str) -> BillingJson:
    return BillingJson(name, charges_json, charges)


def money_column(name: str) -> BillingJson:
    return BillingJson(name, money_json, money)


def legal_entity_column(name: str) -> BillingJson:
    return BillingJson(name, legal_entity_json, legal_entity)


def customer_column(name: str) -> BillingJson:
    return BillingJson(name, customer_json, customer)


def payment_terms_column(name: str) -> BillingJson:
    return BillingJson(name, payment_terms_json, payment_terms)


def document_number_column(name: str) -> BillingJson:
    return BillingJson(name, document_number_json, document_number)


def lines_column(name: str) -> BillingJson:
    return BillingJson(name, lines_json, lines)


def credit_notes_column(name: str) -> BillingJson:
    return BillingJson(name, credit_notes_json, credit_notes)


def payments_column(name: str) -> BillingJson:
    return BillingJson(name, payments_json, payments)
