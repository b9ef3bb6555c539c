"""Business metrics for Prometheus, read from the database at scrape time so that every replica
reports the same truth; cached a few seconds so that many scrapers cost one read."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import structlog
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from adapters.metrics.figures import Figures, Latencies, SuccessRate

log = structlog.get_logger("o2c.metrics")

HOUR = 3600.0
DAY = 24 * HOUR
INVOICE_BOUNDS = (HOUR, 4 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 60 * DAY, 90 * DAY)
RESOLUTION_BOUNDS = (300.0, 900.0, HOUR, 4 * HOUR, DAY, 3 * DAY, 7 * DAY, 30 * DAY)
RATES = (
    ("project_creations", "project_creation", "Provisioning sagas decided, by outcome"),
    ("invoice_postings", "invoice_posting", "Invoice postings to an ERP decided, by outcome"),
    ("payment_status_syncs", "payment_status_sync", "Payment statuses pushed to the CRM"),
)


class CachedFigures:
    """The last figures read, kept `seconds`; one reader at a time."""

    def __init__(
        self,
        read: Callable[[], Figures],
        seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.read, self.seconds, self.monotonic = read, seconds, monotonic
        self.lock = threading.Lock()
        self.figures: Figures | None = None
        self.read_at = 0.0

    def __call__(self) -> Figures:
        with self.lock:
            if self.figures is None or self.monotonic() - self.read_at >= self.seconds:
                self.figures = self.read()
                self.read_at = self.monotonic()
            return self.figures


class BusinessMetrics(Collector):
    """The `o2c_*` business series; `o2c_metrics_database_up` says whether they could be read."""

    def __init__(self, figures: Callable[[], Figures]) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        try:
            figures = self.figures()
        except Exception:  # a scrape must answer even when the database does not
            log.exception("metrics unreadable")
            yield GaugeMetricFamily("o2c_metrics_database_up", "Figures read", value=0)
            return
        yield GaugeMetricFamily("o2c_metrics_database_up", "Figures read", value=1)
        for name, figure, text in RATES:
            yield from rate_series(name, figure, text, getattr(figures, figure))
        yield latency_series(
            "o2c_approved_time_to_invoice_seconds",
            "From a billable event's approval to the finalisation of the invoice that bills it",
            {(): figures.approved_time_to_invoice},
            INVOICE_BOUNDS,
        )
        yield from exception_series(figures)
        variances = GaugeMetricFamily(
            "o2c_reconciliation_variances",
            "Open variances found by reconciliation controls, by control",
            labels=["control"],
        )
        for item in figures.reconciliation_variances:
            variances.add_metric([item.control], item.variances)
        yield variances


def rate_series(name: str, figure: str, text: str, rate: SuccessRate) -> Iterator[Metric]:
    """`o2c_<name>_total{outcome}`: failed counts the parked (held) as well as the failed."""
    total = CounterMetricFamily(f"o2c_{name}", text, labels=["outcome"])
    total.add_metric(["succeeded"], rate.succeeded)
    total.add_metric(["failed"], rate.failed)
    yield total
    ratio = GaugeMetricFamily(
        f"o2c_{figure}_success_ratio", f"{text}: the share that succeeded (NaN before any)"
    )
    ratio.add_metric([], float("nan") if rate.ratio is None else rate.ratio)
    yield ratio


def latency_series(
    name: str,
    text: str,
    samples: dict[tuple[str, ...], Latencies],
    bounds: tuple[float, ...],
    labels: tuple[str, ...] = (),
) -> HistogramMetricFamily:
    histogram = HistogramMetricFamily(name, text, labels=list(labels))
    for values, latencies in samples.items():
        histogram.add_metric(list(values), latencies.buckets(bounds), latencies.total)
    return histogram


def exception_series(figures: Figures) -> Iterator[Metric]:
    yield latency_series(
        "o2c_exception_time_to_resolution_seconds",
        "From an exception's parking to its resolution, by owner role",
        {(role.value,): found for role, found in figures.time_to_resolution.items()},
        RESOLUTION_BOUNDS,
        labels=("owner_role",),
    )
    open_now = GaugeMetricFamily(
        "o2c_open_exceptions",
        "Exceptions not yet resolved or discarded, by owner role and workflow",
        labels=["owner_role", "workflow"],
    )
    for item in figures.open_exceptions:
        open_now.add_metric([item.owner_role.value, item.workflow.value], item.open)
    yield open_now
