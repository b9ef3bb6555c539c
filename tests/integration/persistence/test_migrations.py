from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from adapters.persistence.engine import create_engine_for
from adapters.persistence.migrate import alembic_config, migrate
from adapters.persistence.tables import metadata


def differences(engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_migrated_schema_matches_the_orm_metadata(engine):
    assert differences(engine) == []


def test_every_table_and_column_of_the_orm_exists_after_migrating(engine):
    inspector = inspect(engine)
    for table in metadata.sorted_tables:
        existing = {column["name"] for column in inspector.get_columns(table.name)}
        assert existing == set(table.columns.keys()), table.name


def test_migrating_an_up_to_date_database_changes_nothing(engine):
    migrate(engine)

    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head_revision()
    assert differences(engine) == []


def test_a_fresh_sqlite_file_can_be_migrated_from_its_url(tmp_path):
    url = f"sqlite:///{tmp_path}/fresh.db"

    migrate(url)

    engine = create_engine_for(url)
    try:
        assert differences(engine) == []
    finally:
        engine.dispose()
