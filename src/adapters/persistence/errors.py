"""Telling a lost race or an unreachable database apart from a bug: the former become
ConcurrentUpdate and StorageUnavailable, both worth a retry of the request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from domain.errors import ConcurrentUpdate, DomainError, StorageUnavailable

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


def is_unavailable(error: BaseException) -> bool:
    """No answer from the database: refused or lost connections, a lock not granted in time."""
    return isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def storage_unavailable(error: BaseException) -> StorageUnavailable:
    return StorageUnavailable(
        "the database is not answering; nothing was changed, retry the request shortly",
        keys={"cause": type(error).__name__},
    )


def as_domain_error(error: BaseException) -> DomainError | None:
    """What a caller should hear about a database failure, or None for a bug."""
    if is_lost_race(error):
        return concurrent_update(error)
    if is_unavailable(error):
        return storage_unavailable(error)
    return None


@contextmanager
def database_failures_as_domain_errors() -> Iterator[None]:
    try:
        yield
    except (StaleDataError, DBAPIError) as error:
        translated = as_domain_error(error)
        if translated is not None:
            raise translated from error
        raise
