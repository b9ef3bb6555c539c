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
        return Cursor(dt.datetime.fromisoformat(fields["t"]), str(fields["i"]))
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise InvalidField(
            "page_token is not a token this list handed out for these filters",
            field="page_token",
        ) from None


def fingerprint(matching: CallRecordFilter) -> str:
    return hashlib.sha256(repr(matching).encode()).hexdigest()[:16]
