"""rskl01: a list entry may come from a case (``load_id`` null, ``case_id`` set). A loaded entry stored before the
upgrade keeps its load; a case's entry is stored after it; the downgrade removes the cases' entries and keeps the
loaded ones."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from tests.integration.storage.test_trust02_migration import scratch_url

from cbec.storage.engine import make_engine
from cbec.storage.migrate import alembic_config, upgrade

__all__ = ["scratch_url"]  # the fixture, shared with the trust02 test

INSERT = (
    "INSERT INTO risk_list_entry (kind, load_id, entry_key, valid_from, valid_to, data)"
    " VALUES ('watch', :load, :key, '2026-03-02', NULL, '{}')"
)


def _rows(url: str, columns: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(f"SELECT {columns} FROM risk_list_entry ORDER BY id"))]
    engine.dispose()
    return rows


def test_a_case_entry_has_no_load_and_the_downgrade_removes_it(scratch_url: str) -> None:
    upgrade(scratch_url, "rskg01")
    engine = make_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(text(INSERT), {"load": 1, "key": "4601960001"})
    engine.dispose()
    upgrade(scratch_url, "rskl01")
    engine = make_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(
            text(INSERT.replace("data)", "data, case_id)").replace("'{}')", "'{}', 7)")),
            {"load": None, "key": "buyer:ab"},
        )
    engine.dispose()
    assert _rows(scratch_url, "entry_key, load_id, case_id") == [("4601960001", 1, None), ("buyer:ab", None, 7)]
    command.downgrade(alembic_config(scratch_url), "rskg01")
    assert _rows(scratch_url, "entry_key, load_id") == [("4601960001", 1)]
