"""The reference-data API: sync each ERP's master data now, and list what o2c holds of it. The
methods read the request, call the use case and answer."""

from __future__ import annotations

import grpc

from application.reference_sync import (
    KINDS,
    HeldRecord,
    ReferenceFilter,
    ReferenceSync,
    SyncReport,
    place_of,
)
from domain.errors import DomainError, InvalidField, LegalEntityNotAllowed
from domain.principal import Principal
from entrypoints.grpc.erp_routing_messages import ERP_NAMES, timestamp
from entrypoints.grpc.errors import abort_with
from entrypoints.grpc.page_tokens import after_key, keyed_page_token, page_size
from entrypoints.grpc.posting_messages import erp_number
from entrypoints.grpc.servicers import proven_caller
from o2c.v1 import reference_data_pb2, reference_data_pb2_grpc

KIND_NUMBERS = {
    kind: reference_data_pb2.ReferenceKind.Value(f"REFERENCE_KIND_{kind.upper()}") for kind in KINDS
}
KIND_NAMES = {number: kind for kind, number in KIND_NUMBERS.items()}
LONGEST_PLACE = 32 + 64 + 16 + 255 + 3


class ReferenceDataServicer(reference_data_pb2_grpc.ReferenceDataServiceServicer):
    def __init__(self, sync: ReferenceSync) -> None:
        self.sync = sync

    def SyncReferenceData(
        self, request: reference_data_pb2.SyncReferenceDataRequest, context: grpc.ServicerContext
    ) -> reference_data_pb2.SyncReferenceDataResponse:
        try:
            check_sees_all(proven_caller())
        except DomainError as error:
            abort_with(context, error)
        return report_message(self.sync.run(request.account_id))

    def ListReferenceData(
        self, request: reference_data_pb2.ListReferenceDataRequest, context: grpc.ServicerContext
    ) -> reference_data_pb2.ListReferenceDataResponse:
        try:
            check_sees_all(proven_caller())
            where = reference_filter(request)
            after = after_key(request.page_token, where, LONGEST_PLACE)
            limit = page_size(request)
            found = self.sync.store.page(where, after, limit + 1)
        except DomainError as error:
            abort_with(context, error)
        page = found[:limit]
        last = place_of(page[-1]) if len(found) > limit else None
        return reference_data_pb2.ListReferenceDataResponse(
            records=[record_message(record) for record in page],
            next_page_token=keyed_page_token(last, where),
        )


def check_sees_all(caller: Principal) -> None:
    """Master data spans every legal entity an ERP keeps: a caller limited to some sees none."""
    if not caller.sees_every_legal_entity():
        raise LegalEntityNotAllowed(
            f"{caller.subject} may see only some legal entities, and master data spans them all",
            field="legal_entity_code",
        )


def reference_filter(request: reference_data_pb2.ListReferenceDataRequest) -> ReferenceFilter:
    if request.erp and request.erp not in ERP_NAMES:
        raise InvalidField(f"erp {request.erp} is not an ERP o2c knows", field="erp")
    if request.kind and request.kind not in KIND_NAMES:
        raise InvalidField(f"kind {request.kind} is not a kind of master data", field="kind")
    return ReferenceFilter(
        erp=ERP_NAMES.get(request.erp, ""),
        erp_legal_entity=request.erp_legal_entity,
        kind=KIND_NAMES.get(request.kind, "customer" if request.account_id else ""),
        external_id=request.account_id,
        include_removed=request.include_removed,
    )


def report_message(report: SyncReport) -> reference_data_pb2.SyncReferenceDataResponse:
    return reference_data_pb2.SyncReferenceDataResponse(
        erps=[
            reference_data_pb2.ErpSyncResult(
                erp=erp_number(result.erp),
                synced=result.synced,
                detail=result.detail[:4096],
                counts=[
                    reference_data_pb2.ReferenceCounts(
                        kind=KIND_NUMBERS[kind],
                        created=counts.created,
                        updated=counts.updated,
                        unchanged=counts.unchanged,
                        removed=counts.removed,
                    )
                    for kind, counts in result.counts.items()
                ],
            )
            for result in report.erps
        ],
        accounts_compared=report.accounts_compared,
        parked_exception_ids=list(report.parked),
        already_open=report.already_open,
    )


def record_message(record: HeldRecord) -> reference_data_pb2.ReferenceRecord:
    message = reference_data_pb2.ReferenceRecord(
        erp=erp_number(record.erp),
        erp_legal_entity=record.erp_legal_entity,
        kind=KIND_NUMBERS[record.kind],
        key=record.key,
        external_id=record.external_id,
        fields=dict(record.payload),
    )
    if record.synced_at is not None:
        message.synced_at.CopyFrom(timestamp(record.synced_at))
    if record.removed_at is not None:
        message.removed_at.CopyFrom(timestamp(record.removed_at))
    return message
