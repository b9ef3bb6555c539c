"""Page tokens of the audit list: where the last page ended, bound to the filters it was
listed with (AIP-158: the next page must be asked for with the same filters)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json

from application.call_records import CallRecordFilter, Cursor
from domain.errors import InvalidField

RECORD_ID_LENGTH = 64


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
        raise InvalidField(
            "page_token is not a page token of this list for these filters",
            field="page_token",
        ) from None


def instant(text: object) -> dt.datetime:
    """A moment with its offset, as page tokens hold them; anything else is no page token."""
    moment = dt.datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        raise ValueError("no offset")
    return moment.astimezone(dt.UTC)


def record_id(value: object) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= RECORD_ID_LENGTH:
        raise ValueError("no record id")
    return value


def fingerprint(matching: CallRecordFilter) -> str:
    return hashlib.sha256(repr(matching).encode()).hexdigest()[:16]
