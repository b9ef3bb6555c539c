"""A customer's credit in the legacy ERP: the account's profile (its credit hold) and the
profile's overall credit limit in the account's currency, in Trading Community Architecture's
tables, and its open receivables as Receivables keeps them, the amount due remaining on its open
payment schedules in the org (invoices and credit memos, and receipts not yet applied)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Column, Connection, Integer, String, Table, select

from adapters.vendors.legacy_erp.tables import DecimalText, customer_accounts, metadata
from application.erp_ports import CustomerCredit
from domain.money import Money

HELD = "Y"
OPEN = "OP"

customer_profiles = Table(
    "hz_customer_profiles",
    metadata,
    Column("cust_account_profile_id", Integer, primary_key=True),
    Column("cust_account_id", Integer),
    Column("site_use_id", Integer),
    Column("credit_hold", String(1)),
)

profile_amounts = Table(
    "hz_cust_profile_amts",
    metadata,
    Column("cust_acct_profile_amt_id", Integer, primary_key=True),
    Column("cust_account_profile_id", Integer),
    Column("currency_code", String(15)),
    Column("overall_credit_limit", DecimalText()),
)

payment_schedules = Table(
    "ar_payment_schedules_all",
    metadata,
    Column("payment_schedule_id", Integer, primary_key=True),
    Column("customer_id", Integer),
    Column("org_id", String(30)),
    Column("status", String(2)),
    Column("invoice_currency_code", String(15)),
    Column("amount_due_remaining", DecimalText()),
)


def customer_credit(
    connection: Connection, org_id: str, orig_system_reference: str
) -> CustomerCredit | None:
    account = connection.execute(
        select(customer_accounts.c.cust_account_id, customer_accounts.c.currency_code).where(
            customer_accounts.c.orig_system_reference == orig_system_reference,
            customer_accounts.c.org_id == org_id,
        )
    ).first()
    if account is None:
        return None
    account_id, currency = account
    hold, limit = profile_of(connection, account_id, currency)
    owed = open_receivables(connection, account_id, org_id, currency)
    return CustomerCredit(
        credit_limit=None if limit is None else Money.of(limit, currency),
        open_receivables=Money.of(owed, currency),
        on_hold=hold == HELD,
        currency=currency,
    )


def profile_of(
    connection: Connection, account_id: int, currency: str
) -> tuple[str | None, Decimal | None]:
    """The account's own profile (not a site's): its credit hold and its overall limit in the
    currency; an account without one is not held and has no limit."""
    profile = connection.execute(
        select(customer_profiles.c.credit_hold, profile_amounts.c.overall_credit_limit)
        .select_from(customer_profiles)
        .outerjoin(
            profile_amounts,
            (
                profile_amounts.c.cust_account_profile_id
                == customer_profiles.c.cust_account_profile_id
            )
            & (profile_amounts.c.currency_code == currency),
        )
        .where(
            customer_profiles.c.cust_account_id == account_id,
            customer_profiles.c.site_use_id.is_(None),
        )
    ).first()
    return (None, None) if profile is None else (profile[0], profile[1])


def open_receivables(
    connection: Connection, account_id: int, org_id: str, currency: str
) -> Decimal:
    schedules = payment_schedules.c
    remaining = connection.execute(
        select(schedules.amount_due_remaining).where(
            schedules.customer_id == account_id,
            schedules.org_id == org_id,
            schedules.status == OPEN,
            schedules.invoice_currency_code == currency,
        )
    ).scalars()
    return sum(remaining, Decimal(0))
