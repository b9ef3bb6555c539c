"""One owner driving one saga: each move is read from the durable log, then made and recorded.

Forward: the intent (`started`, with the call's external id) is written before every vendor
call, the outcome after it. A setback parks an exception and turns the saga to compensating:
the log's succeeded steps are undone newest first, and a step started but never recorded is
first found again by repeating its call (which carries the same external id). Then the final
steps run and the definition concludes, completing the request in the same transaction.
Every write renews the owner's lease, and so does every retry of a vendor call.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from application.correlation import trace_of, traced
from application.errors import VendorError
from application.exception_hooks import (
    SAGA_KIND,
    SAGA_PAYLOAD_VERSION,
    resolve_moot,
    retried_case,
)
from application.ports import UnitOfWork
from application.retry import Attempted, OutOfTime, call_with_retry
from application.saga_definition import Halt, SagaDefinition, Setback, Step
from application.saga_ports import SagaPorts
from domain.errors import NotFound
from domain.exception_case import ExceptionCase
from domain.saga import Saga, SagaStatus, SagaStep, StepOutcome, Verdict
from domain.step_log import StepLog

T = TypeVar("T")
Move = Callable[[], None]
Change = Callable[[UnitOfWork, Saga], None]


def unchanged(_uow: UnitOfWork, _saga: Saga) -> None:
    return None


class SagaDrive:
    def __init__(
        self,
        ports: SagaPorts,
        definitions: Mapping[str, SagaDefinition],
        saga_id: str,
        owner: str,
        deadline: dt.datetime | None = None,
    ) -> None:
        self.ports = ports
        self.definitions = definitions
        self.saga_id = saga_id
        self.owner = owner
        self.deadline = deadline

    def run(self) -> None:
        while self.advance():
            self.check_time()

    def check_time(self) -> None:
        if self.deadline is not None and self.ports.clock.now() >= self.deadline:
            raise OutOfTime(f"the deadline came before saga {self.saga_id} finished")

    def advance(self) -> bool:
        with self.ports.uow_factory() as uow:
            saga = self.load(uow)
            saga.check_owner(self.owner)
            if saga.is_finished:
                return False
            definition = self.definitions[saga.kind]
            log = StepLog(uow.saga_log.steps(saga.id))
            move = self.next_move(uow, definition, saga, log)
        with traced(trace_of(saga)):
            move()
        return True

    def next_move(
        self, uow: UnitOfWork, definition: SagaDefinition, saga: Saga, log: StepLog
    ) -> Move:
        if saga.status is SagaStatus.RUNNING:
            return self.forward(uow, definition, saga, log)
        if saga.status is SagaStatus.COMPENSATING:
            return self.compensation(uow, definition, saga, log)
        return self.conclusion(uow, definition, saga, log)

    def forward(
        self, uow: UnitOfWork, definition: SagaDefinition, saga: Saga, log: StepLog
    ) -> Move:
        done = log.succeeded()
        plan = definition.plan(uow, saga, done)
        step = next((step for step in plan if step.name not in done), None)
        if step is None:
            return lambda: self.write(
                lambda _uow, saga: saga.decide(Verdict.DONE, exception_id=None)
            )
        return lambda: self.take_step(definition, step)

    def take_step(self, definition: SagaDefinition, step: Step[Any]) -> None:
        outcome = self.attempt(step)
        if isinstance(outcome, Setback):
            self.set_back(definition, step, outcome)
        else:
            self.succeeded(step, outcome)

    def attempt(self, step: Step[T]) -> Attempted[T] | Setback:
        self.record(step, StepOutcome.STARTED)
        try:
            return self.call(step.action)
        except Halt as halt:
            return halt.setback
        except VendorError as error:
            return step.failure(error)

    def succeeded(self, step: Step[T], done: Attempted[T]) -> None:
        self.record(
            step,
            StepOutcome.SUCCEEDED,
            reference=step.reference(done.value),
            attempts=done.attempts,
            change=lambda uow, _saga: step.record(uow, done.value),
        )

    def set_back(self, definition: SagaDefinition, step: Step[Any], setback: Setback) -> None:
        def decide(uow: UnitOfWork, saga: Saga) -> None:
            case = self.park(uow, definition, saga, setback)
            saga.decide(setback.verdict, exception_id=case.id)

        self.record(step, StepOutcome.FAILED, detail=setback.detail, change=decide)

    def compensation(
        self, uow: UnitOfWork, definition: SagaDefinition, saga: Saga, log: StepLog
    ) -> Move:
        plan = {step.name: step for step in definition.plan(uow, saga, log.succeeded())}
        pending = [
            (plan[name], reference)
            for name, reference in log.to_undo()
            if name in plan and plan[name].undo is not None
        ]
        if not pending:
            return lambda: self.write(lambda _uow, saga: saga.compensated())
        step, reference = pending[0]
        return lambda: self.undo(step, reference)

    def undo(self, step: Step[Any], reference: str | None) -> None:
        assert step.undo is not None
        undo = step.undo
        try:
            found = reference
            if found is None:  # started, never recorded: what did the call make?
                found = step.reference(self.call(step.action).value)
            done = self.call(lambda: undo(found))
        except VendorError as error:
            outcome = StepOutcome.COMPENSATION_FAILED
            self.record(step, outcome, reference=reference or "", detail=str(error))
            return
        self.record(
            step,
            StepOutcome.COMPENSATED,
            reference=found,
            attempts=done.attempts,
            change=lambda uow, _saga: step.record_undo(uow),
        )

    def conclusion(
        self, uow: UnitOfWork, definition: SagaDefinition, saga: Saga, log: StepLog
    ) -> Move:
        finals = definition.final_steps(uow, saga)
        step = next((step for step in finals if not log.is_settled(step.name)), None)
        if step is not None:
            return lambda: self.final_step(definition, step)
        return lambda: self.finish(definition, left_behind=log.left_behind())

    def final_step(self, definition: SagaDefinition, step: Step[Any]) -> None:
        outcome = self.attempt(step)
        if not isinstance(outcome, Setback):
            self.succeeded(step, outcome)
            return
        setback = outcome

        def park(uow: UnitOfWork, saga: Saga) -> None:
            self.park(uow, definition, saga, setback)

        self.record(step, StepOutcome.FAILED, detail=setback.detail, change=park)

    def finish(self, definition: SagaDefinition, *, left_behind: bool) -> None:
        def conclude(uow: UnitOfWork, saga: Saga) -> None:
            case = uow.exceptions.get(saga.exception_id) if saga.exception_id else None
            answer = definition.conclude(uow, saga, case, self.ports.clock.now())
            saga.finish(left_behind=left_behind)
            if saga.verdict is Verdict.DONE:
                why = f"{saga.kind} for {saga.business_key} completed (saga {saga.id})"
                resolve_moot(uow, saga.business_key, definition.workflow, why, saga.updated_at)
            if saga.request is not None:
                uow.requests.complete(saga.request, answer)

        self.write(conclude)

    def call(self, action: Callable[[], T]) -> Attempted[T]:
        """Every retry first renews the lease: a step never outlives its owner's claim."""
        attempts = itertools.count()

        def attempt() -> T:
            if next(attempts):
                self.write(unchanged)
            return action()

        return call_with_retry(attempt, self.ports.retry, self.ports.clock, deadline=self.deadline)

    def park(
        self, uow: UnitOfWork, definition: SagaDefinition, saga: Saga, setback: Setback
    ) -> ExceptionCase:
        retried = retried_case(uow, saga.context, setback.detail, self.ports.clock.now())
        if retried is not None:
            return retried
        case = ExceptionCase.park(
            exception_id=self.ports.ids.new_id(),
            workflow=definition.workflow,
            business_key=saga.business_key,
            reason_code=setback.reason,
            owner_role=setback.owner,
            detail=setback.detail,
            payload={**saga.context, SAGA_KIND: saga.kind},
            now=self.ports.clock.now(),
            payload_version=SAGA_PAYLOAD_VERSION,
        )
        uow.exceptions.add(case)
        return case

    def record(
        self,
        step: Step[Any],
        outcome: StepOutcome,
        *,
        reference: str = "",
        attempts: int = 0,
        detail: str = "",
        change: Change = unchanged,
    ) -> None:
        def log(uow: UnitOfWork, saga: Saga) -> None:
            uow.saga_log.add(
                SagaStep(
                    id=self.ports.ids.new_id(),
                    saga_id=saga.id,
                    step=step.name,
                    outcome=outcome,
                    external_ref=reference,
                    attempts=attempts,
                    detail=detail,
                    recorded_at=self.ports.clock.now(),
                    external_id=step.external_id,
                )
            )
            change(uow, saga)

        self.write(log)

    def write(self, change: Change) -> None:
        with self.ports.uow_factory() as uow:
            saga = self.load(uow)
            saga.renew(self.owner, self.ports.clock.now(), self.ports.lease)
            change(uow, saga)
            uow.commit()

    def release(self) -> None:
        try:
            self.write(lambda _uow, saga: saga.release(self.owner, self.ports.clock.now()))
        except Exception:  # the original failure is the one worth raising
            return

    def load(self, uow: UnitOfWork) -> Saga:
        saga = uow.sagas.get(self.saga_id)
        if saga is None:
            raise NotFound(f"saga {self.saga_id} not found", keys={"saga_id": self.saga_id})
        return saga
