"""Shared fixtures: a fresh database per test run (SQLite, or PostgreSQL when CBEC_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import Engine, create_engine, text

from cbec.audit.keys import bind_audit_key
from cbec.audit.rules import ChainKey
from cbec.bootstrap import all_metadata, assemble_intake
from cbec.common.clock import SHANGHAI, FixedClock
from cbec.common.personal import PersonalDataCipher
from cbec.config import Settings
from cbec.storage.context import Context
from cbec.storage.engine import make_engine, make_session_factory

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TEST_KEY = base64.b64encode(b"k" * 32).decode()
TEST_AUDIT_KEY = ChainKey(b"a" * 32)

# Property tests check behaviour, never speed (docs/performance.md measures speed): no per-example deadline, which a
# loaded machine overran in a pure unit test (253 ms against Hypothesis' default 200 ms).
settings.register_profile("cbec", deadline=None)
settings.load_profile("cbec")


def shared_path(*parts: str) -> Path:
    """Return a path in ../shared, skipping the test when the reference material is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference material not found: {path}")
    return path


def _fresh_postgres(base_url: str) -> tuple[str, str]:
    """Create a uniquely named database next to base_url; return (url, name)."""
    name = f"cbec_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(_pg(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    head, _, _ = _pg(base_url).rpartition("/")
    return f"{head}/{name}", name


def _pg(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a database made fresh for this run (and this xdist worker)."""
    base = os.environ.get("CBEC_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'cbec.db'}"
        return
    url, name = _fresh_postgres(base)
    try:
        yield url
    finally:
        admin = create_engine(_pg(base), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """Engine on the fresh database, schema built by the Alembic migrations."""
    from cbec.storage.migrate import upgrade

    upgrade(database_url)
    eng = make_engine(database_url)
    bind_audit_key(eng, TEST_AUDIT_KEY)  # what bootstrap.build_context does with the configured audit key
    yield eng
    eng.dispose()


def _clean(eng: Engine) -> None:
    from tests.audit_guard import triggers_lifted

    metadata = all_metadata()
    with triggers_lifted(eng) as conn:  # audit records are append-only: the cleaner lifts the triggers, as an owner
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(autouse=True, scope="session")
def _intake_assembled() -> None:
    """Assemble intake's handler table as the composition root does (tests build contexts by hand too)."""
    assemble_intake()


@pytest.fixture
def clock() -> FixedClock:
    """A fixed clock at 2026-03-02 10:00 Asia/Shanghai."""
    return FixedClock(datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def ctx(engine: Engine, clock: FixedClock, tmp_path: Path) -> Iterator[Context]:
    """A context on the test database, emptied before each test."""
    _clean(engine)
    settings = Settings(
        data_dir=tmp_path, database_url=engine.url.render_as_string(hide_password=False), data_key=TEST_KEY
    )
    yield Context(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock,
        cipher=PersonalDataCipher(b"k" * 32),
    )


def is_postgres_run() -> bool:
    """Tell whether this run targets PostgreSQL."""
    return bool(os.environ.get("CBEC_TEST_DATABASE_URL"))


@pytest.fixture
def zone(ctx: Context):  # type: ignore[no-untyped-def]
    """A filed zone (reference data, enterprises, products) with a signing identity."""
    from tests.zone import make_zone

    return make_zone(ctx)
