"""o2c's invoices and credit notes against the receivables of the ERP holding each: every
document o2c posted (its primary posting says where), by number and total, credits negative,
against every invoice and credit note that ERP entity reports. A document the ERP lacks, one it
holds that o2c never posted, or another total is a variance for finance. Invoices not posted yet
are not compared; an ERP that cannot be read is named, and its documents left for next time."""

from __future__ import annotations

from collections.abc import Iterator

from application.controls.parking import Owner, parked
from application.controls.ports import ControlPorts
from application.controls.report import Control, ControlReport, compare, summed
from application.erp_ports import DocumentKind
from application.errors import VendorError
from application.ports import InvoiceFilter, UnitOfWork
from domain.erp_posting import ErpPosting, PostingRole
from domain.exception_case import OwnerRole, Workflow
from domain.invoicing.invoice import Invoice, InvoiceStatus
from domain.money import Money

OWNER = Owner(Workflow.INVOICE_TO_ERP, OwnerRole.FINANCE)
NAMES = ("o2c invoices and credit notes", "ERP receivables")
ISSUED = (
    InvoiceStatus.FINALISED,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.PAID,
    InvoiceStatus.CREDITED,
)
COMPARED = frozenset({DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE})
PAGE = 500

Holder = tuple[str, str]  # (ERP, the ERP's legal entity)
Posted = dict[Holder, list[tuple[str, Money]]]


def billing_vs_erp(legal_entity_code: str, ports: ControlPorts) -> ControlReport:
    billing = ports.billing
    with billing.uow_factory() as uow:
        posted = posted_documents(uow, legal_entity_code)
    ours: list[tuple[str, Money]] = []
    theirs: list[tuple[str, Money]] = []
    unreadable: list[str] = []
    for (erp, entity), documents in sorted(posted.items()):
        ledger = (billing.ledgers or {}).get(erp)
        try:
            if ledger is None:
                raise VendorError(erp, "no adapter is configured")
            held = ledger.open_items(entity)
        except VendorError:
            unreadable.append(f"{erp}/{entity}")
            continue
        ours += documents
        theirs += [(item.number, item.amount) for item in held if item.kind in COMPARED]
    matched, variances = compare(summed(ours), summed(theirs))
    note = f"not read this time: {', '.join(unreadable)}" if unreadable else ""
    found = ControlReport(
        Control.BILLING_VS_ERP,
        legal_entity_code,
        *NAMES,
        matched,
        tuple(variances),
        billing.clock.now(),
        note=note,
    )
    return parked(found, OWNER, billing)


def posted_documents(uow: UnitOfWork, legal_entity_code: str) -> Posted:
    """Each ERP entity holding o2c's documents, with each document's number and signed total."""
    posted: Posted = {}
    for invoice in issued(uow, legal_entity_code):
        for posting in primaries(uow.erp_postings.of_invoice(invoice.id)):
            amount = total_of(invoice, posting.document_number)
            if amount is not None:
                holder = (posting.erp, posting.erp_legal_entity)
                posted.setdefault(holder, []).append((posting.document_number, amount))
    return posted


def issued(uow: UnitOfWork, legal_entity_code: str) -> Iterator[Invoice]:
    for status in ISSUED:
        after = ""
        where = InvoiceFilter(legal_entity_code=legal_entity_code, status=status)
        while page := uow.invoices.page(where, after, PAGE):
            yield from page
            after = page[-1].id


def primaries(postings: list[ErpPosting]) -> list[ErpPosting]:
    kinds = {kind.value for kind in COMPARED}
    return [p for p in postings if p.role is PostingRole.PRIMARY and p.kind in kinds]


def total_of(invoice: Invoice, number: str) -> Money | None:
    if number == str(invoice.number):
        return invoice.total
    note = next((n for n in invoice.credit_notes if str(n.number) == number), None)
    return None if note is None else -note.total
