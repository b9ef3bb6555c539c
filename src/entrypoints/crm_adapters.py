"""The CRM adapters o2c can be given (O2C_CRM): the sandbox, or Salesforce over its REST API."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from adapters.vendors.salesforce.crm import SalesforceCrm
from adapters.vendors.salesforce.mapping import load_mapping
from adapters.vendors.salesforce.settings import SalesforceSettings
from entrypoints.settings import SettingError


def salesforce_settings(config: Mapping[str, Any]) -> SalesforceSettings:
    """The org at O2C_SALESFORCE_LOGIN_URL, signed in as the integration user by the JWT bearer
    flow with the key in O2C_SALESFORCE_PRIVATE_KEY_FILE, read through the firm's mapping."""
    try:
        key = Path(config["private_key_file"]).read_bytes()
    except OSError as error:
        raise SettingError(f"O2C_SALESFORCE_PRIVATE_KEY_FILE cannot be read: {error}") from None
    return SalesforceSettings(
        login_url=config["login_url"],
        client_id=config["client_id"],
        username=config["username"],
        private_key_pem=key,
        audience=config["audience"],
        mapping=load_mapping(config["mapping"]),
    )


def salesforce_crm(config: Mapping[str, Any]) -> Iterator[SalesforceCrm]:
    crm = SalesforceCrm(salesforce_settings(config))
    try:
        yield crm
    finally:
        crm.close()
