"""How o2c reaches Certinia: the Salesforce org it runs on (sign-in, API version, limits, as
the Salesforce adapter takes them), the firm's mapping of Certinia's fields, and how a project
o2c made is taken back when provisioning is undone."""

from __future__ import annotations

from typing import Any

from attrs import field, frozen
from attrs.validators import in_

from adapters.vendors.certinia.mapping import CertiniaMapping, load_mapping
from adapters.vendors.salesforce.settings import SalesforceSettings

# Composite subrequests name the project an upsert answered; an upsert that updates answers
# its id only from this version on.
OLDEST_API_VERSION = 46.0


def recent_enough(_: Any, __: Any, org: SalesforceSettings) -> None:
    if float(org.api_version) < OLDEST_API_VERSION:
        raise ValueError(
            f"Certinia needs Salesforce API v{OLDEST_API_VERSION} or later, not v{org.api_version}"
        )


@frozen
class CertiniaSettings:
    org: SalesforceSettings = field(validator=recent_enough)
    mapping: CertiniaMapping = field(factory=load_mapping)
    # "delete": the project and its milestones are deleted (to the org's recycle bin);
    # "deactivate": the project is made inactive and it and its milestones lose o2c's external
    # ids, so that the work package's next project is a new one.
    removal: str = field(default="delete", validator=in_(("delete", "deactivate")))
