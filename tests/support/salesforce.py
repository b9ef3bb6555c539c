"""A Salesforce org on loopback, o2c's adapter signed in to it by the JWT bearer flow, and sales'
side of the org: accounts and opportunities as sales keeps them, a deal closed the way the
firm's mapping lays it out, an account kept or renamed by its users, and the payment status the
account's users see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
from attrs import define

from adapters.vendors.salesforce.client import SalesforceClient
from adapters.vendors.salesforce.crm import SalesforceCrm
from adapters.vendors.salesforce.mapping import SalesforceMapping, load_mapping
from adapters.vendors.salesforce.settings import SalesforceSettings
from application.crm_ports import AccountPaymentStatus, CrmDeal
from application.reference_ports import CrmAccount
from domain.money import Money
from simulators.salesforce import SalesforceSimulator
from simulators.salesforce_auth import ConnectedApp
from support.netsuite import private_key_pem, public_key_pem

CONSUMER_KEY = "3MVG9o2c.integration"
USERNAME = "o2c-integration@acme-services.example"
AUDIENCE = "https://login.salesforce.com"
PIPELINE = {
    "001-ACME": ("Acme Corp", ["006-ACME-1", "006-ACME-2"]),
    "001-GLOBEX": ("Globex", ["006-GLOBEX-1"]),
}


def a_connected_app() -> ConnectedApp:
    return ConnectedApp(CONSUMER_KEY, USERNAME, public_key_pem(private_key_pem("salesforce")))


def an_org(**options: Any) -> SalesforceSimulator:
    return SalesforceSimulator(a_connected_app(), **options).start()


def settings_for(org: SalesforceSimulator, **changes: Any) -> SalesforceSettings:
    settings = SalesforceSettings(
        login_url=org.url,
        client_id=CONSUMER_KEY,
        username=USERNAME,
        private_key_pem=private_key_pem("salesforce"),
        read_timeout=10.0,
    )
    return attrs.evolve(settings, **changes)


@define
class SalesforceWorld:
    org: SalesforceSimulator
    crm: SalesforceCrm

    @property
    def mapping(self) -> SalesforceMapping:
        return self.crm.mapping

    def close(self) -> None:
        self.crm.close()
        self.org.stop()

    def open_pipeline(self) -> None:
        """Acme's and Globex's accounts with their opportunities, as sales keeps them."""
        for account_id, (name, opportunities) in PIPELINE.items():
            self.org.seed("Account", {"Name": name}, account_id)
            for opportunity_id in opportunities:
                fields = {
                    "Name": f"{name} - {opportunity_id}",
                    "AccountId": account_id,
                    "StageName": "Negotiation/Review",
                    "CloseDate": "2026-11-30",
                }
                self.org.seed("Opportunity", fields, opportunity_id)

    def close_deal(self, deal: CrmDeal) -> str:
        """Sales closing `deal`: account, opportunity, rate card and work packages written
        where the mapping says, the stage won or not as the deal says."""
        self.org.seed("Account", self.account_fields(deal), deal.account_id)
        stage = self.org.find("OpportunityStage", "ApiName", deal.stage)
        if stage is None or stage["IsWon"] != deal.is_won:
            self.org.define_stage(deal.stage, is_closed=deal.is_won, is_won=deal.is_won)
        self.org.seed("Opportunity", self.opportunity_fields(deal), deal.opportunity_id)
        self.replace_children(deal)
        return deal.opportunity_id

    def account_fields(self, deal: CrmDeal) -> dict[str, Any]:
        held = CrmAccount(
            deal.account_id,
            deal.account_name,
            deal.customer_vat_number,
            deal.customer_country,
            deal.legal_entity_code,
        )
        fields = self.mapped_account(held)
        extensions = self.mapping.account.extensions
        fields.update({name: deal.extensions.get(key) for key, name in extensions.items()})
        return fields

    def keep_account(self, account: CrmAccount) -> str:
        """The account's users making or renaming it, in the mapped fields."""
        return self.org.seed("Account", self.mapped_account(account), account.account_id)

    def mapped_account(self, held: CrmAccount) -> dict[str, Any]:
        account, words = self.mapping.account, self.mapping.in_salesforce_words
        fields = {
            account["name"]: held.name,
            account["country"]: held.country or None,
            account["vat_number"]: held.tax_registration or None,
            account["legal_entity_code"]: (
                words("legal_entity_code", held.legal_entity_code) or None
            ),
        }
        return {name: value for name, value in fields.items() if name}

    def opportunity_fields(self, deal: CrmDeal) -> dict[str, Any]:
        opportunity, words = self.mapping.opportunity, self.mapping.in_salesforce_words
        fields: dict[str, Any] = {
            "Name": f"{deal.account_name} - {deal.opportunity_id}",
            "AccountId": deal.account_id,
            "StageName": deal.stage,
            "CloseDate": deal.start_date,
            opportunity["legal_entity_code"]: words("legal_entity_code", deal.legal_entity_code),
            opportunity["currency"]: deal.currency,
            opportunity["billing_method"]: words("billing_method", deal.billing_method),
            opportunity["start_date"]: deal.start_date,
            opportunity["end_date"]: deal.end_date,
            opportunity["contract_value"]: Decimal(deal.contract_value),
            opportunity["payment_terms_days"]: (
                Decimal(deal.payment_terms_days) if deal.payment_terms_days else None
            ),
        }
        fields.update(
            {name: deal.extensions.get(key) for key, name in opportunity.extensions.items()}
        )
        return {name: value for name, value in fields.items() if name}

    def replace_children(self, deal: CrmDeal) -> None:
        rates, packages = self.mapping.rate_card, self.mapping.work_packages
        for section in (rates, packages):
            for child in self.org.records(section.object):
                if child[section["opportunity"]] == deal.opportunity_id:
                    self.org.store.delete(section.object, child["Id"])
        for rate in deal.rate_card:
            line = {
                rates["opportunity"]: deal.opportunity_id,
                rates["role"]: rate.role,
                rates["amount"]: Decimal(rate.amount),
                rates["currency"]: rate.currency,
            }
            self.org.seed(rates.object, {n: v for n, v in line.items() if n})
        for package in deal.work_packages:
            fields = {
                packages["opportunity"]: deal.opportunity_id,
                packages["code"]: package.code,
                packages["name"]: package.name,
                packages["region"]: package.region or None,
                packages["delivering_legal_entity_code"]: (
                    package.delivering_legal_entity_code or None
                ),
            }
            self.org.seed(packages.object, {n: v for n, v in fields.items() if n})

    def payment_status(self, account_id: str, invoice_number: str) -> AccountPaymentStatus | None:
        """What the account's users see for one invoice."""
        section = self.mapping.payment_status
        key = f"{account_id}:{invoice_number}"
        record = self.org.find(section.object, section["external_id"], key)
        if record is None:
            return None
        currency = record[section["currency"]]
        return AccountPaymentStatus(
            account_id=record[section["account"]],
            invoice_number=record[section["invoice_number"]],
            status=record[section["status"]],
            total=Money.of(Decimal(record[section["total"]]), currency),
            paid=Money.of(Decimal(record[section["paid"]]), currency),
            balance=Money.of(Decimal(record[section["balance"]]), currency),
            as_of=dt.datetime.strptime(record[section["as_of"]], "%Y-%m-%dT%H:%M:%S.%f%z"),
        )


def a_salesforce_world(
    *,
    mapping: SalesforceMapping | None = None,
    settings: dict[str, Any] | None = None,
    **org_options: Any,
) -> SalesforceWorld:
    """An org with sales' pipeline open, and o2c's adapter for it."""
    org = an_org(**org_options)
    changes = {"mapping": mapping or load_mapping(), **(settings or {})}
    world = SalesforceWorld(org, SalesforceCrm(settings_for(org, **changes)))
    world.open_pipeline()
    return world


def a_client(org: SalesforceSimulator, **changes: Any) -> SalesforceClient:
    return SalesforceClient(settings_for(org, **changes))
