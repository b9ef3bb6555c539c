"""The controls API: run the reconciliation controls now, and list the runs kept. The methods
read the request, call the controls and answer."""

from __future__ import annotations

import grpc

from application.controls.report import Control, ControlReport, Measure, VarianceKind
from application.controls.run import Controls, check_may_run
from application.controls.runs import ControlRun
from domain.errors import DomainError
from entrypoints.grpc.erp_routing_messages import timestamp
from entrypoints.grpc.errors import abort_with
from entrypoints.grpc.page_tokens import after_place, keyed_page_token, page_size
from entrypoints.grpc.servicers import proven_caller
from o2c.v1 import controls_pb2, controls_pb2_grpc

CONTROL_NUMBERS = {
    control: controls_pb2.Control.Value(f"CONTROL_{control.name}") for control in Control
}
CONTROLS = {number: control for control, number in CONTROL_NUMBERS.items()}
KIND_NUMBERS = {
    kind: controls_pb2.ControlVarianceKind.Value(f"CONTROL_VARIANCE_KIND_{kind.name}")
    for kind in VarianceKind
}


class ControlServicer(controls_pb2_grpc.ControlServiceServicer):
    def __init__(self, controls: Controls) -> None:
        self.controls = controls

    def RunControls(
        self, request: controls_pb2.RunControlsRequest, context: grpc.ServicerContext
    ) -> controls_pb2.RunControlsResponse:
        try:
            check_may_run(proven_caller(), request.legal_entity_code)
            reports = self.controls.run(CONTROLS.get(request.control), request.legal_entity_code)
        except DomainError as error:
            abort_with(context, error)
        return controls_pb2.RunControlsResponse(reports=[report_message(r) for r in reports])

    def ListControlRuns(
        self, request: controls_pb2.ListControlRunsRequest, context: grpc.ServicerContext
    ) -> controls_pb2.ListControlRunsResponse:
        matching = ("control_runs", request.control, request.legal_entity_code)
        try:
            check_may_run(proven_caller(), request.legal_entity_code)
            before, limit = after_place(request.page_token, matching), page_size(request)
            control = CONTROLS.get(request.control)
            found = self.controls.runs(control, request.legal_entity_code, before, limit + 1)
        except DomainError as error:
            abort_with(context, error)
        page = found[:limit]
        last = str(page[-1].seq) if len(found) > limit else None
        return controls_pb2.ListControlRunsResponse(
            runs=[run_message(run) for run in page],
            next_page_token=keyed_page_token(last, matching),
        )


def run_message(run: ControlRun) -> controls_pb2.ControlRun:
    return controls_pb2.ControlRun(seq=run.seq, report=report_message(run.report))


def report_message(report: ControlReport) -> controls_pb2.ControlReport:
    return controls_pb2.ControlReport(
        control=CONTROL_NUMBERS[report.control],
        legal_entity_code=report.legal_entity_code,
        left=report.left[:255],
        right=report.right[:255],
        matched=report.matched,
        variances=[
            controls_pb2.ControlVariance(
                business_key=v.business_key[:128],
                kind=KIND_NUMBERS[v.kind],
                left=amount_message(v.left),
                right=amount_message(v.right),
            )
            for v in report.variances
        ],
        ran_at=timestamp(report.ran_at),
        parked=report.parked,
        note=report.note[:2000],
        balanced=report.balanced,
    )


def amount_message(measure: Measure | None) -> controls_pb2.ControlAmount | None:
    if measure is None:
        return None
    return controls_pb2.ControlAmount(
        amount=str(measure.amount), unit=measure.unit[:32], status=measure.status[:32]
    )
