"""Saving and reading through a unit of work, each in a transaction of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from application.ports import UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")


def save(uow_factory: UnitOfWorkFactory, repository: str, *aggregates: Any) -> None:
    with uow_factory() as uow:
        for aggregate in aggregates:
            getattr(uow, repository).add(aggregate)
        uow.commit()


def read(uow_factory: UnitOfWorkFactory, query: Callable[[UnitOfWork], T]) -> T:
    with uow_factory() as uow:
        return query(uow)


def change(
    uow_factory: UnitOfWorkFactory,
    load: Callable[[UnitOfWork], Any],
    edit: Callable[[Any], None],
    *,
    commit: bool = True,
) -> None:
    with uow_factory() as uow:
        edit(load(uow))
        if commit:
            uow.commit()
