"""A provisioning saga: each step retried, recorded as it happens, undone in reverse on failure."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from attrs import frozen

from application.errors import VendorError
from application.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from application.retry import RetryPolicy, call_with_retry
from domain.engagement import Engagement
from domain.errors import NotFound
from domain.saga import SagaStep, StepOutcome

T = TypeVar("T")
Change = Callable[[Engagement], None]


@frozen
class Undo:
    step: str
    external_ref: str
    action: Callable[[], None]
    change: Change


class EngagementSaga:
    def __init__(
        self,
        engagement_id: str,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        ids: IdGenerator,
        retry: RetryPolicy,
    ) -> None:
        self.engagement_id = engagement_id
        self.uow_factory = uow_factory
        self.clock = clock
        self.ids = ids
        self.retry = retry
        self.undo: list[Undo] = []

    def step(
        self, name: str, action: Callable[[], T], change: Callable[[Engagement, T], None]
    ) -> T:
        try:
            done = call_with_retry(action, self.retry, self.clock)
        except VendorError as error:
            self.record(name, StepOutcome.FAILED, "", self.retry.attempts, str(error))
            raise
        self.record(
            name,
            StepOutcome.SUCCEEDED,
            str(done.value),
            done.attempts,
            "",
            lambda engagement: change(engagement, done.value),
        )
        return done.value

    def on_failure_undo(self, undo: Undo) -> None:
        self.undo.append(undo)

    def compensate(self) -> None:
        for item in reversed(self.undo):
            try:
                done = call_with_retry(item.action, self.retry, self.clock)
            except VendorError as error:
                self.record(
                    item.step,
                    StepOutcome.COMPENSATION_FAILED,
                    item.external_ref,
                    self.retry.attempts,
                    str(error),
                )
                continue
            self.record(
                item.step,
                StepOutcome.COMPENSATED,
                item.external_ref,
                done.attempts,
                "",
                item.change,
            )

    def record(
        self,
        name: str,
        outcome: StepOutcome,
        external_ref: str,
        attempts: int,
        detail: str,
        change: Change | None = None,
    ) -> None:
        with self.uow_factory() as uow:
            if change is not None:
                change(load(uow, self.engagement_id))
            uow.saga_log.add(
                SagaStep(
                    id=self.ids.new_id(),
                    saga_id=self.engagement_id,
                    step=name,
                    outcome=outcome,
                    external_ref=external_ref,
                    attempts=attempts,
                    detail=detail,
                    recorded_at=self.clock.now(),
                )
            )
            uow.commit()

    def succeeded_before(self, name: str) -> bool:
        with self.uow_factory() as uow:
            steps = uow.saga_log.steps(self.engagement_id)
        return any(s.step == name and s.outcome is StepOutcome.SUCCEEDED for s in steps)

    def vendor_call(self, action: Callable[[], T]) -> T:
        return call_with_retry(action, self.retry, self.clock).value


def load(uow: UnitOfWork, engagement_id: str) -> Engagement:
    engagement = uow.engagements.get(engagement_id)
    if engagement is None:
        raise NotFound(f"engagement {engagement_id} not found", field="engagement_id")
    return engagement
