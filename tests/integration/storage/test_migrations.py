"""Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from cbec.bootstrap import all_metadata
from cbec.storage.migrate import current_heads


def test_migrated_schema_matches_the_models(engine: Engine, database_url: str) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, all_metadata())
    assert differences == []


def test_one_migration_head(database_url: str) -> None:
    assert len(current_heads(database_url)) == 1
