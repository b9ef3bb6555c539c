"""The audit of calls: one record per call that could change something, allowed or refused."""

from __future__ import annotations

import datetime as dt

from attrs import frozen

SUCCEEDED = "OK"


@frozen
class Caller:
    """Who made a call, as authentication proved it."""

    subject: str
    system: str


@frozen
class CallRecord:
    """`caller` is None when authentication failed; `reason` is empty when the call succeeded.
    Never the caller's credential, never the payload: only what identifies the call."""

    id: str
    recorded_at: dt.datetime
    caller: Caller | None
    method: str
    request_id: str
    business_key: str
    code: str
    reason: str = ""
    correlation_id: str = ""  # of the work the call started, carried on to events and vendors

    @property
    def succeeded(self) -> bool:
        return self.code == SUCCEEDED
