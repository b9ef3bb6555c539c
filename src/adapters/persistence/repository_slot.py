"""A repository declared once on the unit of work, built over its session on first use."""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar, overload

from sqlalchemy.orm import Session

R = TypeVar("R")


class HasSession(Protocol):
    session: Session


class repository(Generic[R]):
    def __init__(self, build: type[R]) -> None:
        self.build = build
        self.name = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, unit: None, owner: type[Any]) -> repository[R]: ...
    @overload
    def __get__(self, unit: HasSession, owner: type[Any]) -> R: ...
    def __get__(self, unit: HasSession | None, owner: type[Any]) -> repository[R] | R:
        if unit is None:
            return self
        built = self.build(unit.session)  # type: ignore[call-arg]
        vars(unit)[self.name] = built  # later reads find it on the instance
        return built
