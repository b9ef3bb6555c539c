"""Where an invoice is posted, as the API's messages: one ERP enum, whichever ERP it is."""

from __future__ import annotations

from application.erp_ports import DocumentKind
from domain.erp_posting import ErpPosting, PostingRole, PostingStatus
from entrypoints.grpc.erp_routing_messages import ERP_NAMES, timestamp
from o2c.v1 import invoicing_pb2

ERP_NUMBERS = {name: number for number, name in ERP_NAMES.items()}
POSTING_STATUSES = {
    status: invoicing_pb2.PostingStatus.Value(f"POSTING_STATUS_{status.name}")
    for status in PostingStatus
}
POSTING_ROLES = {
    role: invoicing_pb2.PostingRole.Value(f"POSTING_ROLE_{role.name}") for role in PostingRole
}
DOCUMENT_KINDS = {
    kind.value: invoicing_pb2.ErpDocumentKind.Value(f"ERP_DOCUMENT_KIND_{kind.name}")
    for kind in DocumentKind
}


def posting_status_number(status: PostingStatus | None) -> int:
    """Unspecified for a draft, which is never posted."""
    return invoicing_pb2.POSTING_STATUS_UNSPECIFIED if status is None else POSTING_STATUSES[status]


def erp_number(erp: str) -> int:
    return ERP_NUMBERS.get(erp, 0)


def posting_message(posting: ErpPosting) -> invoicing_pb2.ErpPosting:
    return invoicing_pb2.ErpPosting(
        document_number=posting.document_number,
        kind=DOCUMENT_KINDS.get(posting.kind, invoicing_pb2.ERP_DOCUMENT_KIND_UNSPECIFIED),
        erp=erp_number(posting.erp),
        role=POSTING_ROLES[posting.role],
        erp_legal_entity=posting.erp_legal_entity,
        erp_document_id=posting.erp_document_id,
        posted_at=timestamp(posting.posted_at),
    )
