"""One PostgreSQL database for every replica: a schema of the run's own, migrated once before
any replica starts (so replicas never race each other through the migrations)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from adapters.persistence.engine import create_engine_for
from adapters.persistence.migrate import migrate


@contextlib.contextmanager
def fresh_schema(server_url: str) -> Iterator[str]:
    schema = f"o2c_cluster_{uuid.uuid4().hex[:10]}"
    admin = create_engine_for(server_url)
    try:
        _run(admin, f'CREATE SCHEMA "{schema}"')
        url = (
            make_url(server_url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
        migrated = create_engine_for(url)
        migrate(migrated)
        migrated.dispose()
        yield url
    finally:
        _run(admin, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def _run(engine: Engine, statement: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(statement))
