"""The figures themselves: success rates, latencies as samples, open exceptions and variances."""

from __future__ import annotations

import bisect
import datetime as dt
import math

from attrs import frozen

from domain.exception_case import OwnerRole, Workflow


@frozen
class SuccessRate:
    succeeded: int = 0
    failed: int = 0

    @property
    def ratio(self) -> float | None:
        decided = self.succeeded + self.failed
        return self.succeeded / decided if decided else None


@frozen
class Latencies:
    """Every measured duration in seconds, sorted; a histogram or a summary is cut from them."""

    seconds: tuple[float, ...] = ()

    @classmethod
    def between(cls, pairs: list[tuple[dt.datetime, dt.datetime]]) -> Latencies:
        return cls(tuple(sorted(max((end - start).total_seconds(), 0.0) for start, end in pairs)))

    @property
    def count(self) -> int:
        return len(self.seconds)

    @property
    def total(self) -> float:
        return math.fsum(self.seconds)

    def quantile(self, share: float) -> float:
        """The nearest-rank quantile; 0 with no sample."""
        if not self.seconds:
            return 0.0
        rank = max(math.ceil(share * len(self.seconds)), 1)
        return self.seconds[rank - 1]

    def buckets(self, bounds: tuple[float, ...]) -> list[tuple[str, int]]:
        """Cumulative counts at or under each bound, then `+Inf`, as Prometheus wants them."""
        counted = [(str(bound), bisect.bisect_right(self.seconds, bound)) for bound in bounds]
        return [*counted, ("+Inf", self.count)]


@frozen
class OpenExceptions:
    owner_role: OwnerRole
    workflow: Workflow
    open: int


@frozen
class Variances:
    """Variances a reconciliation control found that are still to be settled."""

    control: str
    variances: int


@frozen
class Figures:
    computed_at: dt.datetime
    project_creation: SuccessRate
    invoice_posting: SuccessRate
    payment_status_sync: SuccessRate
    approved_time_to_invoice: Latencies
    time_to_resolution: dict[OwnerRole, Latencies]
    open_exceptions: tuple[OpenExceptions, ...]
    reconciliation_variances: tuple[Variances, ...]

    def open_for(self, role: OwnerRole) -> int:
        return sum(item.open for item in self.open_exceptions if item.owner_role is role)
