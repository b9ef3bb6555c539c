"""Telling a lost race apart from a bug: the former becomes ConcurrentUpdate, worth a retry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from domain.errors import ConcurrentUpdate

LOST_RACE_SQLSTATES = {
    "23505",  # unique_violation
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
}
LOST_RACE_SQLITE_ERRORS = {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}


def is_lost_race(error: BaseException) -> bool:
    if isinstance(error, StaleDataError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    driver_error = error.orig
    return (
        getattr(driver_error, "sqlstate", None) in LOST_RACE_SQLSTATES
        or getattr(driver_error, "sqlite_errorname", None) in LOST_RACE_SQLITE_ERRORS
    )


def concurrent_update(error: BaseException) -> ConcurrentUpdate:
    return ConcurrentUpdate(
        "another request changed the same data at the same time; retry the request",
        keys={"cause": type(error).__name__},
    )


@contextmanager
def lost_races_as_concurrent_updates() -> Iterator[None]:
    try:
        yield
    except (StaleDataError, DBAPIError) as error:
        if is_lost_race(error):
            raise concurrent_update(error) from error
        raise
