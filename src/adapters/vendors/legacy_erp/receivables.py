"""Receivables in the legacy database: customer accounts, and documents through AutoInvoice,
found again by o2c's interface key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from adapters.vendors.legacy_erp import interface as mapping
from adapters.vendors.legacy_erp.settings import LegacyErpSettings
from adapters.vendors.legacy_erp.tables import (
    customer_accounts,
    customer_trx,
    interface_errors,
    interface_lines,
    parties,
)
from application.erp_ports import LedgerDocument


class Receivables:
    def __init__(self, settings: LegacyErpSettings) -> None:
        self.settings = settings

    def interface(self, connection: Connection, document: LedgerDocument) -> None:
        if not self.interfaced(connection, document.posting_key):
            rows = mapping.interface_rows(document, self.settings)
            connection.execute(interface_lines.insert(), rows)

    def interfaced(self, connection: Connection, posting_key: str) -> bool:
        query = select(interface_lines.c.interface_line_id).where(*self.keyed(posting_key))
        return connection.scalar(query.limit(1)) is not None

    def imported_id(self, connection: Connection, posting_key: str) -> str | None:
        found = connection.scalar(
            select(customer_trx.c.customer_trx_id).where(
                customer_trx.c.interface_header_context == self.settings.context,
                customer_trx.c.interface_header_attribute2 == mapping.key_of(posting_key),
            )
        )
        return None if found is None else str(found)

    def errors(self, connection: Connection, posting_key: str) -> list[str]:
        query = (
            select(interface_errors.c.message_text, interface_errors.c.invalid_value)
            .join(
                interface_lines,
                interface_lines.c.interface_line_id == interface_errors.c.interface_line_id,
            )
            .where(*self.keyed(posting_key))
            .order_by(interface_lines.c.interface_line_id)
        )
        found = [f"{m} ({value})" if value else m for m, value in connection.execute(query)]
        return list(dict.fromkeys(found))

    def keyed(self, posting_key: str) -> tuple[Any, ...]:
        return (
            interface_lines.c.interface_line_context == self.settings.context,
            interface_lines.c.interface_line_attribute2 == mapping.key_of(posting_key),
        )


def upsert_account(
    connection: Connection, account: dict[str, str], party: dict[str, str | None]
) -> str:
    """The account by its reference in the org, and its party: created, or updated."""
    found = connection.execute(
        select(customer_accounts.c.cust_account_id, customer_accounts.c.party_id).where(
            customer_accounts.c.orig_system_reference == account["orig_system_reference"],
            customer_accounts.c.org_id == account["org_id"],
        )
    ).first()
    if found is None:
        party_id = connection.execute(
            parties.insert().values(party).returning(parties.c.party_id)
        ).scalar_one()
        insert = customer_accounts.insert().values({**account, "party_id": party_id})
        return str(
            connection.execute(insert.returning(customer_accounts.c.cust_account_id)).scalar_one()
        )
    account_id, party_id = found
    connection.execute(
        customer_accounts.update()
        .where(customer_accounts.c.cust_account_id == account_id)
        .values(account)
    )
    connection.execute(parties.update().where(parties.c.party_id == party_id).values(party))
    return str(account_id)
