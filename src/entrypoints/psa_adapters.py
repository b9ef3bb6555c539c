"""The PSA adapters o2c can be given (O2C_PSA): the sandbox, Kantata over its REST API, or
Certinia on the CRM's Salesforce org (O2C_SALESFORCE_*)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from adapters.vendors.certinia.mapping import load_mapping as load_certinia_mapping
from adapters.vendors.certinia.psa import CertiniaPsa
from adapters.vendors.certinia.settings import CertiniaSettings
from adapters.vendors.kantata.mapping import load_mapping
from adapters.vendors.kantata.psa import KantataPsa
from adapters.vendors.kantata.settings import KantataSettings
from entrypoints.crm_adapters import salesforce_settings
from entrypoints.settings import SettingError


def kantata_psa(config: Mapping[str, Any]) -> Iterator[KantataPsa]:
    """Kantata at O2C_KANTATA_URL with the bearer token in O2C_KANTATA_TOKEN_FILE, read through
    the firm's mapping (O2C_KANTATA_MAPPING, else the packaged one)."""
    try:
        token = Path(config["token_file"]).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise SettingError(f"O2C_KANTATA_TOKEN_FILE cannot be read: {error}") from None
    psa = KantataPsa(KantataSettings(config["url"], token, mapping=load_mapping(config["mapping"])))
    try:
        yield psa
    finally:
        psa.close()


def certinia_psa(config: Mapping[str, Any], org: Mapping[str, Any]) -> Iterator[CertiniaPsa]:
    """Certinia's objects on the Salesforce org the CRM settings name, read and written
    through the firm's Certinia mapping (O2C_CERTINIA_MAPPING, else the packaged one)."""
    settings = CertiniaSettings(
        salesforce_settings(org),
        mapping=load_certinia_mapping(config["mapping"]),
        removal=config["removal"],
    )
    psa = CertiniaPsa(settings)
    try:
        yield psa
    finally:
        psa.close()
