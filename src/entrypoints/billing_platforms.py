"""The external billing platform o2c can be given (O2C_BILLING_PLATFORM): the sandbox, or Zuora
over its REST API (O2C_ZUORA_*). With Zuora and no O2C_ZUORA_URL, a Zuora tenant is simulated
in-process on loopback, with the client secret it needs made here. Its invoices are read back
every O2C_BILLING_PLATFORM_SECONDS."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import structlog

from adapters.vendors.zuora.mapping import load_mapping
from adapters.vendors.zuora.platform import ZuoraBillingPlatform
from adapters.vendors.zuora.settings import ZuoraSettings
from application.billing_ports import BillingPorts
from application.platform_invoices import read_platform_invoices
from entrypoints.saga_worker import SagaWorker
from entrypoints.settings import SettingError
from simulators.zuora import ZuoraSimulator

SECRET_FILE = "zuora-client-secret"
EMBEDDED_CLIENT_ID = "o2c-embedded"

log = structlog.get_logger("o2c")


def zuora_platform(config: Mapping[str, Any]) -> Iterator[ZuoraBillingPlatform]:
    """Zuora at O2C_ZUORA_URL, signed in as O2C_ZUORA_CLIENT_ID with the secret in
    O2C_ZUORA_CLIENT_SECRET_FILE, through the firm's mapping (O2C_ZUORA_MAPPING)."""
    try:
        secret = Path(config["client_secret_file"]).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise SettingError(f"O2C_ZUORA_CLIENT_SECRET_FILE cannot be read: {error}") from None
    settings = ZuoraSettings(
        url=config["url"],
        client_id=config["client_id"],
        client_secret=secret,
        mapping=load_mapping(config["mapping"]),
        entity_id=config["entity_id"],
    )
    platform = ZuoraBillingPlatform(settings)
    try:
        yield platform
    finally:
        platform.close()


class EmbeddedZuora:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.simulator: ZuoraSimulator | None = None

    def start(self) -> dict[str, str]:
        secret = secrets.token_urlsafe(24)
        self.directory.mkdir(parents=True, exist_ok=True)
        secret_file = self.directory / SECRET_FILE
        secret_file.write_text(secret, encoding="utf-8")
        secret_file.chmod(0o600)
        self.simulator = ZuoraSimulator(EMBEDDED_CLIENT_ID, secret).start()
        log.info("zuora simulated", url=self.simulator.url)
        return {
            "O2C_ZUORA_URL": self.simulator.url,
            "O2C_ZUORA_CLIENT_ID": EMBEDDED_CLIENT_ID,
            "O2C_ZUORA_CLIENT_SECRET_FILE": str(secret_file),
        }

    def stop(self) -> None:
        if self.simulator is not None:
            self.simulator.stop()


def platform_invoice_reader(billing: BillingPorts, every_seconds: float) -> SagaWorker:
    """Reads back the invoices the billing platform made for the accounts o2c handed work to."""
    return SagaWorker(
        lambda: read_platform_invoices(billing).new,
        every_seconds,
        name="platform-invoice-reader",
        doing="reading billing platform invoices",
        done="recorded new billing platform invoices",
    )
