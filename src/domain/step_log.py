"""Reading a saga's step log: what was done, what is still to undo, what was left behind."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from domain.saga import SagaStep, StepOutcome

SETTLED = (StepOutcome.SUCCEEDED, StepOutcome.FAILED)
UNDONE_OR_LOST = (StepOutcome.COMPENSATED, StepOutcome.COMPENSATION_FAILED, StepOutcome.FAILED)


@frozen
class StepLog:
    steps: Sequence[SagaStep]

    def names(self) -> list[str]:
        """Each step once, in the order it was first started."""
        return list(dict.fromkeys(step.step for step in self.steps))

    def last(self, name: str) -> SagaStep | None:
        recorded = [step for step in self.steps if step.step == name]
        return recorded[-1] if recorded else None

    def succeeded(self) -> dict[str, str]:
        """The reference each step's call returned, for the steps that succeeded."""
        return {
            step.step: step.external_ref
            for step in self.steps
            if step.outcome is StepOutcome.SUCCEEDED
        }

    def is_settled(self, name: str) -> bool:
        last = self.last(name)
        return last is not None and last.outcome in SETTLED

    def to_undo(self) -> list[tuple[str, str | None]]:
        """Newest first: a succeeded step with its reference, and a step started but never
        recorded with None — its call may have created something, found again by external id."""
        pending: list[tuple[str, str | None]] = []
        for name in reversed(self.names()):
            last = self.last(name)
            assert last is not None
            if last.outcome is StepOutcome.SUCCEEDED:
                pending.append((name, last.external_ref))
            elif last.outcome not in UNDONE_OR_LOST:
                pending.append((name, None))
        return pending

    def left_behind(self) -> bool:
        return any(step.outcome is StepOutcome.COMPENSATION_FAILED for step in self.steps)
