"""A customer's credit as Dynamics 365 keeps it on CustomersV3: CreditLimit in the customer's
sales currency, where 0 means no limit unless CreditLimitIsMandatory is Yes; OnHoldStatus, its
invoicing and delivery on hold; and what is open of its transactions."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.vendors.dynamics365.client import SYSTEM
from adapters.vendors.dynamics365.settings import Dynamics365Settings
from application.erp_ports import CustomerCredit
from application.errors import VendorRejected
from domain.errors import DomainError
from domain.money import Money


def customer_credit(
    customer: dict[str, Any], open_rows: list[dict[str, Any]], settings: Dynamics365Settings
) -> CustomerCredit:
    try:
        return read_credit(customer, open_rows, settings)
    except (KeyError, TypeError, InvalidOperation, DomainError) as error:
        account = customer.get("CustomerAccount")
        raise VendorRejected(SYSTEM, f"the credit of {account}: cannot map {error!r}") from error


def read_credit(
    customer: dict[str, Any], open_rows: list[dict[str, Any]], settings: Dynamics365Settings
) -> CustomerCredit:
    currency = customer["SalesCurrencyCode"]
    field = settings.fields.open_amount
    open_amounts = (Money.of(Decimal(row[field]), row["CurrencyCode"]) for row in open_rows)
    return CustomerCredit(
        credit_limit=credit_limit(customer, currency),
        open_receivables=sum(open_amounts, Money.of(0, currency)),
        on_hold=customer.get("OnHoldStatus") in settings.held_statuses,
        currency=currency,
    )


def credit_limit(customer: dict[str, Any], currency: str) -> Money | None:
    limit = Decimal(customer.get("CreditLimit") or 0)
    if limit == 0 and customer.get("CreditLimitIsMandatory") != "Yes":
        return None
    return Money.of(limit, currency)
