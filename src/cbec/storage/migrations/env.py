"""Alembic environment: runs migrations on the URL set by cbec.storage.migrate."""

from __future__ import annotations

from alembic import context

from cbec.bootstrap import all_metadata
from cbec.storage.engine import make_engine

config = context.config
target_metadata = all_metadata()


def run_migrations() -> None:
    """Run migrations online, in batch mode so SQLite can alter tables."""
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
