"""How o2c reaches one Dynamics 365 Finance & Operations environment. Field and entity names
that vendors.md does not confirm are settings, defaulting to the simulator's names."""

from __future__ import annotations

from collections.abc import Mapping

from attrs import field, frozen


@frozen
class FieldNames:
    document_number: str = "DocumentNumber"  # o2c's number on either invoice header
    credited_invoice: str = "OriginalInvoiceNumber"  # a credit's original, on either header
    posting_profile: str = "PostingProfile"  # on the free-text invoice header
    total: str = "TotalAmount"  # the header's total, computed by the ERP from its lines
    line_amount: str = "LineAmount"
    line_tax: str = "SalesTaxAmount"
    open_amount: str = "AmountCur"  # what is open of a customer transaction, in its currency


@frozen
class Dynamics365Settings:
    url: str  # the environment, e.g. https://contoso.operations.dynamics.com
    tenant: str
    client_id: str
    client_secret: str = field(repr=False)
    authority: str = "https://login.microsoftonline.com"
    concurrency_limit: int = 52
    timeout_seconds: float = 30.0
    companies: Mapping[str, str] = field(factory=dict)  # o2c legal entity -> dataAreaId
    customer_group: str = "10"
    vendor_group: str = "IC"  # o2c makes suppliers only of the firm's own legal entities
    # Posting profiles (which summary accounts a document posts to) that also mark its kind:
    # intercompany documents post to the due-to/due-from accounts, opening receivables of a
    # cutover to the conversion account. Each must differ from the company's default profile.
    intercompany_posting_profile: str = "IC"
    opening_posting_profile: str = "OPEN"
    payment_entity_set: str = "CustomerPaymentJournalLines"
    # A customer's open transactions (CustTransOpen), for its open receivables; and the
    # members of CustomersV3's OnHoldStatus (CustVendorBlocked) that hold its orders and
    # invoices: Payment and Requisition block other work, No and Never hold nothing.
    open_transactions_entity_set: str = "CustomerOpenTransactions"
    held_statuses: tuple[str, ...] = ("Invoice", "All")
    fields: FieldNames = field(factory=FieldNames)

    @property
    def service_root(self) -> str:
        return f"{self.url.rstrip('/')}/data"

    @property
    def token_url(self) -> str:
        return f"{self.authority.rstrip('/')}/{self.tenant}/oauth2/v2.0/token"

    @property
    def scope(self) -> str:
        return f"{self.url.rstrip('/')}/.default"

    def company(self, erp_legal_entity: str) -> str:
        """The dataAreaId; a legal entity without a mapping is taken as a dataAreaId itself."""
        return self.companies.get(erp_legal_entity, erp_legal_entity)
