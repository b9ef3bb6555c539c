"""What a saga definition tells the generic runner: its steps, how each is undone, how it ends.

A definition is rebuilt from the saga's stored context and step log in whichever process drives
the saga, so nothing it needs lives only in the memory of the process that started it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

from attrs import frozen

from application.errors import VendorError
from application.ports import UnitOfWork
from domain.exception_case import ExceptionCase, OwnerRole, ReasonCode, Workflow
from domain.saga import Saga, Verdict

T = TypeVar("T")


def concluded(saga: Saga, key: str, setback: ExceptionCase | None) -> Mapping[str, object]:
    """The answer of a saga about one record: its key, and the exception that parked it."""
    answer = {key: saga.context[key]}
    return answer if setback is None else {**answer, "exception_id": setback.id}


def unchanged(*_args: object) -> None:
    return None


@frozen
class Setback:
    """Why a saga cannot go on, and whose move it is: parked as an exception with an owner."""

    verdict: Verdict
    reason: ReasonCode
    owner: OwnerRole
    detail: str


class Halt(Exception):
    """Raised by a step's action: the saga stops here (and undoes what it did)."""

    def __init__(self, setback: Setback) -> None:
        super().__init__(setback.detail)
        self.setback = setback


@frozen(kw_only=True)
class Step(Generic[T]):
    """One vendor call. `external_id` is the key the call carries, so that repeating it finds
    what an earlier, unrecorded attempt made instead of making it twice."""

    name: str
    external_id: str
    action: Callable[[], T]
    failure: Callable[[VendorError], Setback]
    reference: Callable[[T], str] = str
    record: Callable[[UnitOfWork, T], None] = unchanged
    undo: Callable[[str], None] | None = None
    record_undo: Callable[[UnitOfWork], None] = unchanged


class SagaDefinition(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def workflow(self) -> Workflow: ...

    def plan(self, uow: UnitOfWork, saga: Saga, done: Mapping[str, str]) -> Sequence[Step[Any]]:
        """The forward steps in order, given the references of those done so far."""
        ...

    def final_steps(self, uow: UnitOfWork, saga: Saga) -> Sequence[Step[Any]]:
        """Steps run once the verdict is known, whatever it is; a failure is parked, not undone."""
        ...

    def conclude(
        self, uow: UnitOfWork, saga: Saga, setback: ExceptionCase | None, now: dt.datetime
    ) -> Mapping[str, object]:
        """The final state, written with the request's answer, which it returns."""
        ...
