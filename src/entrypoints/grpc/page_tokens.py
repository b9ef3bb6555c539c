"""Page tokens of the lists (the audit's calls, the invoices): where the last page ended, bound
to the filters it was listed with (AIP-158: the next page must be asked for with the same
filters); and the size of a page."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from typing import Protocol

from application.call_records import CallRecordFilter, Cursor
from domain.errors import InvalidField

RECORD_ID_LENGTH = 64
DEFAULT_PAGE_SIZE, LARGEST_PAGE_SIZE = 50, 500


class PagedRequest(Protocol):
    page_size: int


def page_size(request: PagedRequest) -> int:
    if request.page_size < 0:
        raise InvalidField("page_size must not be negative", field="page_size")
    return min(request.page_size or DEFAULT_PAGE_SIZE, LARGEST_PAGE_SIZE)


def page_token(cursor: Cursor | None, matching: CallRecordFilter) -> str:
    if cursor is None:
        return ""
    fields = {
        "t": cursor.recorded_at.isoformat(),
        "i": cursor.record_id,
        "f": fingerprint(matching),
    }
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode()


def cursor_of(token: str, matching: CallRecordFilter) -> Cursor | None:
    if not token:
        return None
    try:
        fields = json.loads(base64.urlsafe_b64decode(token.encode()))
        if fields["f"] != fingerprint(matching):
            raise ValueError("other filters")
        return Cursor(instant(fields["t"]), record_id(fields["i"]))
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise not_a_page_token() from None


def keyed_page_token(last_key: str | None, matching: object) -> str:
    """After the item with this key (an invoice's id, an ERP route's legal entity, an audit's
    place); "" when that was the last page."""
    if last_key is None:
        return ""
    fields = {"i": last_key, "f": fingerprint(matching)}
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode()


def after_key(token: str, matching: object, longest: int = RECORD_ID_LENGTH) -> str:
    """The key of the item the last page ended with; "" for the first page."""
    if not token:
        return ""
    try:
        fields = json.loads(base64.urlsafe_b64decode(token.encode()))
        if fields["f"] != fingerprint(matching):
            raise ValueError("other filters")
        return record_id(fields["i"], longest)
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise not_a_page_token() from None


def after_place(token: str, matching: object) -> int:
    """The place (a positive whole number) the last page ended at; 0 for the first page."""
    key = after_key(token, matching)
    if key and not (key.isascii() and key.isdigit() and int(key) > 0):
        raise not_a_page_token()
    return int(key or 0)


def not_a_page_token() -> InvalidField:
    return InvalidField(
        "page_token is not a page token of this list for these filters", field="page_token"
    )


def instant(text: object) -> dt.datetime:
    """A moment with its offset, as page tokens hold them; anything else is no page token."""
    moment = dt.datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        raise ValueError("no offset")
    return moment.astimezone(dt.UTC)


def record_id(value: object, longest: int = RECORD_ID_LENGTH) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= longest:
        raise ValueError("no record id")
    return value


def fingerprint(matching: object) -> str:
    return hashlib.sha256(repr(matching).encode()).hexdigest()[:16]
