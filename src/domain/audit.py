"""The audit trail: every write refused by the ownership rules, kept with its reason."""

from __future__ import annotations

import datetime as dt

from attrs import define


@define(slots=False, eq=False)
class Refusal:
    id: str
    recorded_at: dt.datetime
    writer: str
    operation: str
    business_key: str
    reason_code: str
    detail: str
