"""A document as an ERP holds it: which ERP, in which role, under which of its ids.

One record per (document number, ERP), unique in the store: a document is never posted twice
to one ERP. The primary posting is the financial record; a shadow mirrors it during a
dual-write pilot. A credit note and a payment follow the ERP of their original invoice."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

from attrs import frozen


class PostingRole(enum.Enum):
    PRIMARY = "primary"
    SHADOW = "shadow"


@frozen
class ErpPosting:
    document_number: str
    invoice_id: str
    kind: str  # invoice, credit_note or opening_receivable
    erp: str
    role: PostingRole
    erp_legal_entity: str
    erp_document_id: str
    posted_at: dt.datetime


class PostingStatus(enum.Enum):
    """Where a finalised invoice stands with its ERP, whichever ERP it is."""

    POSTING = "posting"
    POSTED = "posted"
    POSTING_FAILED = "posting_failed"


def holding_posting(postings: Iterable[ErpPosting], invoice_number: str) -> ErpPosting | None:
    """The primary posting of the invoice itself: the ERP's financial record of it."""
    return next(
        (
            p
            for p in postings
            if p.document_number == invoice_number
            and p.kind == "invoice"
            and p.role is PostingRole.PRIMARY
        ),
        None,
    )


def posting_status(holding: ErpPosting | None, parked: bool) -> PostingStatus:
    """Posted once the primary ERP holds it, though a shadow may still fail; failed while its
    posting is parked for finance; posting until then."""
    if holding is not None:
        return PostingStatus.POSTED
    return PostingStatus.POSTING_FAILED if parked else PostingStatus.POSTING
