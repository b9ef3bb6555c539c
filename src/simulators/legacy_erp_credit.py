"""The legacy ERP's credit management and what customers owe (see simulators/legacy_erp.py).

- hz_customer_profiles: a customer account's profile (site_use_id empty: the account's own,
  not a site's), with credit_hold Y or N.
- hz_cust_profile_amts: the profile's amounts per currency; overall_credit_limit empty means no
  limit in that currency.
- ar_payment_schedules_all: what is due on each transaction, made by the import: one schedule
  per transaction (the simulator keeps no payment terms, so no installments), class INV or CM
  as its type's, amount_due_remaining what is still open of it, status OP while it is not zero
  and CL once it is. A credit memo against a transaction is applied to it as far as it is due,
  and a receipt to the transaction it pays; what is left of a receipt stays open, negative, on
  a PMT schedule of its own. The sum of a customer's open schedules is its balance."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    Date,
    Integer,
    String,
    Table,
    UniqueConstraint,
    select,
)

from simulators.legacy_erp_schema import DecimalText, customer_accounts, metadata

OPEN, CLOSED = "OP", "CL"

customer_profiles = Table(
    "hz_customer_profiles",
    metadata,
    Column("cust_account_profile_id", Integer, primary_key=True, autoincrement=True),
    Column("cust_account_id", Integer, nullable=False),
    Column("site_use_id", Integer),
    Column("credit_checking", String(1), nullable=False, server_default="Y"),
    Column("credit_hold", String(1), nullable=False, server_default="N"),
    Column("status", String(1), nullable=False, server_default="A"),
    CheckConstraint("credit_hold IN ('Y', 'N')", name="hz_customer_profiles_credit_hold"),
)

profile_amounts = Table(
    "hz_cust_profile_amts",
    metadata,
    Column("cust_acct_profile_amt_id", Integer, primary_key=True, autoincrement=True),
    Column("cust_account_profile_id", Integer, nullable=False),
    Column("cust_account_id", Integer, nullable=False),
    Column("site_use_id", Integer),
    Column("currency_code", String(15), nullable=False),
    Column("overall_credit_limit", DecimalText()),
    Column("trx_credit_limit", DecimalText()),
    UniqueConstraint("cust_account_profile_id", "currency_code", name="hz_cust_profile_amts_u1"),
)

payment_schedules = Table(
    "ar_payment_schedules_all",
    metadata,
    Column("payment_schedule_id", Integer, primary_key=True, autoincrement=True),
    Column("customer_trx_id", Integer),
    Column("cash_receipt_id", Integer),
    Column("customer_id", Integer, nullable=False),
    Column("org_id", String(30), nullable=False),
    Column("class", String(20), nullable=False),
    Column("status", String(2), nullable=False),
    Column("trx_number", String(30), nullable=False),
    Column("invoice_currency_code", String(15), nullable=False),
    Column("amount_due_original", DecimalText(), nullable=False),
    Column("amount_due_remaining", DecimalText(), nullable=False),
    Column("gl_date", Date, nullable=False),
)


def open_schedule(
    connection: Connection, customer_trx_id: int, trx: Mapping[str, Any], trx_class: str
) -> None:
    """The payment schedule of a transaction the import has just made."""
    remaining = Decimal(trx["amount"])
    if trx_class == "CM" and trx["previous_customer_trx_id"] is not None:
        remaining += settle(connection, trx["previous_customer_trx_id"], -remaining)
    connection.execute(
        payment_schedules.insert().values(
            customer_trx_id=customer_trx_id,
            customer_id=trx["bill_to_customer_id"],
            org_id=trx["org_id"],
            status=status_of(remaining),
            trx_number=trx["trx_number"],
            invoice_currency_code=trx["invoice_currency_code"],
            amount_due_original=trx["amount"],
            amount_due_remaining=remaining,
            gl_date=trx["gl_date"],
            **{"class": trx_class},
        )
    )


def settle(connection: Connection, customer_trx_id: int, amount: Decimal) -> Decimal:
    """Take up to `amount` off what is due on the transaction; what was taken."""
    schedule = connection.execute(
        select(payment_schedules).where(payment_schedules.c.customer_trx_id == customer_trx_id)
    ).first()
    if schedule is None:
        return Decimal(0)
    taken = max(min(amount, schedule.amount_due_remaining), Decimal(0))
    remaining = schedule.amount_due_remaining - taken
    connection.execute(
        payment_schedules.update()
        .where(payment_schedules.c.payment_schedule_id == schedule.payment_schedule_id)
        .values(amount_due_remaining=remaining, status=status_of(remaining))
    )
    return taken


def apply_receipt(
    connection: Connection, cash_receipt_id: int, receipt: Mapping[str, Any], customer_trx_id: int
) -> None:
    """A receipt applied to a transaction: what it does not settle stays open, on account."""
    amount = Decimal(receipt["amount"])
    unapplied = amount - settle(connection, customer_trx_id, amount)
    customer = connection.execute(
        select(payment_schedules.c.customer_id).where(
            payment_schedules.c.customer_trx_id == customer_trx_id
        )
    ).scalar_one()
    connection.execute(
        payment_schedules.insert().values(
            cash_receipt_id=cash_receipt_id,
            customer_id=customer,
            org_id=receipt["org_id"],
            status=status_of(unapplied),
            trx_number=receipt["receipt_number"],
            invoice_currency_code=receipt["currency_code"],
            amount_due_original=-amount,
            amount_due_remaining=-unapplied,
            gl_date=receipt["receipt_date"],
            **{"class": "PMT"},
        )
    )


def status_of(remaining: Decimal) -> str:
    return OPEN if remaining != 0 else CLOSED


def set_credit(
    connection: Connection,
    *,
    org_id: str,
    orig_system_reference: str,
    currency_code: str,
    overall_credit_limit: Decimal | None,
    credit_hold: bool,
) -> None:
    """The account's profile and its amounts in one currency, made if the account has none."""
    account_id = connection.scalar(
        select(customer_accounts.c.cust_account_id).where(
            customer_accounts.c.orig_system_reference == orig_system_reference,
            customer_accounts.c.org_id == org_id,
        )
    )
    if account_id is None:
        raise LookupError(f"no customer account {orig_system_reference} in org {org_id}")
    profile_id = account_profile(connection, account_id)
    connection.execute(
        customer_profiles.update()
        .where(customer_profiles.c.cust_account_profile_id == profile_id)
        .values(credit_hold="Y" if credit_hold else "N")
    )
    amounts = profile_amounts.c
    key = (amounts.cust_account_profile_id == profile_id, amounts.currency_code == currency_code)
    if connection.scalar(select(amounts.cust_acct_profile_amt_id).where(*key)) is None:
        connection.execute(
            profile_amounts.insert().values(
                cust_account_profile_id=profile_id,
                cust_account_id=account_id,
                currency_code=currency_code,
            )
        )
    limit = {"overall_credit_limit": overall_credit_limit}
    connection.execute(profile_amounts.update().where(*key).values(limit))


def account_profile(connection: Connection, account_id: int) -> int:
    key = (
        customer_profiles.c.cust_account_id == account_id,
        customer_profiles.c.site_use_id.is_(None),
    )
    found = connection.scalar(select(customer_profiles.c.cust_account_profile_id).where(*key))
    if found is not None:
        return int(found)
    created = connection.execute(
        customer_profiles.insert().values(cust_account_id=account_id)
    ).inserted_primary_key
    assert created is not None
    return int(created[0])
