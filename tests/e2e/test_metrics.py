"""Metrics end to end: a closed-won engagement provisioned through the API shows in the figures
operations read by `GetMetricsSummary` and Prometheus scrapes, beside the per-RPC counters."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families
from support.auth import call_metadata
from support.requests import closed_won
from support.service import service_on
from support.statuses import refusal_of
from support.waiting import eventually

from entrypoints.runtime import Runtime
from o2c.v1 import engagement_pb2_grpc, operations_pb2, operations_pb2_grpc

SUMMARY = "/o2c.v1.OperationsService/GetMetricsSummary"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, nats_url: str) -> Iterator[Runtime]:
    scratch = tmp_path_factory.mktemp("o2c")
    yield from service_on("sqlite", scratch, nats_url, O2C_METRICS_CACHE_SECONDS="0")


@pytest.fixture
def operations(channel) -> operations_pb2_grpc.OperationsServiceStub:
    return operations_pb2_grpc.OperationsServiceStub(channel)


def summary(operations, system: str = "operations") -> operations_pb2.GetMetricsSummaryResponse:
    return operations.GetMetricsSummary(
        operations_pb2.GetMetricsSummaryRequest(), metadata=call_metadata(system)
    )


def scrape(service: Runtime) -> dict[str, list[tuple[dict[str, str], float]]]:
    assert service.observability is not None and service.observability.endpoint is not None
    port = service.observability.endpoint.port
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        assert answer.headers["Content-Type"].startswith("text/plain")
        text = answer.read().decode()
    return {
        sample.name: [(s.labels, s.value) for s in family.samples if s.name == sample.name]
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_provisioned_engagement_counts_as_a_project_created_in_the_summary(
    service, engagements: engagement_pb2_grpc.EngagementServiceStub, operations, run_key
):
    engagements.CreateServiceEngagement(closed_won(f"METRICS{run_key}"))

    assert eventually(lambda: summary(operations).project_creation.succeeded == 1)
    figures = summary(operations)
    assert (figures.project_creation.failed, figures.project_creation.ratio) == (0, 1.0)
    assert {item.owner_role for item in figures.exceptions} == {1, 2, 3, 4}
    assert figures.compute_time.seconds > 0


def test_only_operations_and_admin_read_the_summary(operations):
    refusal = refusal_of(lambda: summary(operations, system="crm"))

    assert refusal.code == grpc.StatusCode.PERMISSION_DENIED
    assert summary(operations, system="admin").project_creation is not None


def test_prometheus_reads_business_figures_and_calls_by_method_and_code(service, operations):
    summary(operations)
    with pytest.raises(grpc.RpcError):
        summary(operations, system="crm")

    series = scrape(service)

    assert series["o2c_metrics_database_up"] == [({}, 1.0)]
    assert ({"outcome": "succeeded"}, 1.0) in series["o2c_project_creations_total"]
    denied = {"method": SUMMARY, "code": "PERMISSION_DENIED"}
    assert [value for labels, value in series["o2c_rpc_errors_total"] if labels == denied] >= [1]
    ok = [value for labels, value in series["o2c_rpc_requests_total"] if labels["code"] == "OK"]
    assert ok and all(value >= 1 for value in ok)
    timed = series["o2c_rpc_duration_seconds_count"]
    counted = [value for labels, value in timed if labels["method"] == SUMMARY]
    assert counted and counted[0] >= 2
    assert "o2c_approved_time_to_invoice_seconds_bucket" in series
    assert "o2c_exception_time_to_resolution_seconds_bucket" in series
