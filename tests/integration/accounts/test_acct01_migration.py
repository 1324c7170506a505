"""Migration acct01: older one-word zones become sub-platforms below the hub, and come back on downgrade."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from cbec.storage.migrate import alembic_config, upgrade


def test_zones_move_below_the_hub_and_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0001")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO enterprise (uscc, customs_code, name, zone, status, filed_at, updated_at) VALUES "
                "('U1', '4601000001', 'a', 'haikou', 'approved', '2026-01-01', '2026-01-01'), "
                "('U2', '4601000002', 'b', 'hub', 'approved', '2026-01-01', '2026-01-01')"
            )
        )
    upgrade(url, "acct01")
    with engine.begin() as conn:
        tenants = conn.execute(
            text("SELECT t.path, t.kind, p.path FROM tenant t LEFT JOIN tenant p ON p.id = t.parent_id")
        )
        assert sorted(tuple(r) for r in tenants) == [("hub", "hub", None), ("hub/haikou", "sub_platform", "hub")]
        zones = conn.execute(text("SELECT customs_code, zone FROM enterprise ORDER BY customs_code")).all()
        assert [tuple(r) for r in zones] == [("4601000001", "hub/haikou"), ("4601000002", "hub")]
    command.downgrade(alembic_config(url), "0001")
    with engine.begin() as conn:
        zones = conn.execute(text("SELECT customs_code, zone FROM enterprise ORDER BY customs_code")).all()
        assert [tuple(r) for r in zones] == [("4601000001", "haikou"), ("4601000002", "hub")]
    engine.dispose()
