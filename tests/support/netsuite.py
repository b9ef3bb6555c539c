"""A NetSuite account on loopback and o2c's adapter signed in to it, for the ledger contract
and the wire-format tests."""

from __future__ import annotations

import functools

import attrs
from attrs import define
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.vendors.netsuite.ledger import NetSuiteLedger
from adapters.vendors.netsuite.payloads import entity_external_id
from adapters.vendors.netsuite.settings import NetSuiteSettings
from application.erp_ports import LedgerPayment
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

    def close(self) -> None:
        self.ledger.close()
        self.account.stop()


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
    *, account_limit: int = 15, latency: float = 0.0, **settings: object
) -> NetSuiteWorld:
    account = NetSuiteSimulator(
        an_integration(),
        subsidiaries=SUBSIDIARIES,
        concurrency_limit=account_limit,
        latency=latency,
    ).start()
    return NetSuiteWorld(account, NetSuiteLedger(settings_for(account, **settings)))
