"""`o2c metrics`: the headline figures operations watch, as the Prometheus endpoint's `o2c_*`
series give them: success rates, approved-time-to-invoice, exceptions and open variances."""

from __future__ import annotations

from entrypoints.cli_client import AddressOption, JsonOption, TokenOption, server_channel
from entrypoints.cli_output import Output, as_dict, table
from entrypoints.cli_values import short_name, shown_duration, shown_time
from o2c.v1 import exceptions_pb2, operations_pb2, operations_pb2_grpc

ROLE, ROLE_PREFIX = exceptions_pb2.OwnerRole.DESCRIPTOR, "OWNER_ROLE_"
WORKFLOW, WORKFLOW_PREFIX = exceptions_pb2.Workflow.DESCRIPTOR, "WORKFLOW_"


def metrics(address: AddressOption = "", token: TokenOption = "", json: JsonOption = False) -> None:
    """Show the metrics summary: success rates, latencies, exceptions, variances."""
    output = Output(json)
    with server_channel(address, token, output) as channel:
        stub = operations_pb2_grpc.OperationsServiceStub(channel)
        summary = stub.GetMetricsSummary(operations_pb2.GetMetricsSummaryRequest())
    rates = {
        "project creation": summary.project_creation,
        "invoice posting": summary.invoice_posting,
        "payment status sync": summary.payment_status_sync,
    }
    latency = summary.approved_time_to_invoice
    output.show(
        as_dict(summary),
        f"figures of {shown_time(summary.compute_time)}",
        table(
            "success rates",
            ("workflow", "succeeded", "failed", "rate"),
            [(name, r.succeeded, r.failed, shown_ratio(r)) for name, r in rates.items()],
        ),
        table(
            "approved time to invoice",
            ("count", "mean", "p50", "p95", "max"),
            [
                (
                    latency.count,
                    *map(shown_duration, (latency.mean, latency.p50, latency.p95, latency.max)),
                )
            ],
        ),
        table(
            "exceptions by owner",
            ("owner", "open", "resolved", "mean time to resolution", "p95"),
            map(owner_row, summary.exceptions),
        ),
        table(
            "open reconciliation variances",
            ("control", "variances"),
            [(v.control, v.variances) for v in summary.reconciliation_variances],
        ),
    )


def latency_row(latency: operations_pb2.LatencySummary) -> tuple[object, ...]:
    if not latency.count:
        return (0, "-", "-", "-", "-")
    shown = (latency.mean, latency.p50, latency.p95, latency.max)
    return (latency.count, *map(shown_duration, shown))


def shown_ratio(rate: operations_pb2.SuccessRate) -> str:
    return f"{rate.ratio:.1%}" if rate.HasField("ratio") else "-"


def owner_row(figures: operations_pb2.ExceptionFigures) -> tuple[object, ...]:
    resolved = figures.time_to_resolution
    return (
        short_name(ROLE, ROLE_PREFIX, figures.owner_role),
        figures.open,
        resolved.count,
        shown_duration(resolved.mean) if resolved.count else "-",
        shown_duration(resolved.p95) if resolved.count else "-",
    )
