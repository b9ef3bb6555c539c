"""The embedded default's ERPs: NetSuite, Dynamics 365 and the legacy ERP simulated in-process
on loopback, each standing in for an ERP whose URL is not set, with the credentials they need
made here. `start` answers the settings that point o2c's adapters at them.

The codes each simulated ERP knows the legal entities by, for routes (`ErpRoutingService`):

| legal entity | NetSuite subsidiary | Dynamics 365 dataAreaId | legacy org id |
|---|---|---|---|
| US01 | US-SUB-1 | USMF | US-OU-1 |
| GB01 | GB-SUB-2 | GBSI | GB-OU-1 |
| DE01 | DE-SUB-3 | DEMF | DE-OU-1 |
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.vendors.netsuite.settings import NEW_ACCOUNT_CURRENCIES
from entrypoints.settings import redact
from simulators.dynamics365 import Dynamics365Simulator
from simulators.legacy_erp import LegacyErp
from simulators.legacy_erp_reference import keep_operating_unit
from simulators.netsuite import NetSuiteSimulator
from simulators.netsuite_auth import Integration

NETSUITE_SUBSIDIARIES = {"US01": "US-SUB-1", "GB01": "GB-SUB-2", "DE01": "DE-SUB-3"}
DYNAMICS365_COMPANIES = {"US01": "USMF", "GB01": "GBSI", "DE01": "DEMF"}
LEGACY_ORG_IDS = {"US01": "US-OU-1", "GB01": "GB-OU-1", "DE01": "DE-OU-1"}
# Where each simulated legal entity is and what it keeps its books in: the ERPs' own master data.
PLACES = {"US01": ("US", "USD"), "GB01": ("GB", "GBP"), "DE01": ("DE", "EUR")}
DYNAMICS365_COUNTRIES = {"US": "USA", "GB": "GBR", "DE": "DEU"}  # D365 keeps ISO alpha-3
NETSUITE_CLIENT_ID = "o2c-embedded"
NETSUITE_CERTIFICATE_ID = "o2c-embedded-cert"
NETSUITE_KEY_FILE = "netsuite-private-key.pem"
IMPORT_EVERY_SECONDS = 0.05

log = structlog.get_logger("o2c")


class Simulator(Protocol):
    def stop(self) -> None: ...


class EmbeddedErps:
    def __init__(self, directory: Path, keys_directory: Path) -> None:
        self.directory = directory
        self.keys_directory = keys_directory
        self.running: list[Simulator] = []

    def start(self, values: Mapping[str, str]) -> dict[str, str]:
        """The settings of each ERP simulated, for every ERP whose URL `values` leave empty."""
        starters: dict[str, Callable[[], dict[str, str]]] = {
            "O2C_NETSUITE_URL": self.netsuite,
            "O2C_DYNAMICS365_URL": self.dynamics365,
            "O2C_LEGACY_ERP_DATABASE_URL": self.legacy_erp,
        }
        found: dict[str, str] = {}
        for url_setting, start in starters.items():
            if not values[url_setting]:
                found.update(start())
        return found

    def stop(self) -> None:
        for simulator in reversed(self.running):
            with contextlib.suppress(Exception):
                simulator.stop()
        self.running.clear()

    def netsuite(self) -> dict[str, str]:
        key_file = netsuite_key(self.keys_directory)
        integration = Integration(
            NETSUITE_CLIENT_ID, NETSUITE_CERTIFICATE_ID, public_pem(key_file.read_bytes())
        )
        subsidiaries = frozenset(NETSUITE_SUBSIDIARIES.values())
        account = NetSuiteSimulator(integration, subsidiaries=subsidiaries).start()
        self.running.append(account)
        for code, subsidiary in NETSUITE_SUBSIDIARIES.items():
            country, currency = PLACES[code]
            account.master.keep_subsidiary(
                subsidiary, f"Example Consulting {code}", country, NEW_ACCOUNT_CURRENCIES[currency]
            )
        log.info("simulated ERP started", erp="netsuite", url=account.url)
        return {
            "O2C_NETSUITE_URL": account.url,
            "O2C_NETSUITE_CLIENT_ID": NETSUITE_CLIENT_ID,
            "O2C_NETSUITE_CERTIFICATE_ID": NETSUITE_CERTIFICATE_ID,
            "O2C_NETSUITE_PRIVATE_KEY_FILE": str(key_file),
        }

    def dynamics365(self) -> dict[str, str]:
        companies = tuple(DYNAMICS365_COMPANIES.values())
        environment = Dynamics365Simulator(
            client_secret=secrets.token_urlsafe(32), companies=companies
        ).start()
        self.running.append(environment)
        for code, company in DYNAMICS365_COMPANIES.items():
            country, currency = PLACES[code]
            environment.keep(
                "LegalEntities",
                {
                    "LegalEntityId": company,
                    "Name": f"Example Consulting {code}",
                    "AddressCountryRegionId": DYNAMICS365_COUNTRIES[country],
                },
            )
            environment.keep("Ledgers", {"LegalEntityId": company, "AccountingCurrency": currency})
        log.info("simulated ERP started", erp="dynamics365", url=environment.url)
        return {
            "O2C_DYNAMICS365_URL": environment.url,
            "O2C_DYNAMICS365_TENANT": environment.tenant,
            "O2C_DYNAMICS365_CLIENT_ID": environment.client_id,
            "O2C_DYNAMICS365_CLIENT_SECRET": environment.client_secret,
            "O2C_DYNAMICS365_CLIENT_SECRET_FILE": "",
            "O2C_DYNAMICS365_AUTHORITY": environment.url,
        }

    def legacy_erp(self) -> dict[str, str]:
        self.directory.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{self.directory / LEGACY_ERP_FILE}"
        database = LegacyErp(url).install()
        with database.back_office() as connection:
            for code, organization_id in LEGACY_ORG_IDS.items():
                country, currency = PLACES[code]
                keep_operating_unit(
                    connection,
                    organization_id=organization_id,
                    name=f"Example Consulting {code}",
                    country=country,
                    currency_code=currency,
                )
        database.start(every=IMPORT_EVERY_SECONDS)
        self.running.append(database)
        log.info("simulated ERP started", erp="legacy", url=redact(url))
        return {"O2C_LEGACY_ERP_DATABASE_URL": url}


# The simulated legacy ERP keeps its tables in a file that outlives the server. Its schema grew
# (customers as parties and accounts, the master data), so it is a new file: the one an earlier
# o2c made is left beside it untouched rather than read with tables it lacks.
LEGACY_ERP_FILE = "legacy_erp.v2.db"


def netsuite_key(directory: Path) -> Path:
    """The integration's private key, made on first use and kept (0600) like the dev keys."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / NETSUITE_KEY_FILE
    with contextlib.suppress(FileExistsError):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(new_private_pem())
    return path


def new_private_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem(private_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem, password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
