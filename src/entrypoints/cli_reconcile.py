"""`o2c reconcile [CONTROL]`: runs the reconciliation controls now and shows what each matched
and every variance by business key; the server parks each variance for its owner."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from entrypoints.cli_client import AddressOption, JsonOption, TokenOption, server_channel
from entrypoints.cli_output import Output, as_dict, table
from entrypoints.cli_values import enum_value, short_name, short_names
from o2c.v1 import controls_pb2, controls_pb2_grpc

CONTROL, CONTROL_PREFIX = controls_pb2.Control.DESCRIPTOR, "CONTROL_"
KIND, KIND_PREFIX = controls_pb2.ControlVarianceKind.DESCRIPTOR, "CONTROL_VARIANCE_KIND_"
UNBALANCED = 3


def reconcile(
    control: Annotated[
        str,
        typer.Argument(
            metavar="CONTROL",
            help=f"one of {', '.join(short_names(CONTROL, CONTROL_PREFIX))}; every one if none",
            show_default=False,
        ),
    ] = "",
    legal_entity: Annotated[str, typer.Option(help="only this legal entity's documents")] = "",
    strict: Annotated[
        bool, typer.Option(help=f"exit {UNBALANCED} when a report has variances")
    ] = False,
    address: AddressOption = "",
    token: TokenOption = "",
    json: JsonOption = False,
) -> None:
    """Run the reconciliation controls now: matched counts and each variance."""
    request = controls_pb2.RunControlsRequest(legal_entity_code=legal_entity)
    if control:
        request.control = enum_value(CONTROL, CONTROL_PREFIX, control, "CONTROL")
    output = Output(json)
    with server_channel(address, token, output) as channel:
        reports = controls_pb2_grpc.ControlServiceStub(channel).RunControls(request).reports
    show_reports(output, reports)
    if strict and not all(report.balanced for report in reports):
        raise typer.Exit(UNBALANCED)


def show_reports(output: Output, reports: Sequence[controls_pb2.ControlReport]) -> None:
    variances = [(report, variance) for report in reports for variance in report.variances]
    output.show(
        {"reports": [as_dict(report) for report in reports]},
        table(
            "reconciliation controls",
            ("control", "legal entity", "left", "right", "matched", "variances", "parked", "note"),
            map(report_row, reports),
        ),
        table(
            f"{len(variances)} variances",
            ("control", "business key", "variance", "left", "right"),
            (variance_row(report, variance) for report, variance in variances),
        ),
    )


def report_row(report: controls_pb2.ControlReport) -> tuple[object, ...]:
    return (
        short_name(CONTROL, CONTROL_PREFIX, report.control),
        report.legal_entity_code or "all",
        report.left,
        report.right,
        report.matched,
        len(report.variances),
        report.parked,
        report.note,
    )


def variance_row(
    report: controls_pb2.ControlReport, variance: controls_pb2.ControlVariance
) -> tuple[str, ...]:
    return (
        short_name(CONTROL, CONTROL_PREFIX, report.control),
        variance.business_key,
        short_name(KIND, KIND_PREFIX, variance.kind),
        shown_amount(variance.left) if variance.HasField("left") else "-",
        shown_amount(variance.right) if variance.HasField("right") else "-",
    )


def shown_amount(amount: controls_pb2.ControlAmount) -> str:
    return " ".join(part for part in (amount.amount, amount.unit, amount.status) if part)
