"""A document as an ERP holds it: which ERP, in which role, under which of its ids.

One record per (document number, ERP), unique in the store: a document is never posted twice
to one ERP. The primary posting is the financial record; a shadow mirrors it during a
dual-write pilot. A credit note and a payment follow the ERP of their original invoice."""

from __future__ import annotations

import datetime as dt
import enum

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
