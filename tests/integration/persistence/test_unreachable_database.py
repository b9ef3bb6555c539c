"""A database that does not answer is a reason to retry, told as such, never an internal error."""

from __future__ import annotations

import pytest

from adapters.persistence.engine import create_engine_for, session_factory
from adapters.persistence.orm import start_mappers
from adapters.persistence.uow import SqlAlchemyUnitOfWork
from domain.errors import StorageUnavailable

from .builders import encode_for_tests

UNREACHABLE = {
    "server-on-a-closed-port": "postgresql://postgres@127.0.0.1:1/test?connect_timeout=2",
    "file-in-a-missing-folder": "sqlite:////nonexistent-folder/o2c.db",
}


@pytest.mark.parametrize("url", UNREACHABLE.values(), ids=UNREACHABLE.keys())
def test_a_database_that_cannot_be_reached_is_storage_unavailable(url):
    start_mappers()
    engine = create_engine_for(url)
    uow = SqlAlchemyUnitOfWork(session_factory(engine), encode_for_tests)
    try:
        with pytest.raises(StorageUnavailable), uow:
            uow.engagements.get("eng-1")
    finally:
        engine.dispose()
