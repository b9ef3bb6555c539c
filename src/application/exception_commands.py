"""Working the exception queue by hand: take a case, resolve it with a note, discard it with a
reason, or read it. Each change runs under its request id, so a repeated call changes nothing.

Cases carry no legal entity each: only a caller that sees every legal entity works the queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from attrs import frozen

from application.exception_listing import ExceptionCursor, ExceptionFilter
from application.pipeline import Answer, Pipeline
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.errors import InvalidField, LegalEntityNotAllowed, NotFound
from domain.exception_case import ExceptionCase
from domain.principal import Principal
from domain.requests import RequestKey

NOTE_LENGTH = 2000
ASSIGNEE_LENGTH = 255


@frozen
class AssignException:
    request_id: str
    exception_id: str
    assignee: str
    caller: Principal


@frozen
class ResolveException:
    request_id: str
    exception_id: str
    note: str
    caller: Principal


@frozen
class DiscardException:
    request_id: str
    exception_id: str
    reason: str
    caller: Principal


Command = AssignException | ResolveException | DiscardException


@frozen
class ExceptionDesk:
    uow_factory: UnitOfWorkFactory
    clock: Clock

    def assign(self, cmd: AssignException) -> ExceptionCase:
        required(cmd.assignee, "assignee", ASSIGNEE_LENGTH)
        return self.change(cmd, "AssignException", lambda c: c.assign(cmd.assignee, self.now()))

    def resolve(self, cmd: ResolveException) -> ExceptionCase:
        required(cmd.note, "note", NOTE_LENGTH)
        who = cmd.caller.subject
        return self.change(
            cmd, "ResolveException", lambda c: c.resolve(cmd.note, self.now(), by=who)
        )

    def discard(self, cmd: DiscardException) -> ExceptionCase:
        required(cmd.reason, "reason", NOTE_LENGTH)
        who = cmd.caller.subject
        return self.change(
            cmd, "DiscardException", lambda c: c.discard(cmd.reason, self.now(), by=who)
        )

    def change(
        self, cmd: Command, operation: str, act: Callable[[ExceptionCase], None]
    ) -> ExceptionCase:
        check_sees_all(cmd.caller)

        def work(uow: UnitOfWork) -> Answer:
            case = case_in(uow, cmd.exception_id)
            act(case)
            return {"exception_id": case.id}

        key = RequestKey(cmd.caller.subject, operation, cmd.request_id)
        Pipeline(self.uow_factory, self.clock).run(key, cmd, work)
        return self.show(cmd.caller, cmd.exception_id)

    def show(self, caller: Principal, exception_id: str) -> ExceptionCase:
        check_sees_all(caller)
        with self.uow_factory() as uow:
            return case_in(uow, exception_id)

    def page(
        self, caller: Principal, where: ExceptionFilter, after: ExceptionCursor | None, limit: int
    ) -> list[ExceptionCase]:
        check_sees_all(caller)
        with self.uow_factory() as uow:
            return uow.exceptions.page(where, after, limit)

    def now(self) -> dt.datetime:
        return self.clock.now()


def case_in(uow: UnitOfWork, exception_id: str) -> ExceptionCase:
    case = uow.exceptions.get(exception_id) if exception_id else None
    if case is None:
        raise NotFound(
            f"exception {exception_id!r} not found",
            field="exception_id",
            keys={"exception_id": exception_id},
        )
    return case


def required(text: str, name: str, longest: int) -> None:
    if not text.strip():
        raise InvalidField(f"{name} is required", field=name)
    if len(text) > longest:
        raise InvalidField(f"{name} is longer than {longest} characters", field=name)


def check_sees_all(caller: Principal) -> None:
    """A case may concern any legal entity, or none: a caller limited to some sees none."""
    if not caller.sees_every_legal_entity():
        raise LegalEntityNotAllowed(
            f"{caller.subject} may see only some legal entities, and the exception queue "
            "spans them all",
            field="legal_entity_code",
        )
