"""Payables in the legacy database: suppliers and their sites, and intercompany bills through
the Payables open interface, found again by o2c's invoice id and flexfield."""

from __future__ import annotations

from sqlalchemy import Connection, select

from adapters.vendors.legacy_erp import payables_interface as mapping
from adapters.vendors.legacy_erp.database import ERP
from adapters.vendors.legacy_erp.interface import key_of
from adapters.vendors.legacy_erp.payables_tables import (
    interface_rejections,
    invoice_lines_interface,
    invoices,
    invoices_interface,
    supplier_sites,
    suppliers,
)
from adapters.vendors.legacy_erp.settings import LegacyErpSettings
from application.erp_ports import LedgerDocument, LedgerVendor
from application.errors import VendorRejected


class Payables:
    def __init__(self, settings: LegacyErpSettings) -> None:
        self.settings = settings

    def interface(self, connection: Connection, document: LedgerDocument) -> None:
        if not self.interfaced(connection, document.posting_key):
            if document.kind.is_credit:
                self.check_credited(connection, document)
            connection.execute(
                invoices_interface.insert().values(mapping.header_of(document, self.settings))
            )
            connection.execute(invoice_lines_interface.insert(), mapping.lines_of(document))

    def check_credited(self, connection: Connection, document: LedgerDocument) -> None:
        """Payables takes a credit memo whatever it names in a flexfield: o2c refuses, before
        writing anything, one whose bill the ERP does not hold from that supplier in that org."""
        held = connection.scalar(
            select(invoices.c.invoice_id)
            .join(suppliers, suppliers.c.vendor_id == invoices.c.vendor_id)
            .where(
                suppliers.c.segment1 == document.customer_external_id,
                invoices.c.org_id == document.erp_legal_entity,
                invoices.c.invoice_num == document.original_number,
                invoices.c.invoice_type_lookup_code == mapping.STANDARD,
                invoices.c.source == self.settings.payables_source,
            )
        )
        if held is None:
            raise VendorRejected(
                ERP,
                f"{document.number} credits {document.original_number or 'no bill'}, which"
                f" Payables does not hold from {document.customer_external_id}"
                f" in org {document.erp_legal_entity}",
            )

    def interfaced(self, connection: Connection, posting_key: str) -> bool:
        query = select(invoices_interface.c.invoice_id).where(
            invoices_interface.c.invoice_id == mapping.invoice_id_of(posting_key)
        )
        return connection.scalar(query) is not None

    def imported_id(self, connection: Connection, posting_key: str) -> str | None:
        found = connection.scalar(
            select(invoices.c.invoice_id).where(
                invoices.c.attribute_category == self.settings.context,
                invoices.c.attribute2 == key_of(posting_key),
            )
        )
        return None if found is None else mapping.document_id_of(found)

    def errors(self, connection: Connection, posting_key: str) -> list[str]:
        """The rejections of the invoice and of its lines, by their REJECT CODE."""
        invoice_id = mapping.invoice_id_of(posting_key)
        lines = select(invoice_lines_interface.c.invoice_line_id).where(
            invoice_lines_interface.c.invoice_id == invoice_id
        )
        query = select(
            interface_rejections.c.parent_table, interface_rejections.c.reject_lookup_code
        ).where(
            (
                (interface_rejections.c.parent_table == "AP_INVOICES_INTERFACE")
                & (interface_rejections.c.parent_id == invoice_id)
            )
            | (
                (interface_rejections.c.parent_table == "AP_INVOICE_LINES_INTERFACE")
                & interface_rejections.c.parent_id.in_(lines)
            )
        )
        found = [code for _, code in connection.execute(query)]
        return list(dict.fromkeys(found))


def upsert_supplier(
    connection: Connection, vendor: LedgerVendor, settings: LegacyErpSettings
) -> str:
    """The supplier by its number, and its site in the vendor's org: created, or updated."""
    values = mapping.supplier_of(vendor)
    vendor_id = connection.scalar(
        select(suppliers.c.vendor_id).where(suppliers.c.segment1 == values["segment1"])
    )
    if vendor_id is None:
        insert = suppliers.insert().values(values).returning(suppliers.c.vendor_id)
        vendor_id = connection.execute(insert).scalar_one()
    else:
        connection.execute(
            suppliers.update().where(suppliers.c.vendor_id == vendor_id).values(values)
        )
    upsert_site(connection, vendor_id, mapping.site_of(vendor, settings))
    return str(vendor_id)


def upsert_site(connection: Connection, vendor_id: int, values: dict[str, str]) -> None:
    site_id = connection.scalar(
        select(supplier_sites.c.vendor_site_id).where(
            supplier_sites.c.vendor_id == vendor_id,
            supplier_sites.c.vendor_site_code == values["vendor_site_code"],
            supplier_sites.c.org_id == values["org_id"],
        )
    )
    if site_id is None:
        connection.execute(supplier_sites.insert().values({**values, "vendor_id": vendor_id}))
    else:
        connection.execute(
            supplier_sites.update().where(supplier_sites.c.vendor_site_id == site_id).values(values)
        )
