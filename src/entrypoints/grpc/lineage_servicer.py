"""Lineage by business key, read through `LineageService.GetLineage`."""

from __future__ import annotations

import grpc

from adapters.declared_lengths import max_length
from application.lineage import EntryKind, LineageEntry, LineageReaders, RelatedKeys, get_lineage
from domain.errors import DomainError, InvalidField
from entrypoints.grpc.audit_servicer import timestamp
from entrypoints.grpc.errors import abort_with
from entrypoints.grpc.page_tokens import after_place, keyed_page_token
from entrypoints.grpc.servicers import proven_caller
from o2c.v1 import lineage_pb2, lineage_pb2_grpc

DEFAULT_PAGE_SIZE, LARGEST_PAGE_SIZE = 200, 1000
KINDS = {
    kind: lineage_pb2.LineageEntryKind.Value(f"LINEAGE_ENTRY_KIND_{kind.name}")
    for kind in EntryKind
}
INT32_MAX = 2**31 - 1


class LineageServicer(lineage_pb2_grpc.LineageServiceServicer):
    def __init__(self, readers: LineageReaders) -> None:
        self.readers = readers

    def GetLineage(
        self, request: lineage_pb2.GetLineageRequest, context: grpc.ServicerContext
    ) -> lineage_pb2.GetLineageResponse:
        try:
            size = page_size(request.page_size)
            start = after_place(request.page_token, request.business_key)
            lineage = get_lineage(request.business_key, proven_caller(), self.readers)
        except DomainError as error:
            abort_with(context, error)
        end = start + size
        return lineage_pb2.GetLineageResponse(
            keys=keys_message(lineage.keys),
            entries=[entry_message(entry) for entry in lineage.entries[start:end]],
            next_page_token=(
                keyed_page_token(str(end), request.business_key)
                if end < len(lineage.entries)
                else ""
            ),
        )


def page_size(asked: int) -> int:
    if asked < 0:
        raise InvalidField("page_size must not be negative", field="page_size")
    return min(asked or DEFAULT_PAGE_SIZE, LARGEST_PAGE_SIZE)


def keys_message(keys: RelatedKeys) -> lineage_pb2.LineageKeys:
    return lineage_pb2.LineageKeys(
        engagement_id=keys.engagement_id,
        opportunity_id=keys.opportunity_id,
        legal_entity_code=keys.legal_entity_code,
        project_ids=sorted(keys.project_ids),
        invoice_numbers=sorted(keys.invoice_numbers),
    )


def entry_message(entry: LineageEntry) -> lineage_pb2.LineageEntry:
    return lineage_pb2.LineageEntry(
        time=timestamp(entry.at),
        kind=KINDS[entry.kind],
        system=cut(entry.system, "system"),
        operation=cut(entry.operation, "operation"),
        status=cut(entry.status, "status"),
        latency_ms=min(entry.latency_ms, INT32_MAX),
        attempt=min(entry.attempt, INT32_MAX),
        correlation_id=cut(entry.correlation_id, "correlation_id"),
        business_key=cut(entry.business_key, "business_key"),
        detail=cut(entry.detail, "detail"),
    )


def cut(text: str, field: str) -> str:
    return text[: max_length(lineage_pb2.LineageEntry, field)]
