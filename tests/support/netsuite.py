"""A NetSuite account on loopback and o2c's adapter signed in to it, for the ledger contract
and the wire-format tests."""

from __future__ import annotations

import functools

import attrs
from attrs import define
from contracts.ledgers import ReferenceSeed
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.vendors.netsuite.ledger import NetSuiteLedger
from adapters.vendors.netsuite.payloads import entity_external_id
from adapters.vendors.netsuite.settings import NEW_ACCOUNT_CURRENCIES, NetSuiteSettings
from application.erp_ports import LedgerPayment
from application.reference_ports import ErpCustomerRecord
from domain.money import Money
from simulators.netsuite import NetSuiteSimulator
from simulators.netsuite_auth import Integration

CLIENT_ID = "o2c-integration"
CERTIFICATE_ID = "cert-1"
SUBSIDIARIES = frozenset({"US-SUB-1", "GB-SUB-2"})


@functools.cache
def private_key_pem(seed: str = "o2c") -> bytes:
    """One RSA key per name for the whole run: making one takes a moment."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_pem(private_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem, password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def an_integration() -> Integration:
    return Integration(CLIENT_ID, CERTIFICATE_ID, public_key_pem(private_key_pem()))


@define
class NetSuiteWorld:
    account: NetSuiteSimulator
    ledger: NetSuiteLedger

    def receive_payment(self, payment: LedgerPayment, _erp_legal_entity: str) -> None:
        self.account.receive_payment(
            payment.payment_id,
            payment.document_number,
            payment.amount.amount_text(),
            payment.received_on,
        )

    def set_credit(
        self, erp_legal_entity: str, external_id: str, limit: Money | None, on_hold: bool
    ) -> None:
        """The Financial subtab: the limit in the customer's currency, the Hold On or Auto."""
        customer = entity_external_id(erp_legal_entity, external_id)
        amount = None if limit is None else limit.amount_text()
        self.account.set_credit(customer, amount, "ON" if on_hold else "AUTO")

    def seed_reference(self, seed: ReferenceSeed) -> None:
        """The subsidiary, its tax codes, departments and hand-made customers, as its users
        save them in NetSuite's UI."""
        entity = seed.legal_entity
        subsidiary = entity.erp_legal_entity
        master = self.account.master
        master.keep_subsidiary(
            subsidiary, entity.name, entity.country, currency_id(entity.currency)
        )
        for tax in seed.tax_codes:
            master.keep_tax_code(tax.code, tax.description, tax.percent, tax.country, subsidiary)
        for centre in seed.cost_centres:
            master.keep_department(centre.code, centre.name, not centre.active, subsidiary)
        for customer in seed.customers:
            master.enter_customer(customer_form(customer, subsidiary), customer.country)

    def close(self) -> None:
        self.ledger.close()
        self.account.stop()


def currency_id(code: str) -> str:
    return NEW_ACCOUNT_CURRENCIES[code]


def customer_form(customer: ErpCustomerRecord, subsidiary: str) -> dict[str, object]:
    form: dict[str, object] = {
        "companyName": customer.name,
        "subsidiary": {"id": subsidiary},
        "currency": {"id": currency_id(customer.currency)},
    }
    if customer.tax_registration:
        form["vatRegNumber"] = customer.tax_registration
    return form


def settings_for(account: NetSuiteSimulator, **changes: object) -> NetSuiteSettings:
    settings = NetSuiteSettings(
        url=account.url,
        client_id=CLIENT_ID,
        certificate_id=CERTIFICATE_ID,
        private_key_pem=private_key_pem(),
        read_timeout=10.0,
    )
    return attrs.evolve(settings, **changes)


def a_netsuite_world(
    *, account_limit: int = 15, latency: float = 0.0, page_limit: int = 1000, **settings: object
) -> NetSuiteWorld:
    """`page_limit`: the most SuiteQL rows the account answers in a page, and the adapter asks."""
    account = NetSuiteSimulator(
        an_integration(),
        subsidiaries=SUBSIDIARIES,
        concurrency_limit=account_limit,
        latency=latency,
        page_limit=page_limit,
    ).start()
    ledger = NetSuiteLedger(settings_for(account, **{"page_size": page_limit, **settings}))
    return NetSuiteWorld(account, ledger)
