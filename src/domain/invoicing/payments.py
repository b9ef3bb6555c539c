"""Payments from the ERP's cash application, and how much of each an invoice takes."""

from __future__ import annotations

import datetime as dt

from attrs import frozen

from domain.errors import CurrencyMismatch, InvalidField
from domain.money import Money


@frozen
class Payment:
    payment_id: str
    amount: Money
    received_on: dt.date

    def check_for(self, currency: str) -> None:
        if not self.payment_id:
            raise InvalidField("a payment has an id", field="payment.payment_id")
        if self.amount.currency != currency:
            raise CurrencyMismatch(
                f"the payment is in {self.amount.currency}, the invoice in {currency}",
                field="payment.amount.currency_code",
                keys={"left": self.amount.currency, "right": currency},
            )
        if not self.amount.is_positive():
            raise InvalidField("a payment is more than zero", field="payment.amount.amount")


@frozen
class PaymentApplication:
    """`applied` settles the invoice; `unapplied` is kept as the customer's credit."""

    payment: Payment
    applied: Money
    unapplied: Money

    @classmethod
    def of(cls, payment: Payment, balance: Money) -> PaymentApplication:
        applied = min(payment.amount, balance, key=lambda money: money.amount)
        return cls(payment, applied, payment.amount - applied)
