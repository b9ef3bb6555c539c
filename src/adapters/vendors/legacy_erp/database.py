"""Sessions on the legacy database: never more than the configured number at once, and every
database failure told in the application's words."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from adapters.persistence.engine import begin_immediately, configure_sqlite_connection, supported
from adapters.vendors.legacy_erp.settings import LegacyErpSettings
from application.errors import VendorRejected, VendorUnavailable

ERP = "legacy"
TRANSIENT = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


class DuplicateRow(Exception):
    """A unique key of the ERP's already holds the row: another attempt wrote it first."""


def engine_for(settings: LegacyErpSettings) -> Engine:
    url = supported(settings.url)
    sized = {
        "pool_size": settings.max_sessions,
        "max_overflow": 0,
        "pool_timeout": settings.session_wait,
    }
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, **sized)
        event.listen(engine, "connect", configure_sqlite_connection)
        event.listen(engine, "begin", begin_immediately)
        return engine
    connect_args = {"connect_timeout": settings.connect_timeout}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **sized)


class LegacyDatabase:
    def __init__(self, settings: LegacyErpSettings) -> None:
        self.settings = settings
        self.engine = engine_for(settings)
        self._free = threading.BoundedSemaphore(settings.max_sessions)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One session and one transaction, committed when the block ends without error."""
        if not self._free.acquire(timeout=self.settings.session_wait):
            raise VendorUnavailable(ERP, f"all {self.settings.max_sessions} sessions are busy")
        try:
            with translated_errors(), self.engine.begin() as connection:
                yield connection
        finally:
            self._free.release()

    def close(self) -> None:
        self.engine.dispose()


@contextmanager
def translated_errors() -> Iterator[None]:
    try:
        yield
    except IntegrityError as error:
        raise DuplicateRow(reason(error)) from error
    except TRANSIENT as error:
        raise VendorUnavailable(ERP, f"the database is unavailable: {reason(error)}") from error
    except DBAPIError as error:
        if error.connection_invalidated:
            raise VendorUnavailable(ERP, f"the connection was lost: {reason(error)}") from error
        raise VendorRejected(ERP, f"the database refused the statement: {reason(error)}") from error
    except SQLAlchemyError as error:
        raise VendorRejected(ERP, f"the database refused the statement: {error}") from error


def reason(error: SQLAlchemyError) -> str:
    original = getattr(error, "orig", None)
    return str(original if original is not None else error).strip().splitlines()[0]
