"""The embedded default's CRM and PSA vendors: Kantata simulated in-process on loopback when
O2C_PSA=kantata names no O2C_KANTATA_URL, Salesforce when O2C_CRM=salesforce names no
O2C_SALESFORCE_LOGIN_URL, with the credentials they need made here. `start` answers the settings
that point the adapters at them."""

from __future__ import annotations

import secrets
from pathlib import Path

import structlog

from entrypoints.erp_simulators import new_private_pem, public_pem
from simulators.certinia import certinia_org
from simulators.kantata import KantataSimulator
from simulators.salesforce import SalesforceSimulator
from simulators.salesforce_auth import ConnectedApp

TOKEN_FILE = "kantata-token"
SALESFORCE_KEY_FILE = "salesforce-private-key.pem"
SALESFORCE_CONSUMER_KEY = "3MVG9o2c.embedded"
SALESFORCE_USERNAME = "o2c-integration@o2c.example"

log = structlog.get_logger("o2c")


class EmbeddedKantata:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.simulator: KantataSimulator | None = None

    def start(self) -> dict[str, str]:
        token = secrets.token_urlsafe(24)
        self.directory.mkdir(parents=True, exist_ok=True)
        token_file = self.directory / TOKEN_FILE
        token_file.write_text(token, encoding="utf-8")
        token_file.chmod(0o600)
        self.simulator = KantataSimulator(token).start()
        log.info("kantata simulated", url=self.simulator.url)
        return {"O2C_KANTATA_URL": self.simulator.url, "O2C_KANTATA_TOKEN_FILE": str(token_file)}

    def stop(self) -> None:
        if self.simulator is not None:
            self.simulator.stop()


class EmbeddedSalesforce:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.simulator: SalesforceSimulator | None = None

    def start(self) -> dict[str, str]:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        key_file = self.directory / SALESFORCE_KEY_FILE
        if not key_file.exists():
            key_file.write_bytes(new_private_pem())
            key_file.chmod(0o600)
        app = ConnectedApp(
            SALESFORCE_CONSUMER_KEY, SALESFORCE_USERNAME, public_pem(key_file.read_bytes())
        )
        self.simulator = certinia_org(app).start()  # Certinia installed, for O2C_PSA=certinia
        log.info("salesforce simulated", url=self.simulator.url)
        return {
            "O2C_SALESFORCE_LOGIN_URL": self.simulator.url,
            "O2C_SALESFORCE_CLIENT_ID": SALESFORCE_CONSUMER_KEY,
            "O2C_SALESFORCE_USERNAME": SALESFORCE_USERNAME,
            "O2C_SALESFORCE_PRIVATE_KEY_FILE": str(key_file),
        }

    def stop(self) -> None:
        if self.simulator is not None:
            self.simulator.stop()
