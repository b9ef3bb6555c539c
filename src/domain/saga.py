"""The trace of a multi-system create: every step done or undone, with its outcome."""

from __future__ import annotations

import datetime as dt
import enum

from attrs import define


class StepOutcome(enum.Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    COMPENSATED = "compensated"
    COMPENSATION_FAILED = "compensation_failed"


@define(slots=False, eq=False)
class SagaStep:
    id: str
    saga_id: str
    step: str
    outcome: StepOutcome
    external_ref: str
    attempts: int
    detail: str
    recorded_at: dt.datetime
