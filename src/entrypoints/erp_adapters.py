"""The ERP ledgers o2c posts to, built from their settings: one function per ERP, None when
the ERP is not configured (its URL is empty), so that postings routed to it are parked."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from adapters.vendors.dynamics365.ledger import Dynamics365Ledger
from adapters.vendors.dynamics365.settings import Dynamics365Settings
from adapters.vendors.legacy_erp.ledger import LegacyErpLedger
from adapters.vendors.legacy_erp.settings import LegacyErpSettings
from adapters.vendors.netsuite.ledger import NetSuiteLedger
from adapters.vendors.netsuite.settings import NetSuiteSettings
from adapters.vendors.sandbox.ledger import SandboxLedger
from adapters.vendors.sandbox.records import SandboxRecords
from application.erp_ports import ErpLedger
from entrypoints.settings import SettingError


def netsuite_ledger(config: Mapping[str, Any]) -> NetSuiteLedger | None:
    if not config["url"]:
        return None
    settings = NetSuiteSettings(
        url=config["url"],
        client_id=config["client_id"],
        certificate_id=config["certificate_id"],
        private_key_pem=secret_file("O2C_NETSUITE_PRIVATE_KEY_FILE", config["private_key_file"]),
        concurrency_limit=config["concurrency_limit"],
    )
    return NetSuiteLedger(settings)


def dynamics365_ledger(config: Mapping[str, Any]) -> Dynamics365Ledger | None:
    if not config["url"]:
        return None
    secret = (
        config["client_secret"]
        or secret_file("O2C_DYNAMICS365_CLIENT_SECRET_FILE", config["client_secret_file"])
        .decode()
        .strip()
    )
    settings = Dynamics365Settings(
        url=config["url"],
        tenant=config["tenant"],
        client_id=config["client_id"],
        client_secret=secret,
        authority=config["authority"],
        concurrency_limit=config["concurrency_limit"],
        companies=dict(config["companies"]),
    )
    return Dynamics365Ledger(settings)


def legacy_ledger(config: Mapping[str, Any]) -> LegacyErpLedger | None:
    if not config["url"]:
        return None
    settings = LegacyErpSettings(
        url=config["url"],
        max_sessions=config["max_sessions"],
        import_wait=config["import_wait"],
    )
    return LegacyErpLedger(settings)


def secret_file(name: str, path: str) -> bytes:
    """A credential read from its file; the error names the setting, never the content."""
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise SettingError(f"{name}: cannot read {path!r}: {error.strerror}") from None


def erp_ledgers(
    sandbox_records: SandboxRecords, config: Mapping[str, Any]
) -> Iterator[dict[str, ErpLedger]]:
    """Each configured ERP by name, the sandbox always; the routes choose among them per legal
    entity. A resource, so that shutting the container down closes their connections."""
    built: dict[str, ErpLedger | None] = {
        "netsuite": netsuite_ledger(config["netsuite"]),
        "dynamics365": dynamics365_ledger(config["dynamics365"]),
        "legacy": legacy_ledger(config["legacy"]),
    }
    ledgers: dict[str, ErpLedger] = {"sandbox": SandboxLedger(sandbox_records)}
    ledgers.update({erp: ledger for erp, ledger in built.items() if ledger is not None})
    try:
        yield ledgers
    finally:
        for ledger in ledgers.values():
            close = getattr(ledger, "close", None)
            if close is not None:
                close()
