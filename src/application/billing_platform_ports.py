"""An external billing platform (Zuora, for firms that keep one) that bills some legal
entities' engagements instead of o2c's own billing engine: o2c keeps the account, the
subscription and the usage there, and reads the invoices it makes.

Every write carries o2c's own key (the account's, the subscription's, each usage record's), so a
retry finds what the first attempt made instead of making it twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from attrs import field, frozen

from domain.money import Money

O2C_ENGINE = "o2c"  # o2c's own billing engine rates and invoices the legal entity's work
ZUORA = "zuora"
BILLING_ENGINES = (O2C_ENGINE, ZUORA)


@frozen
class PlatformAccount:
    account_key: str  # o2c's key for the bill-to account, e.g. the CRM account and legal entity
    name: str
    currency: str
    legal_entity_code: str  # the entity that bills, as the platform's entity or business unit
    country: str  # ISO 3166 alpha-2 of the bill-to contact
    payment_terms_days: int = 30


@frozen
class PlatformCharge:
    charge_key: str  # o2c's key for the charge within the subscription, e.g. "NA:time"
    name: str
    model: str  # "flat_fee" (recurring), "per_unit" (usage) or "one_time"
    price: Money
    unit: str = ""  # the unit of measure of a usage charge, e.g. "hours"
    billing_period: str = "month"  # for a recurring fee


def charges_tuple(value: Sequence[PlatformCharge]) -> tuple[PlatformCharge, ...]:
    return tuple(value)


@frozen
class PlatformSubscription:
    subscription_key: str  # o2c's key, e.g. the engagement and work package
    account_key: str
    start_date: dt.date
    end_date: dt.date
    charges: tuple[PlatformCharge, ...] = field(converter=charges_tuple)


@frozen
class UsageRecord:
    unique_key: str  # o2c's billable event id: the platform keeps one record per key
    account_key: str
    subscription_key: str
    charge_key: str
    unit: str
    quantity: Decimal
    day: dt.date


@frozen
class UsageUpload:
    accepted: int  # records the platform now holds from this upload (new ones)
    already_held: int  # records it held before, by their unique key
    upload_id: str  # the platform's id for the import


@frozen
class PlatformInvoice:
    number: str  # the platform's invoice number
    account_key: str
    invoice_date: dt.date
    due_date: dt.date
    amount: Money
    balance: Money
    status: str  # as the platform says: "Draft", "Posted", "Canceled"


class BillingPlatform(Protocol):
    def upsert_account(self, account: PlatformAccount) -> str:
        """Create or update by account key; return the platform's id for the account."""
        ...

    def subscribe(self, subscription: PlatformSubscription) -> str:
        """Create the subscription once by its key; the same key again returns the first."""
        ...

    def upload_usage(self, records: Sequence[UsageRecord]) -> UsageUpload:
        """Upload usage; a record whose unique key the platform holds is not counted twice."""
        ...

    def invoices(self, account_key: str, since: dt.date) -> list[PlatformInvoice]:
        """The account's invoices dated on or after `since`, oldest first."""
        ...
