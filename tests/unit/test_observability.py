"""What operations see of a running o2c: JSON log lines with the correlation id, per-RPC counters,
a span per call when tracing is on, and business figures in Prometheus's text format."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import grpc
import pytest
import structlog
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from adapters.metrics.figures import Figures, Latencies, OpenExceptions, SuccessRate, Variances
from domain.exception_case import OwnerRole, Workflow
from entrypoints.grpc.observed import Measured, RpcMetrics
from entrypoints.log_format import configure_logging
from entrypoints.metrics import BusinessMetrics, CachedFigures
from entrypoints.tracing import tracing_with

METHOD = "/o2c.v1.BillingService/ApproveBillableEvent"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class CallContext:
    """What a servicer sees of its call: the metadata sent, and the code the call ends with."""

    def __init__(self, metadata: tuple[tuple[str, str], ...] = ()) -> None:
        self.metadata, self.ended_with = metadata, None

    def invocation_metadata(self):
        return self.metadata

    def code(self):
        return self.ended_with

    def abort(self, code: grpc.StatusCode, details: str):
        self.ended_with = code
        raise Exception(details)


def answering(request, context):
    return "approved"


def refusing(request, context):
    context.abort(grpc.StatusCode.PERMISSION_DENIED, "a crm caller may not approve time")


def crashing(request, context):
    raise RuntimeError("bug")


@pytest.fixture
def restored_logging():
    yield
    structlog.reset_defaults()


def test_a_json_log_line_carries_the_correlation_id_bound_for_the_call(capsys, restored_logging):
    configure_logging("INFO", "json")
    with structlog.contextvars.bound_contextvars(correlation_id="corr-42"):
        structlog.get_logger("o2c").info("invoice posted", invoice_number="INV-1")
    structlog.get_logger("o2c").info("after the call")

    during, after = (json.loads(line) for line in capsys.readouterr().out.splitlines())

    assert during["correlation_id"] == "corr-42"
    assert (during["event"], during["level"], during["invoice_number"]) == (
        "invoice posted",
        "info",
        "INV-1",
    )
    assert during["timestamp"].endswith("Z")
    assert "correlation_id" not in after


def test_console_logs_are_key_value_lines_for_a_human(capsys, restored_logging):
    configure_logging("INFO", "console")
    structlog.get_logger("o2c").info("o2c serving", port=50051)

    assert "event='o2c serving'" in capsys.readouterr().out


def test_each_call_is_counted_by_method_and_code_and_timed_by_method():
    metrics = RpcMetrics(registry := CollectorRegistry())
    measured = Measured(metrics)
    measured.measured(answering, METHOD)("request", CallContext())
    for handler in (refusing, crashing):
        with pytest.raises(Exception):  # noqa: B017 - whatever the handler raised goes on
            measured.measured(handler, METHOD)("request", CallContext())

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, {"method": METHOD, **labels})

    assert value("o2c_rpc_requests_total", code="OK") == 1
    assert value("o2c_rpc_requests_total", code="PERMISSION_DENIED") == 1
    assert value("o2c_rpc_requests_total", code="UNKNOWN") == 1
    assert value("o2c_rpc_errors_total", code="PERMISSION_DENIED") == 1
    assert value("o2c_rpc_errors_total", code="OK") is None
    assert value("o2c_rpc_duration_seconds_count") == 3


def test_with_tracing_each_call_is_a_span_with_its_method_code_and_correlation_id():
    exporter = InMemorySpanExporter()
    tracing = tracing_with(exporter)
    traced = tracing.interceptor.traced
    traced(answering, METHOD)("request", CallContext((("x-correlation-id", "corr-7"),)))
    with pytest.raises(Exception):  # noqa: B017
        traced(refusing, METHOD)("request", CallContext())
    tracing.stop()

    answered, refused = exporter.get_finished_spans()

    assert answered.name == METHOD
    assert answered.attributes["rpc.method"] == METHOD
    assert answered.attributes["rpc.grpc.status"] == "OK"
    assert answered.attributes["o2c.correlation_id"] == "corr-7"
    assert answered.status.status_code is StatusCode.UNSET
    assert refused.attributes["rpc.grpc.status"] == "PERMISSION_DENIED"
    assert refused.status.status_code is StatusCode.ERROR
    assert "o2c.correlation_id" not in refused.attributes


def test_without_an_otlp_endpoint_nothing_of_opentelemetry_is_imported():
    script = (
        "import sys; import entrypoints.runtime; from entrypoints.tracing import tracing_for;"
        "assert tracing_for('') is None;"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )

    assert done.stdout.strip() == "[]"


def some_figures() -> Figures:
    hour = 3600.0
    return Figures(
        computed_at=NOW,
        project_creation=SuccessRate(succeeded=3, failed=1),
        invoice_posting=SuccessRate(),
        payment_status_sync=SuccessRate(succeeded=5),
        approved_time_to_invoice=Latencies((2 * hour, 30 * hour, 100 * 24 * hour)),
        time_to_resolution={role: Latencies() for role in OwnerRole}
        | {OwnerRole.FINANCE: Latencies((600.0,))},
        open_exceptions=(OpenExceptions(OwnerRole.PMO, Workflow.CLOSED_WON_TO_ENGAGEMENT, 2),),
        reconciliation_variances=(Variances("LEDGER_VARIANCE", 4),),
    )


def scraped(collector: BusinessMetrics) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    registry = CollectorRegistry()
    registry.register(collector)
    text = generate_latest(registry).decode()
    found: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_business_figures_read_as_prometheus_counters_ratios_histograms_and_gauges():
    series = scraped(BusinessMetrics(some_figures))

    assert series["o2c_project_creations_total"] == {
        (("outcome", "succeeded"),): 3,
        (("outcome", "failed"),): 1,
    }
    assert series["o2c_project_creation_success_ratio"][()] == 0.75
    assert (
        series["o2c_invoice_posting_success_ratio"][()]
        != series["o2c_invoice_posting_success_ratio"][()]
    )  # NaN: no posting decided yet
    buckets = series["o2c_approved_time_to_invoice_seconds_bucket"]
    assert buckets[(("le", "14400.0"),)] == 1
    assert buckets[(("le", "172800.0"),)] == 2
    assert buckets[(("le", "+Inf"),)] == 3
    resolution = series["o2c_exception_time_to_resolution_seconds_count"]
    assert resolution[(("owner_role", "finance"),)] == 1
    assert resolution[(("owner_role", "pmo"),)] == 0
    assert series["o2c_open_exceptions"] == {
        (("owner_role", "pmo"), ("workflow", "closed_won_to_engagement")): 2
    }
    assert series["o2c_reconciliation_variances"] == {(("control", "LEDGER_VARIANCE"),): 4}
    assert series["o2c_metrics_database_up"] == {(): 1}


def test_a_scrape_still_answers_when_the_database_does_not():
    def unreachable() -> Figures:
        raise ConnectionError("database down")

    assert scraped(BusinessMetrics(unreachable)) == {"o2c_metrics_database_up": {(): 0}}


def test_figures_are_read_once_for_every_scrape_within_the_cache_time():
    reads, clock = [], [100.0]

    def read() -> Figures:
        reads.append(clock[0])
        return some_figures()

    cached = CachedFigures(read, seconds=10, monotonic=lambda: clock[0])
    cached()
    clock[0] += 9.9
    cached()
    clock[0] += 0.1
    cached()

    assert reads == [100.0, 110.0]
