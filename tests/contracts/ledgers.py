"""What the ledger contract is given for each ERP: the adapter, and the ERP's own way of
receiving a payment (its cash application), which o2c only ever reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from attrs import frozen

from application.erp_ports import (
    DocumentKind,
    ErpLedger,
    LedgerCustomer,
    LedgerDocument,
    LedgerLine,
    LedgerPayment,
    LedgerVendor,
)
from application.reference_ports import (
    ErpCostCentre,
    ErpCustomerRecord,
    ErpLegalEntityRecord,
    ErpTaxCode,
)
from domain.money import Money

ENTITY = "US-SUB-1"  # the ERP's legal entity; each adapter's fixture maps it as its ERP needs


# The ERP's own credit management: (ERP legal entity, customer external id, limit or None for no
# limit, on hold), which o2c only ever reads.
SetCredit = Callable[[str, str, Money | None, bool], None]


@frozen
class ReferenceSeed:
    """Master data the ERP's own users keep in one legal entity, which o2c only ever reads:
    the entity itself, its tax codes and cost centres, and customers made in the ERP by hand
    (their `erp_id` is the ERP's to give; it is ignored here)."""

    legal_entity: ErpLegalEntityRecord
    tax_codes: tuple[ErpTaxCode, ...] = ()
    cost_centres: tuple[ErpCostCentre, ...] = ()
    customers: tuple[ErpCustomerRecord, ...] = ()


# The ERP's own master-data maintenance, written in the ERP's format.
SeedReference = Callable[[ReferenceSeed], None]


@frozen
class LedgerWorld:
    ledger: ErpLedger
    receive_payment: Callable[[LedgerPayment, str], None]
    set_credit: SetCredit | None = None
    seed_reference: SeedReference | None = None


def a_ledger_customer(external_id: str = "001-ACME", entity: str = ENTITY) -> LedgerCustomer:
    return LedgerCustomer(external_id, "Acme Corp", entity, "USD", "US-EIN-12-3456789")


def a_document(
    number: str = "US01-2026-000001",
    *,
    key: str = "",
    kind: DocumentKind = DocumentKind.INVOICE,
    net: str = "1000.00",
    tax: str = "0.00",
    entity: str = ENTITY,
    original: str = "",
    customer: str = "001-ACME",
) -> LedgerDocument:
    line = LedgerLine(
        1, "Time: 8 h consultant, TE-1", Money.of(net, "USD"), Money.of(tax, "USD"), Decimal(0)
    )
    return LedgerDocument(
        posting_key=key or f"inv-{number}",
        kind=kind,
        number=number,
        erp_legal_entity=entity,
        customer_external_id=customer,
        issued_on=dt.date(2026, 12, 31),
        due_on=dt.date(2027, 1, 30) if kind is not DocumentKind.CREDIT_NOTE else None,
        currency="USD",
        lines=(line,),
        total=line.net + line.tax,
        original_number=original,
    )


OTHER_ENTITY = "GB-SUB-2"  # a second legal entity of the firm, in the same ERP


def a_ledger_vendor(external_id: str = "IC-GB01", entity: str = ENTITY) -> LedgerVendor:
    """The delivering legal entity as the contracting entity's supplier."""
    return LedgerVendor(external_id, "Example Consulting Ltd (GB01)", entity, "USD")


def an_intercompany_receivable(number: str = "US01-2026-000001/IC-GB01") -> LedgerDocument:
    """GB01 delivered work on a US01 engagement: it invoices US01, its customer IC-US01."""
    return a_document(
        number,
        key=number,
        kind=DocumentKind.INTERCOMPANY_RECEIVABLE,
        net="850.00",
        entity=OTHER_ENTITY,
        customer="IC-US01",
    )


def an_intercompany_payable(number: str = "US01-2026-000001/IC-GB01") -> LedgerDocument:
    """The same charge as US01 books it: a bill from its supplier IC-GB01."""
    return a_document(
        number,
        key=f"{number}/AP",
        kind=DocumentKind.INTERCOMPANY_PAYABLE,
        net="850.00",
        entity=ENTITY,
        customer="IC-GB01",
    )


def an_intercompany_credit(
    payable: bool, number: str = "US01-CN-2027-000001/IC-GB01"
) -> LedgerDocument:
    """The customer was credited for part of GB01's work: GB01 credits US01 its share (a credit
    memo against the receivable), and US01 books the credit against its bill."""
    charge = "US01-2026-000001/IC-GB01"
    if payable:
        return a_document(
            number,
            key=f"{number}/AP",
            kind=DocumentKind.INTERCOMPANY_PAYABLE_CREDIT,
            net="170.00",
            entity=ENTITY,
            customer="IC-GB01",
            original=charge,
        )
    return a_document(
        number,
        key=number,
        kind=DocumentKind.INTERCOMPANY_RECEIVABLE_CREDIT,
        net="170.00",
        entity=OTHER_ENTITY,
        customer="IC-US01",
        original=charge,
    )
