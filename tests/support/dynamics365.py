"""A Dynamics 365 simulator on loopback and the adapter's settings for it, with o2c's legal
entities mapped to the simulator's companies (dataAreaIds)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import attrs
import httpx
from contracts.ledgers import ReferenceSeed

from adapters.vendors.dynamics365.ledger import Dynamics365Ledger
from adapters.vendors.dynamics365.payloads import customer_account
from adapters.vendors.dynamics365.settings import COUNTRY_REGIONS, Dynamics365Settings
from application.erp_ports import LedgerPayment
from application.reference_ports import ErpCustomerRecord
from domain.money import Money
from simulators.dynamics365 import Dynamics365Simulator

COMPANIES = {"US-SUB-1": "USMF", "GB-SUB-2": "GBSI", "DE-SUB-3": "DEMF"}
ALPHA_3 = {alpha_2: alpha_3 for alpha_3, alpha_2 in COUNTRY_REGIONS.items()}
# D365's own first date: a value in effect since ever.
EVER = "1900-01-01T00:00:00Z"
HAND_MADE_GROUP = "30"


def settings_for(simulator: Dynamics365Simulator, **changes: object) -> Dynamics365Settings:
    settings = Dynamics365Settings(
        url=simulator.url,
        tenant=simulator.tenant,
        client_id=simulator.client_id,
        client_secret=simulator.client_secret,
        authority=simulator.url,
        concurrency_limit=simulator.concurrency_limit,
        timeout_seconds=5.0,
        companies=COMPANIES,
    )
    return attrs.evolve(settings, **changes)


def ledger_for(simulator: Dynamics365Simulator, **changes: object) -> Dynamics365Ledger:
    return Dynamics365Ledger(settings_for(simulator, **changes))


def cash_application(simulator: Dynamics365Simulator) -> Callable[[LedgerPayment, str], None]:
    """The simulator's own cash application, as the ledger contract's receive_payment."""

    def receive_payment(payment: LedgerPayment, erp_legal_entity: str) -> None:
        simulator.receive_payment(
            company=COMPANIES[erp_legal_entity],
            payment_reference=payment.payment_id,
            document_number=payment.document_number,
            amount=payment.amount.amount,
            currency=payment.amount.currency,
            received_on=payment.received_on,
        )

    return receive_payment


def credit_management(
    simulator: Dynamics365Simulator,
) -> Callable[[str, str, Money | None, bool], None]:
    """The customer's credit in the simulator, as the ledger contract's set_credit: a limit is
    made mandatory (so that even 0 is one), a hold is invoicing and delivery on hold for all."""

    def set_credit(
        erp_legal_entity: str, external_id: str, limit: Money | None, on_hold: bool
    ) -> None:
        simulator.set_credit(
            company=COMPANIES[erp_legal_entity],
            customer_account=customer_account(external_id),
            credit_limit=Decimal(0) if limit is None else limit.amount,
            mandatory=limit is not None,
            on_hold="All" if on_hold else "No",
        )

    return set_credit


def bearer(simulator: Dynamics365Simulator) -> dict[str, str]:
    """A token got the way Entra ID hands it out, as the Authorization header."""
    form = {
        "client_id": simulator.client_id,
        "client_secret": simulator.client_secret,
        "grant_type": "client_credentials",
        "scope": f"{simulator.url}/.default",
    }
    answer = httpx.post(f"{simulator.url}/{simulator.tenant}/oauth2/v2.0/token", data=form)
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def master_data(simulator: Dynamics365Simulator) -> Callable[[ReferenceSeed], None]:
    """The legal entity, its ledger, tax codes and cost centres and its customers made by hand,
    as the environment's users keep them, as the reference contract's seed_reference."""

    def seed_reference(seed: ReferenceSeed) -> None:
        entity = seed.legal_entity
        company = COMPANIES.get(entity.erp_legal_entity, entity.erp_legal_entity)
        simulator.keep(
            "LegalEntities",
            {
                "LegalEntityId": company,
                "Name": entity.name,
                "AddressCountryRegionId": ALPHA_3[entity.country],
            },
        )
        simulator.keep("Ledgers", {"LegalEntityId": company, "AccountingCurrency": entity.currency})
        for tax in seed.tax_codes:
            code = {"dataAreaId": company, "TaxCode": tax.code}
            simulator.keep("TaxCodes", {**code, "TaxName": tax.description})
            simulator.keep("TaxCodeValues", {**code, "FromDate": EVER, "Value": tax.percent})
        for centre in seed.cost_centres:
            simulator.keep(
                "FinancialDimensionValues",
                {
                    "FinancialDimension": "CostCenter",
                    "LegalEntityId": company,
                    "DimensionValue": centre.code,
                    "Description": centre.name,
                    "IsSuspended": "No" if centre.active else "Yes",
                },
            )
        for customer in seed.customers:
            simulator.enter_customer(hand_made(customer, company))

    return seed_reference


def hand_made(customer: ErpCustomerRecord, company: str) -> dict[str, object]:
    return {
        "dataAreaId": company,
        "OrganizationName": customer.name,
        "CustomerGroupId": HAND_MADE_GROUP,
        "SalesCurrencyCode": customer.currency,
        "TaxExemptNumber": customer.tax_registration,
        "AddressCountryRegionId": ALPHA_3[customer.country] if customer.country else "",
    }
