"""How o2c reaches one Salesforce org: the connected app and integration user it signs in as,
the API version, and how it paces itself against the org's limits. What vendors.md leaves
unconfirmed (how long a session lasts, how long to wait once the allocation is spent) is a
setting rather than a fixed value. Which field holds what is the mapping's business."""

from __future__ import annotations

from attrs import field, frozen
from attrs.validators import ge, gt, le, matches_re

from adapters.vendors.salesforce.mapping import SalesforceMapping, load_mapping


@frozen
class SalesforceSettings:
    login_url: str  # where the token is asked: https://login.salesforce.com, a My Domain URL
    client_id: str  # the connected app's consumer key
    username: str  # the integration user the app is pre-authorised for
    private_key_pem: bytes = field(repr=False)  # signs the JWT; its certificate is on the app
    audience: str = "https://login.salesforce.com"  # https://test.salesforce.com for a sandbox
    api_version: str = field(default="62.0", validator=matches_re(r"\d{2}\.0"))
    mapping: SalesforceMapping = field(factory=load_mapping)
    concurrency_limit: int = field(default=25, validator=gt(0))
    assertion_seconds: int = field(default=180, validator=[gt(0), le(300)])
    # The JWT flow answers no expiry: a token is reused this long, and fetched again on 401.
    session_seconds: float = 3600.0
    # Past this share of the org's allocation, each call waits, longer the nearer the limit.
    slow_down_at: float = field(default=0.8, validator=[gt(0), le(1)])
    longest_pause_seconds: float = field(default=2.0, validator=ge(0))
    # After 403 REQUEST_LIMIT_EXCEEDED no call is sent for this long.
    allocation_backoff_seconds: float = field(default=300.0, validator=ge(0))
    concurrency_backoff_seconds: float = field(default=5.0, validator=ge(0))
    query_batch_size: int | None = None  # Sforce-Query-Options batchSize, 200 to 2000
    connect_timeout: float = 5.0
    read_timeout: float = 60.0

    @property
    def data_path(self) -> str:
        return f"/services/data/v{self.api_version}"
