"""A saga: a workflow across systems, driven by one owner on a lease, every step in its log.

The log is the truth a resumed saga works from: a step is `started` (with the external id its
vendor call carries) before the call and `succeeded` or `failed` after it, so a step started
but never recorded is known, and found again by its external id, in any process.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from attrs import define, field

from domain.errors import InvalidTransition, SagaTakenOver
from domain.events import Event
from domain.requests import RequestKey


class SagaStatus(enum.Enum):
    RUNNING = "running"
    COMPENSATING = "compensating"
    CONCLUDING = "concluding"
    COMPLETED = "completed"
    COMPENSATED = "compensated"
    FAILED = "failed"


UNFINISHED = (SagaStatus.RUNNING, SagaStatus.COMPENSATING, SagaStatus.CONCLUDING)


class Verdict(enum.Enum):
    DONE = "done"
    HELD = "held"
    FAILED = "failed"


class StepOutcome(enum.Enum):
    STARTED = "started"
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
    external_id: str = ""


@define(slots=False, eq=False)
class Saga:
    id: str
    kind: str
    business_key: str
    context: dict[str, Any]
    request: RequestKey | None
    owner: str
    lease_expires_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    status: SagaStatus = SagaStatus.RUNNING
    verdict: Verdict | None = None
    exception_id: str | None = None
    version: int = 1
    events: list[Event] = field(factory=list, eq=False)

    @classmethod
    def start(
        cls,
        *,
        saga_id: str,
        kind: str,
        business_key: str,
        context: dict[str, Any],
        request: RequestKey | None,
        owner: str,
        now: dt.datetime,
        lease: dt.timedelta,
    ) -> Saga:
        return cls(
            id=saga_id,
            kind=kind,
            business_key=business_key,
            context=context,
            request=request,
            owner=owner,
            lease_expires_at=now + lease,
            created_at=now,
            updated_at=now,
        )

    def renew(self, owner: str, now: dt.datetime, lease: dt.timedelta) -> None:
        self.check_owner(owner)
        self.lease_expires_at = now + lease
        self.updated_at = now

    def release(self, owner: str, now: dt.datetime) -> None:
        """Give the lease up at once, so that a worker resumes the saga without waiting."""
        self.check_owner(owner)
        self.lease_expires_at = now

    def decide(self, verdict: Verdict, *, exception_id: str | None) -> None:
        self.check_status(SagaStatus.RUNNING, "decide")
        self.verdict = verdict
        self.exception_id = exception_id
        done = verdict is Verdict.DONE
        self.status = SagaStatus.CONCLUDING if done else SagaStatus.COMPENSATING

    def compensated(self) -> None:
        self.check_status(SagaStatus.COMPENSATING, "conclude")
        self.status = SagaStatus.CONCLUDING

    def finish(self, *, left_behind: bool) -> None:
        self.check_status(SagaStatus.CONCLUDING, "finish")
        if self.verdict is not Verdict.FAILED:
            self.status = SagaStatus.COMPLETED
        else:
            self.status = SagaStatus.FAILED if left_behind else SagaStatus.COMPENSATED

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED

    def check_owner(self, owner: str) -> None:
        if self.owner != owner:
            raise SagaTakenOver(
                f"saga {self.id} is now driven by {self.owner}",
                keys={"saga_id": self.id, "owner": self.owner},
            )

    def check_status(self, expected: SagaStatus, action: str) -> None:
        if self.status is not expected:
            raise InvalidTransition(
                f"cannot {action} a saga that is {self.status.value}",
                keys={"saga_id": self.id, "status": self.status.value},
            )
