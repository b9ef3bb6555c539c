"""What the billing use cases need: storage, the clock, ids, the ownership rules, the firm's
billing reference data (legal entities' countries, the tax table) and the PSA."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from attrs import frozen

from application.billing_platform_ports import BillingPlatform
from application.crm_status import CrmStatus
from application.erp_ports import ErpLedger
from application.intercompany import Intercompany
from application.platform_handoff import PlatformHandoffs
from application.ports import Clock, IdGenerator, Psa, UnitOfWorkFactory
from application.posting_saga import Postings
from application.psa_invoiced import PsaInvoiced
from application.saga_runner import SagaRunner
from domain.intercompany import TransferPricing
from domain.invoicing.tax import LegalEntity, TaxTable
from domain.ownership import OwnershipMatrix


class BillingReferenceData(Protocol):
    """The firm's configuration for invoicing: where each legal entity is, which engine bills
    it, the tax rules, and the intercompany transfer pricing."""

    def legal_entity(self, code: str) -> LegalEntity | None: ...
    def tax_table(self) -> TaxTable: ...
    def transfer_pricing(self) -> TransferPricing: ...
    def billing_platform(self, code: str) -> str:
        """The engine that bills the entity: "o2c" (the default) or an external platform."""
        ...


@frozen
class ChangeOrder:
    """An amendment as the PSA hears it: the project, the version and what changed."""

    external_id: str  # engagement id and version: the PSA's upsert key, so a retry is harmless
    project_id: str
    engagement_id: str
    version: int
    effective_on: str
    summary: str


class PsaChangeOrders(Protocol):
    def apply_change_order(self, order: ChangeOrder) -> str:
        """Record the change order on the project; return the PSA's id for it. Safe to repeat."""
        ...


@frozen
class BillingPorts:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    ownership: OwnershipMatrix
    reference: BillingReferenceData | None = None
    psa: Psa | None = None
    change_orders: PsaChangeOrders | None = None
    sagas: SagaRunner | None = None  # drives a change order to the PSA
    postings: Postings | None = None  # posts finalised invoices and credit notes to their ERP
    ledgers: Mapping[str, ErpLedger] | None = None  # ERP name → its ledger, for controls
    intercompany: Intercompany | None = None  # charges for work another legal entity delivered
    crm_status: CrmStatus | None = None  # shows each invoice's payment status in the CRM
    psa_invoiced: PsaInvoiced | None = None  # writes the invoice back on the PSA's items
    # Hands the work of entities an external billing platform bills to that platform ...
    platform_handoffs: PlatformHandoffs | None = None
    billing_platform: BillingPlatform | None = None  # ... and reads its invoices back
