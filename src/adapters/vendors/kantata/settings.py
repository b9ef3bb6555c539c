"""How o2c reaches one Kantata account. What vendors.md does not confirm is a setting here
rather than a fixed value: the rate limit's window (o2c backs off on its own schedule, as Kantata
sends no Retry-After), how far before the day asked for an approved time entry may have been
performed, and the kind of story a change order is recorded as."""

from __future__ import annotations

from attrs import field, frozen
from attrs.validators import in_

from adapters.vendors.kantata.mapping import KantataMapping, load_mapping


@frozen
class KantataSettings:
    url: str  # the API's base, https://api.mavenlink.com/api/v1/
    token: str = field(repr=False)  # a bearer token: an OAuth access token or an API token
    mapping: KantataMapping = field(factory=load_mapping)
    service_name: str = "o2c"  # names o2c on every external reference it writes
    per_page: int = field(default=200, validator=in_(range(1, 201)))
    performed_within_days: int = 366
    change_order_story_type: str = field(
        default="deliverable", validator=in_(("task", "deliverable", "milestone"))
    )
    # Seconds to wait after the 1st, 2nd, ... 429 in a row; the last one repeats.
    rate_limit_backoff: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
    connect_timeout: float = 5.0
    read_timeout: float = 30.0

    @property
    def base_url(self) -> str:
        return self.url if self.url.endswith("/") else f"{self.url}/"
