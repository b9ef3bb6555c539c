"""`o2c billing-cycle`: the cycle run one legal entity at a time, so that its progress bar moves
as each entity's invoices are built (or, with --finalise, numbered and issued)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Annotated

import grpc
import typer
from google.type import date_pb2
from rich.console import Console
from rich.progress import Progress

from adapters.reference.billing_reference import load_billing_reference
from entrypoints import settings
from entrypoints.cli_client import AddressOption, JsonOption, TokenOption, server_channel
from entrypoints.cli_output import Output, as_dict, table
from entrypoints.cli_values import proto_date, short_name, shown_date
from o2c.v1 import billing_pb2, billing_pb2_grpc, invoicing_pb2

STATUS, STATUS_PREFIX = invoicing_pb2.InvoiceStatus.DESCRIPTOR, "INVOICE_STATUS_"
INVOICE_COLUMNS = ("legal entity", "engagement", "number", "status", "issued", "total")


def billing_cycle(
    as_of: Annotated[str, typer.Option(help="bill work due by this day, e.g. 2026-12-31")],
    legal_entity: Annotated[
        list[str] | None,
        typer.Option(help="only this legal entity (repeat for more); default: every one"),
    ] = None,
    finalise: Annotated[bool, typer.Option(help="number and issue the invoices")] = False,
    request_id: Annotated[
        str, typer.Option(help="idempotency key; the same key again retries the same run")
    ] = "",
    address: AddressOption = "",
    token: TokenOption = "",
    json: JsonOption = False,
) -> None:
    """Build each legal entity's draft invoices from the work due by a day (or issue them)."""
    day = proto_date(as_of, "--as-of")
    entities = legal_entity or billed_legal_entities()
    key = request_id or f"cycle-{as_of}-{'final' if finalise else 'draft'}-{uuid.uuid4().hex[:8]}"
    output = Output(json)
    with server_channel(address, token, output) as channel:
        stub = billing_pb2_grpc.BillingServiceStub(channel)
        requests = [cycle_request(key, day, code, finalise) for code in entities]
        answers = list(with_progress(output, stub, requests))
    show_cycle(output, as_of, finalise, entities, answers)


def billed_legal_entities() -> list[str]:
    """The legal entities of the billing reference data the server reads too."""
    values = settings.read()
    return sorted(load_billing_reference(values["O2C_BILLING_REFERENCE"]).legal_entities)


def cycle_request(
    key: str, as_of: date_pb2.Date, code: str, finalise: bool
) -> billing_pb2.RunBillingCycleRequest:
    return billing_pb2.RunBillingCycleRequest(
        request_id=f"{key}-{code}"[:128],
        as_of=as_of,
        legal_entity_codes=[code],
        finalise=finalise,
    )


def with_progress(
    output: Output,
    stub: billing_pb2_grpc.BillingServiceStub,
    requests: Sequence[billing_pb2.RunBillingCycleRequest],
) -> Iterator[billing_pb2.RunBillingCycleResponse]:
    """Each legal entity's cycle in turn, the bar (on stderr) moving as each is answered."""
    bar = Progress(console=Console(stderr=True), disable=output.as_json)
    with bar:
        task = bar.add_task("billing", total=len(requests))
        for request in requests:
            code = request.legal_entity_codes[0]
            bar.update(task, description=f"billing {code}")
            try:
                yield stub.RunBillingCycle(request)
            except grpc.RpcError:
                bar.stop()
                if not output.as_json:
                    output.errors.print(f"o2c: the cycle stopped at legal entity {code}")
                raise
            bar.advance(task)
        bar.update(task, description="billed")


def show_cycle(
    output: Output,
    as_of: str,
    finalised: bool,
    entities: Sequence[str],
    answers: Sequence[billing_pb2.RunBillingCycleResponse],
) -> None:
    invoices = [invoice for answer in answers for invoice in answer.invoices]
    handed = [handoff for answer in answers for handoff in answer.handed_to_platform]
    kind = "finalised" if finalised else "draft"
    shown = [
        table(f"{len(invoices)} {kind} invoices as of {as_of}", INVOICE_COLUMNS, map(row, invoices))
    ]
    if handed:
        shown.append(
            table(
                "handed to billing platforms",
                ("legal entity", "engagement", "platform", "handed", "held"),
                map(handoff_row, handed),
            )
        )
    output.show(
        {
            "as_of": as_of,
            "finalised": finalised,
            "legal_entities": list(entities),
            "invoices": [as_dict(invoice) for invoice in invoices],
            "handed_to_platform": [as_dict(handoff) for handoff in handed],
        },
        *shown,
    )


def handoff_row(handoff: billing_pb2.PlatformHandoff) -> tuple[object, ...]:
    return (
        handoff.legal_entity_code,
        handoff.engagement_id,
        handoff.platform,
        handoff.handed_events,
        handoff.held_events,
    )


def row(invoice: invoicing_pb2.InvoiceSummary) -> tuple[str, ...]:
    return (
        invoice.legal_entity_code,
        invoice.engagement_id,
        invoice.number,
        short_name(STATUS, STATUS_PREFIX, invoice.status),
        shown_date(invoice.issued_on),
        f"{invoice.total.amount} {invoice.total.currency_code}",
    )
