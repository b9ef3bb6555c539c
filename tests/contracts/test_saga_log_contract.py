"""What every saga log promises: a saga's steps come back in the order they were recorded, each
with what a resumed saga needs to know about its call."""

from __future__ import annotations

import datetime as dt

from integration.persistence.builders import NOW, new_id

from contracts.units_of_work import read, save
from domain.saga import SagaStep, StepOutcome


def a_step(
    saga_id: str,
    step: str,
    outcome: StepOutcome,
    *,
    external_ref: str = "",
    attempts: int = 0,
    detail: str = "",
    at: dt.datetime = NOW,
) -> SagaStep:
    return SagaStep(
        id=new_id(),
        saga_id=saga_id,
        step=step,
        outcome=outcome,
        external_ref=external_ref,
        attempts=attempts,
        detail=detail,
        recorded_at=at,
        external_id=f"{saga_id}:{step}",
    )


def provisioning_steps(saga_id: str) -> list[SagaStep]:
    """The log keeps the order of recording, not of the clock: one step is dated earlier."""
    return [
        a_step(saga_id, "erp.upsert_customer", StepOutcome.STARTED),
        a_step(
            saga_id, "erp.upsert_customer", StepOutcome.SUCCEEDED, external_ref="C-1", attempts=2
        ),
        a_step(saga_id, "psa.create_project", StepOutcome.STARTED),
        a_step(
            saga_id,
            "psa.create_project",
            StepOutcome.FAILED,
            attempts=3,
            detail="400 REQUIRED_FIELD_MISSING",
            at=NOW - dt.timedelta(seconds=1),
        ),
        a_step(saga_id, "erp.upsert_customer", StepOutcome.COMPENSATED, external_ref="C-1"),
    ]


def as_logged(step: SagaStep) -> tuple[object, ...]:
    return (
        step.id,
        step.saga_id,
        step.step,
        step.outcome,
        step.external_id,
        step.external_ref,
        step.attempts,
        step.detail,
        step.recorded_at,
    )


def logged(uow_factory, saga_id: str) -> list[tuple[object, ...]]:
    return read(uow_factory, lambda uow: [as_logged(s) for s in uow.saga_log.steps(saga_id)])


def test_steps_come_back_in_the_order_recorded_with_everything_recorded_about_them(uow_factory):
    steps = provisioning_steps("saga-1")
    for step in steps:  # a saga drive records each step in a unit of work of its own
        save(uow_factory, "saga_log", step)
    assert logged(uow_factory, "saga-1") == [as_logged(step) for step in steps]


def test_steps_recorded_together_keep_their_order(uow_factory):
    steps = provisioning_steps("saga-1")
    save(uow_factory, "saga_log", *steps)
    assert logged(uow_factory, "saga-1") == [as_logged(step) for step in steps]


def test_a_saga_s_log_holds_only_its_own_steps(uow_factory):
    mine, theirs = provisioning_steps("saga-1"), provisioning_steps("saga-2")
    for pair in zip(mine, theirs, strict=True):
        save(uow_factory, "saga_log", *pair)
    assert logged(uow_factory, "saga-1") == [as_logged(step) for step in mine]


def test_a_saga_with_no_steps_has_an_empty_log(uow_factory):
    assert logged(uow_factory, "saga-without-steps") == []


def test_a_step_that_is_not_committed_is_not_kept(uow_factory):
    with uow_factory() as uow:
        uow.saga_log.add(a_step("saga-1", "erp.upsert_customer", StepOutcome.STARTED))
    assert logged(uow_factory, "saga-1") == []


def test_a_unit_of_work_finds_in_the_log_the_steps_it_recorded_before_committing(uow_factory):
    started, succeeded = provisioning_steps("saga-1")[:2]
    save(uow_factory, "saga_log", started)
    with uow_factory() as uow:
        uow.saga_log.add(succeeded)
        in_the_log = [as_logged(step) for step in uow.saga_log.steps("saga-1")]
    assert in_the_log == [as_logged(started), as_logged(succeeded)]
