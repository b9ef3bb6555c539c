"""How o2c reaches one Zuora tenant: its REST base, the OAuth client it signs in with, the API
version it asks for, and how it paces itself. What vendors.md leaves unconfirmed (the date
format of the usage file, which follows the integration user's locale; how long an import takes)
is a setting rather than a fixed value. Which field and catalog charge hold what is the
mapping's business."""

from __future__ import annotations

from attrs import field, frozen
from attrs.validators import ge, gt, in_, le, matches_re

from adapters.vendors.zuora.mapping import ZuoraMapping, load_mapping


@frozen
class ZuoraSettings:
    url: str  # the tenant's REST base: https://rest.zuora.com, https://rest.apisandbox.zuora.com
    client_id: str
    client_secret: str = field(repr=False)
    mapping: ZuoraMapping = field(factory=load_mapping)
    api_version: str = field(default="2024-05-20", validator=matches_re(r"\d{4}-\d{2}-\d{2}"))
    entity_id: str = ""  # Zuora-Entity-Ids, for a token valid in more than one entity
    usage_date_format: str = "%m/%d/%Y"  # STARTDATE/ENDDATE in the user's locale (en_US)
    usage_records_per_file: int = field(default=10_000, validator=[gt(0), le(50_000)])
    import_poll_seconds: float = field(default=1.0, validator=ge(0))
    import_polls: int = field(default=60, validator=gt(0))
    invoices_per_page: int = field(default=40, validator=in_(range(1, 41)))
    # Renew the token this many seconds before Zuora says it expires.
    token_margin_seconds: float = field(default=60.0, validator=ge(0))
    # When a 429 names no reset, o2c waits this long.
    rate_limit_backoff_seconds: float = field(default=5.0, validator=ge(0))
    connect_timeout: float = 5.0
    read_timeout: float = 60.0

    @property
    def base_url(self) -> str:
        return self.url.rstrip("/")
