"""`OperationsService.GetMetricsSummary`: the business metrics' headline figures."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from google.protobuf import duration_pb2, timestamp_pb2

from adapters.metrics.figures import Figures, Latencies, SuccessRate
from adapters.proto_values import owner_role_number, workflow_number
from domain.exception_case import OwnerRole
from o2c.v1 import operations_pb2, operations_pb2_grpc


class OperationsServicer(operations_pb2_grpc.OperationsServiceServicer):
    def __init__(self, figures: Callable[[], Figures]) -> None:
        self.figures = figures

    def GetMetricsSummary(
        self, request: operations_pb2.GetMetricsSummaryRequest, context: grpc.ServicerContext
    ) -> operations_pb2.GetMetricsSummaryResponse:
        return summary_message(self.figures())


def summary_message(figures: Figures) -> operations_pb2.GetMetricsSummaryResponse:
    computed = timestamp_pb2.Timestamp()
    computed.FromDatetime(figures.computed_at)
    return operations_pb2.GetMetricsSummaryResponse(
        compute_time=computed,
        project_creation=rate_message(figures.project_creation),
        invoice_posting=rate_message(figures.invoice_posting),
        payment_status_sync=rate_message(figures.payment_status_sync),
        approved_time_to_invoice=latency_message(figures.approved_time_to_invoice),
        exceptions=[
            operations_pb2.ExceptionFigures(
                owner_role=owner_role_number(role),
                open=figures.open_for(role),
                time_to_resolution=latency_message(figures.time_to_resolution[role]),
            )
            for role in OwnerRole
        ],
        open_exceptions=[
            operations_pb2.OpenExceptionCount(
                owner_role=owner_role_number(item.owner_role),
                workflow=workflow_number(item.workflow),
                open=item.open,
            )
            for item in figures.open_exceptions
        ],
        reconciliation_variances=[
            operations_pb2.ReconciliationVariance(control=item.control, variances=item.variances)
            for item in figures.reconciliation_variances
        ],
    )


def rate_message(rate: SuccessRate) -> operations_pb2.SuccessRate:
    message = operations_pb2.SuccessRate(succeeded=rate.succeeded, failed=rate.failed)
    if rate.ratio is not None:
        message.ratio = rate.ratio
    return message


def latency_message(latencies: Latencies) -> operations_pb2.LatencySummary:
    mean = latencies.total / latencies.count if latencies.count else 0.0
    return operations_pb2.LatencySummary(
        count=latencies.count,
        mean=duration(mean),
        p50=duration(latencies.quantile(0.5)),
        p95=duration(latencies.quantile(0.95)),
        max=duration(latencies.seconds[-1] if latencies.seconds else 0.0),
    )


def duration(seconds: float) -> duration_pb2.Duration:
    message = duration_pb2.Duration()
    message.FromMilliseconds(round(seconds * 1000))
    return message
