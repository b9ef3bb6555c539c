"""The ledger side of an ERP: customers, documents posted, and what is open. Every ERP o2c
posts to (legacy, NetSuite, Dynamics 365, the sandbox) is one adapter behind this port; a
router picks one per legal entity and day, so nothing upstream knows which."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Protocol, runtime_checkable

from attrs import frozen

from domain.money import Money


class DocumentKind(enum.Enum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    OPENING_RECEIVABLE = "opening_receivable"  # an open invoice carried over at a cutover
    # Work one legal entity delivered on another's engagement: the delivering entity invoices
    # the contracting one (a receivable in its ERP, the contracting entity its customer) and the
    # contracting entity books the same document as a bill (a payable, the delivering entity its
    # supplier). Both sides carry the one intercompany number, so they reconcile by it.
    INTERCOMPANY_RECEIVABLE = "intercompany_receivable"
    INTERCOMPANY_PAYABLE = "intercompany_payable"
    # A credit note to the customer reverses the delivering entity's share of what it credits:
    # a credit memo against the intercompany receivable, and the matching credit against the
    # payable, both under the reversal's own number, `original_number` naming the charge.
    INTERCOMPANY_RECEIVABLE_CREDIT = "intercompany_receivable_credit"
    INTERCOMPANY_PAYABLE_CREDIT = "intercompany_payable_credit"

    @property
    def is_intercompany(self) -> bool:
        return self in INTERCOMPANY

    @property
    def is_payable(self) -> bool:
        """Reported by `payables`, not `open_items`."""
        return self in (DocumentKind.INTERCOMPANY_PAYABLE, DocumentKind.INTERCOMPANY_PAYABLE_CREDIT)

    @property
    def is_credit(self) -> bool:
        """Reported negative."""
        return self in (
            DocumentKind.CREDIT_NOTE,
            DocumentKind.INTERCOMPANY_RECEIVABLE_CREDIT,
            DocumentKind.INTERCOMPANY_PAYABLE_CREDIT,
        )


INTERCOMPANY = frozenset(
    {
        DocumentKind.INTERCOMPANY_RECEIVABLE,
        DocumentKind.INTERCOMPANY_PAYABLE,
        DocumentKind.INTERCOMPANY_RECEIVABLE_CREDIT,
        DocumentKind.INTERCOMPANY_PAYABLE_CREDIT,
    }
)


@frozen
class LedgerCustomer:
    """The customer as one ERP keeps it, found again by o2c's external id."""

    external_id: str
    name: str
    erp_legal_entity: str  # a NetSuite subsidiary id, a Dynamics dataAreaId, a legacy org id
    currency: str
    tax_registration: str = ""


@frozen
class LedgerVendor:
    """A supplier as one ERP keeps it, found again by o2c's external id. o2c makes suppliers only
    for intercompany: the delivering legal entity, as the contracting entity's supplier."""

    external_id: str
    name: str
    erp_legal_entity: str
    currency: str


@frozen
class LedgerLine:
    number: int
    description: str
    net: Money
    tax: Money
    tax_percent: Decimal


@frozen
class LedgerDocument:
    """One posting. `posting_key` is o2c's idempotency key for it in this ERP: whatever the
    ERP's own key is (an external id, an idempotency header, interface line attributes), the
    adapter derives it from this, so a retry finds the first posting instead of making two."""

    posting_key: str
    kind: DocumentKind
    number: str  # o2c's document number, e.g. US01-2026-000001
    erp_legal_entity: str
    customer_external_id: str  # for an intercompany payable, the supplier's external id
    issued_on: dt.date
    due_on: dt.date | None
    currency: str
    lines: tuple[LedgerLine, ...]
    total: Money
    original_number: str = ""  # a credit: the invoice, or the intercompany charge, it credits


@frozen
class Posted:
    """What the ERP made of a document: its own id for it."""

    posting_key: str
    document_id: str


@frozen
class OpenItem:
    """A document as the ERP reports it, for reconciliation by number and amount."""

    number: str
    amount: Money
    kind: DocumentKind = DocumentKind.INVOICE

    @property
    def is_intercompany(self) -> bool:
        return self.kind.is_intercompany


@frozen
class LedgerPayment:
    """Cash the ERP applied to a posted document (its cash application)."""

    payment_id: str
    document_number: str
    amount: Money
    received_on: dt.date


class ErpPayments(Protocol):
    def payments(self, erp_legal_entity: str, since: dt.date) -> list[LedgerPayment]:
        """Payments received on or after `since`, oldest first."""
        ...


class ErpLedger(ErpPayments, Protocol):
    @property
    def erp(self) -> str:
        """Which ERP this is: "legacy", "netsuite", "dynamics365" or "sandbox"."""
        ...

    def upsert_customer(self, customer: LedgerCustomer) -> str:
        """Create or update by external id; return the ERP's id for the customer."""
        ...

    def post(self, document: LedgerDocument) -> Posted:
        """Post once: the same posting key again returns the first posting, never a second."""
        ...

    def upsert_vendor(self, vendor: LedgerVendor) -> str:
        """Create or update a supplier by external id; return the ERP's id for it."""
        ...

    def find(self, posting_key: str) -> Posted | None: ...

    def open_items(self, erp_legal_entity: str) -> list[OpenItem]:
        """Every receivable posted for the legal entity (invoices, credit notes, opening
        receivables, intercompany receivables and their credits), each with its kind and amount
        (credits negative), in number order."""
        ...

    def payables(self, erp_legal_entity: str) -> list[OpenItem]:
        """Every intercompany payable and payable credit posted for the legal entity (credits
        negative), by the supplier's document number, in number order."""
        ...


@frozen
class CustomerCredit:
    """A customer's standing as the ERP that owns its legal entity keeps it, for a credit check
    during quote approval."""

    credit_limit: Money | None  # None: the ERP sets no limit for the customer
    open_receivables: Money  # what the customer owes the entity now, in the limit's currency
    on_hold: bool  # the ERP holds the customer's orders or credit
    currency: str


@runtime_checkable
class ErpCredit(Protocol):
    def customer_credit(
        self, erp_legal_entity: str, customer_external_id: str
    ) -> CustomerCredit | None:
        """The customer's credit limit, open receivables and hold status in the entity; None
        when the ERP does not know the customer there."""
        ...
