"""fctw01: four nullable trade fact columns (item number, waybill number, gross weight, consignee prefecture) and
the waybill index. A fact stored before the upgrade keeps its values with the new columns empty; the downgrade
drops them and keeps the row."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text
from tests.integration.storage.test_trust02_migration import scratch_url

from cbec.storage.engine import make_engine
from cbec.storage.migrate import alembic_config, upgrade

__all__ = ["scratch_url"]  # the fixture, shared with the trust02 test

NEW = ("item_no", "logistics_no", "gross_weight", "consignee_region")
INSERT = (
    "INSERT INTO trade_fact (direction, mode, document_id, eport_no, order_no, line_no, hs_code, goods_name,"
    " origin_country, destination_country, quantity, unit, legal_quantity, legal_unit, currency, value,"
    " platform_code, ecommerce_code, logistics_code, agent_code, customs_code, declared_at, declared_on, status,"
    " updated_at) VALUES ('I', '9610', 7, 'B20260302000000001', 'ORD1', 1, '1901101000', '奶粉', '116', '142',"
    " 2, '122', 1.8, '035', '142', 596, '4601960001', '4601960002', '4601960004', '4601960005', '4601',"
    " '2026-03-01 17:30:00', '2026-03-02', 'released', '2026-03-02 00:00:00')"
)


def _columns(url: str) -> tuple[set[str], set[str], list[tuple[object, ...]]]:
    engine = make_engine(url)
    try:
        found = inspect(engine)
        columns = {c["name"] for c in found.get_columns("trade_fact")}
        indexes = {i["name"] or "" for i in found.get_indexes("trade_fact")}
        chosen = ", ".join(["order_no", *(name for name in NEW if name in columns)])
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(text(f"SELECT {chosen} FROM trade_fact"))]
        return columns, indexes, rows
    finally:
        engine.dispose()


def test_the_new_columns_start_empty_and_the_downgrade_keeps_the_fact(scratch_url: str) -> None:
    upgrade(scratch_url, "rskl01")
    engine = make_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(text(INSERT))
    engine.dispose()
    upgrade(scratch_url, "fctw01")
    columns, indexes, rows = _columns(scratch_url)
    assert set(NEW) <= columns
    assert "ix_trade_fact_waybill" in indexes
    assert rows == [("ORD1", None, None, None, None)]
    command.downgrade(alembic_config(scratch_url), "rskl01")
    columns, indexes, rows = _columns(scratch_url)
    assert not set(NEW) & columns
    assert "ix_trade_fact_waybill" not in indexes
    assert rows == [("ORD1",)]
