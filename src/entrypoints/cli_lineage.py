"""`o2c lineage KEY`: what o2c did for the engagement a business key names, oldest first: the
calls it was asked, the vendor calls it made, saga steps, events and exceptions."""

from __future__ import annotations

from typing import Annotated

import typer

from entrypoints.cli_client import AddressOption, JsonOption, TokenOption, server_channel
from entrypoints.cli_output import Output, as_dict, table
from entrypoints.cli_values import short_name, shown_time
from o2c.v1 import lineage_pb2, lineage_pb2_grpc

KIND, KIND_PREFIX = lineage_pb2.LineageEntryKind.DESCRIPTOR, "LINEAGE_ENTRY_KIND_"
PAGE_SIZE = 1000
COLUMNS = ("time", "kind", "system", "operation", "status", "ms", "attempt", "detail")


def lineage(
    key: Annotated[
        str,
        typer.Argument(
            metavar="KEY",
            help="an opportunity or engagement id, a project id, a contract or invoice number",
        ),
    ],
    address: AddressOption = "",
    token: TokenOption = "",
    json: JsonOption = False,
) -> None:
    """Show the timeline of the engagement a business key names."""
    output = Output(json)
    request = lineage_pb2.GetLineageRequest(business_key=key, page_size=PAGE_SIZE)
    with server_channel(address, token, output) as channel:
        stub = lineage_pb2_grpc.LineageServiceStub(channel)
        first = stub.GetLineage(request)
        entries = list(first.entries)
        page = first
        while page.next_page_token:
            request.page_token = page.next_page_token
            page = stub.GetLineage(request)
            entries.extend(page.entries)
    keys = first.keys
    output.show(
        {"keys": as_dict(keys), "entries": [as_dict(entry) for entry in entries]},
        f"engagement {keys.engagement_id or '-'}, opportunity {keys.opportunity_id or '-'}, "
        f"legal entity {keys.legal_entity_code or '-'}; invoices "
        f"{', '.join(keys.invoice_numbers) or '-'}",
        table(f"lineage of {key}", COLUMNS, map(entry_row, entries)),
    )


def entry_row(entry: lineage_pb2.LineageEntry) -> tuple[object, ...]:
    return (
        shown_time(entry.time),
        short_name(KIND, KIND_PREFIX, entry.kind),
        entry.system,
        entry.operation,
        entry.status,
        entry.latency_ms or "",
        entry.attempt or "",
        entry.detail,
    )
