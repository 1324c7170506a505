"""prdw01: a product filing gains an optional unit gross weight (kg). A filing stored before the upgrade has none
and keeps every other field; a weight written after it reads back exact; the downgrade drops the column and keeps
the filings."""

from __future__ import annotations

from decimal import Decimal

from alembic import command
from sqlalchemy import inspect, text
from tests.integration.storage.test_trust02_migration import scratch_url

from cbec.storage.engine import make_engine
from cbec.storage.migrate import alembic_config, upgrade

__all__ = ["scratch_url"]  # the fixture, shared with the trust02 test

ENTERPRISE = (
    "INSERT INTO enterprise (uscc, customs_code, name, zone, status, filed_at, updated_at)"
    " VALUES ('91460100MA5T000001', '4601960002', '海口全球购', 'hub', 'approved', :at, :at)"
)
PRODUCT = (
    "INSERT INTO product (owner_id, item_no, name, hs_code, specification, origin_country, transaction_unit,"
    " legal_unit, net_content, net_content_unit, status, filed_at, updated_at)"
    " SELECT id, :item, '奶粉', '1901101000', '900g/罐', '609', '122', '035', 900, '036', 'approved', :at, :at"
    " FROM enterprise"
)
AT = "2026-03-02 01:30:00"


def _columns(url: str) -> set[str]:
    engine = make_engine(url)
    names = {c["name"] for c in inspect(engine).get_columns("product")}
    engine.dispose()
    return names


def test_a_filing_before_the_upgrade_has_no_weight_and_the_downgrade_keeps_the_filings(scratch_url: str) -> None:
    upgrade(scratch_url, "rskd01")
    engine = make_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(text(ENTERPRISE), {"at": AT})
        conn.execute(text(PRODUCT), {"item": "SKU-MILK-900", "at": AT})
    engine.dispose()
    assert "unit_gross_weight" not in _columns(scratch_url)
    upgrade(scratch_url, "prdw01")
    engine = make_engine(scratch_url)
    with engine.begin() as conn:
        conn.execute(text(PRODUCT), {"item": "SKU-SERUM-50", "at": AT})
        conn.execute(text("UPDATE product SET unit_gross_weight = 0.11 WHERE item_no = 'SKU-SERUM-50'"))
        rows = conn.execute(text("SELECT item_no, net_content, unit_gross_weight FROM product ORDER BY id")).all()
    engine.dispose()
    read = [(item, Decimal(str(content)), None if w is None else Decimal(str(w))) for item, content, w in rows]
    assert read == [("SKU-MILK-900", Decimal(900), None), ("SKU-SERUM-50", Decimal(900), Decimal("0.11"))]
    command.downgrade(alembic_config(scratch_url), "rskd01")
    assert "unit_gross_weight" not in _columns(scratch_url)
    engine = make_engine(scratch_url)
    with engine.connect() as conn:
        assert conn.scalars(text("SELECT item_no FROM product ORDER BY id")).all() == ["SKU-MILK-900", "SKU-SERUM-50"]
    engine.dispose()
