"""What o2c reads from and writes to the CRM beyond the engagement link: the closed-won deal
itself, read when the CRM announces it, and the payment status its users see on the account.

A deal arrives as the CRM's fields say it, mapped into o2c's words by the firm's mapping for that
CRM and left as text: CreateServiceEngagement checks it like any request, and names the field
that is wrong. Fields the mapping does not name are carried along as extensions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol

from attrs import field, frozen

from application.commands import RateLine, WorkPackageLine
from domain.money import Money


def extension_map(value: Mapping[str, str]) -> Mapping[str, str]:
    return dict(value)


@frozen
class CrmDeal:
    opportunity_id: str
    stage: str  # as the CRM names it, e.g. "Closed Won"
    is_won: bool  # the CRM's own verdict on the stage (Salesforce: the stage's IsWon)
    account_id: str
    account_name: str
    legal_entity_code: str  # from the field the firm's mapping names
    currency: str
    billing_method: str
    start_date: str
    end_date: str
    contract_value: str
    rate_card: tuple[RateLine, ...]
    work_packages: tuple[WorkPackageLine, ...]
    customer_country: str = ""
    customer_vat_number: str = ""
    payment_terms_days: str = ""
    extensions: Mapping[str, str] = field(factory=dict, converter=extension_map)


class CrmDeals(Protocol):
    def deal(self, opportunity_id: str) -> CrmDeal | None:
        """The opportunity with its account, rate card and work packages; None if unknown."""
        ...


@frozen
class AccountPaymentStatus:
    """One invoice's standing as the CRM's users see it on the account, whatever ERP holds it."""

    account_id: str
    invoice_number: str
    status: str  # finalised, partially_paid, paid or credited
    total: Money
    paid: Money
    balance: Money
    as_of: dt.datetime


class CrmPaymentStatus(Protocol):
    def record_payment_status(self, status: AccountPaymentStatus) -> str:
        """Write the invoice's status and balance on the account, keyed by account and invoice
        number: sending it again changes nothing, and a later status replaces an earlier one.
        Returns the CRM record written."""
        ...

    def payment_status(self, account_id: str, invoice_number: str) -> AccountPaymentStatus | None:
        """The invoice's status as the account shows it now; None when none was written."""
        ...
