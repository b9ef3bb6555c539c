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
    # An extension the firm adds to CustomersV3: o2c's key for the customer (the CRM account),
    # which its CustomerAccount cannot always carry (it is then a digest of it).
    customer_external_id: str = "O2CExternalId"


# D365 names a country by its country/region id, ISO 3166 alpha-3 as set up out of the box;
# o2c by alpha-2. The countries a firm trades in, extended per environment in settings.
COUNTRY_REGIONS = {
    "ARE": "AE", "ARG": "AR", "AUS": "AU", "AUT": "AT", "BEL": "BE", "BRA": "BR", "CAN": "CA",
    "CHE": "CH", "CHN": "CN", "CZE": "CZ", "DEU": "DE", "DNK": "DK", "ESP": "ES", "FIN": "FI",
    "FRA": "FR", "GBR": "GB", "HKG": "HK", "HUN": "HU", "IND": "IN", "IRL": "IE", "ISR": "IL",
    "ITA": "IT", "JPN": "JP", "KOR": "KR", "KWT": "KW", "LUX": "LU", "MEX": "MX", "MYS": "MY",
    "NLD": "NL", "NOR": "NO", "NZL": "NZ", "POL": "PL", "PRT": "PT", "ROU": "RO", "SAU": "SA",
    "SGP": "SG", "SWE": "SE", "THA": "TH", "TUR": "TR", "USA": "US", "ZAF": "ZA",
}  # fmt: skip


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
    cost_centre_dimension: str = "CostCenter"  # the financial dimension of cost centres
    country_regions: Mapping[str, str] = COUNTRY_REGIONS  # D365 country/region id -> alpha-2

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

    def legal_entity(self, company: str) -> str:
        """o2c's legal entity for a dataAreaId (D365 writes them in either case)."""
        return next(
            (
                entity
                for entity, known in self.companies.items()
                if known.lower() == company.lower()
            ),
            company,
        )

    def country(self, country_region: str) -> str:
        """The alpha-2 code of a country/region id; "" for none, KeyError for one unmapped."""
        return self.country_regions[country_region] if country_region else ""
