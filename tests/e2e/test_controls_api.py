"""RunControls and ListControlRuns over the API, on the running service: work the sandbox PSA
approved that o2c never staged is found by the PSA-against-billing control, parked for the PMO
once, and each run is kept and listed newest first."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest

from application.psa_work_ports import ApprovedWork
from o2c.v1 import controls_pb2, controls_pb2_grpc


@pytest.fixture
def controls(channel):
    return controls_pb2_grpc.ControlServiceStub(channel)


def variances_of(response, key: str) -> list:
    return [v for report in response.reports for v in report.variances if v.business_key == key]


def test_work_the_psa_approved_and_o2c_never_staged_is_reported_parked_once_and_kept(
    controls, service, run_key
):
    source_id = f"TC-{run_key}"
    work = ApprovedWork(source_id, "time", f"NO-SUCH-PROJECT-{run_key}", "2026-11-19", hours="6")
    service.container.psa().approve(work, dt.datetime.now(dt.UTC).date())
    psa_vs_billing = controls_pb2.RunControlsRequest(control=controls_pb2.CONTROL_PSA_VS_BILLING)

    first = controls.RunControls(psa_vs_billing)
    again = controls.RunControls(psa_vs_billing)

    [variance] = variances_of(first, source_id)
    assert variance.kind == controls_pb2.CONTROL_VARIANCE_KIND_MISSING_ON_RIGHT
    assert (variance.left.amount, variance.left.unit) == ("6", "h")
    assert not variance.HasField("right")
    assert first.reports[0].parked >= 1 and again.reports[0].parked == 0
    assert len(variances_of(again, source_id)) == 1
    runs = controls.ListControlRuns(
        controls_pb2.ListControlRunsRequest(
            control=controls_pb2.CONTROL_PSA_VS_BILLING, page_size=1
        )
    )
    assert len(runs.runs) == 1 and runs.next_page_token
    assert runs.runs[0].report.variances == again.reports[0].variances


def test_every_control_runs_when_none_is_named(controls):
    response = controls.RunControls(controls_pb2.RunControlsRequest())

    assert {report.control for report in response.reports} == {
        controls_pb2.CONTROL_PSA_VS_BILLING,
        controls_pb2.CONTROL_BILLING_VS_ERP,
        controls_pb2.CONTROL_PAYMENTS_VS_CRM,
        controls_pb2.CONTROL_DUAL_WRITE,
    }


def test_an_undefined_control_is_refused_naming_the_field(controls):
    with pytest.raises(grpc.RpcError) as refused:
        controls.RunControls(controls_pb2.RunControlsRequest(control=99))

    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "control" in (refused.value.details() or "")
