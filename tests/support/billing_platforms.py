"""A billing platform in memory for the unit tests: it keeps what the platform port promises
(one account and subscription per key, usage once per unique key) and fails when told to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from application.billing_platform_ports import (
    PlatformAccount,
    PlatformInvoice,
    PlatformSubscription,
    UsageRecord,
    UsageUpload,
)
from domain.money import Money


class FakeBillingPlatform:
    def __init__(self) -> None:
        self.accounts: dict[str, PlatformAccount] = {}
        self.subscriptions: dict[str, PlatformSubscription] = {}
        self.usage: dict[str, UsageRecord] = {}
        self.issued: list[PlatformInvoice] = []
        self.failures: list[Exception] = []

    def fail_next(self, *errors: Exception) -> None:
        self.failures.extend(errors)

    def check_up(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    def upsert_account(self, account: PlatformAccount) -> str:
        self.check_up()
        self.accounts[account.account_key] = account
        return f"A-{account.account_key}"

    def subscribe(self, subscription: PlatformSubscription) -> str:
        self.check_up()
        self.subscriptions.setdefault(subscription.subscription_key, subscription)
        return f"S-{subscription.subscription_key}"

    def upload_usage(self, records: Sequence[UsageRecord]) -> UsageUpload:
        self.check_up()
        new = [
            r for r in {r.unique_key: r for r in records}.values() if r.unique_key not in self.usage
        ]
        self.usage.update({r.unique_key: r for r in new})
        return UsageUpload(len(new), len(records) - len(new), f"IMP-{len(self.usage)}")

    def invoices(self, account_key: str, since: dt.date) -> list[PlatformInvoice]:
        self.check_up()
        found = [i for i in self.issued if i.account_key == account_key and i.invoice_date >= since]
        return sorted(found, key=lambda i: (i.invoice_date, i.number))

    def issue_invoice(
        self, account_key: str, day: dt.date, amount: str, balance: str = "", status: str = "Posted"
    ) -> str:
        """The platform's bill run: one invoice for the account, or a change to one it made."""
        currency = self.accounts[account_key].currency
        number = f"INV{len(self.issued) + 1:08d}"
        self.issued.append(
            PlatformInvoice(
                number=number,
                account_key=account_key,
                invoice_date=day,
                due_date=day + dt.timedelta(days=30),
                amount=Money.of(amount, currency),
                balance=Money.of(balance or amount, currency),
                status=status,
            )
        )
        return number

    def settle(self, number: str, balance: str, status: str = "Posted") -> None:
        """A payment on the platform: the invoice's balance and status move."""
        index = next(n for n, i in enumerate(self.issued) if i.number == number)
        invoice = self.issued[index]
        self.issued[index] = PlatformInvoice(
            number=invoice.number,
            account_key=invoice.account_key,
            invoice_date=invoice.invoice_date,
            due_date=invoice.due_date,
            amount=invoice.amount,
            balance=Money.of(Decimal(balance), invoice.amount.currency),
            status=status,
        )

    def hours_held(self, account_key: str) -> Decimal:
        return sum(
            (u.quantity for u in self.usage.values() if u.account_key == account_key), Decimal(0)
        )
