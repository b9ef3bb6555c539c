from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from support.databases import BACKENDS, migrated_engine


@pytest.fixture(params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A freshly migrated database of the test's own."""
    yield from migrated_engine(request.param, tmp_path_factory.mktemp("db"))
