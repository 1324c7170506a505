"""stats05: the monthly and block layers are filled from the daily rows that exist, as the rollup would build them."""

from __future__ import annotations

import random
from datetime import date, timedelta

from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from tests.integration.storage.test_trust02_migration import scratch_url

from cbec.statistics import months
from cbec.statistics.models import StatRollupBlock, StatRollupGoodsBlock, StatRollupGoodsMonth, StatRollupMonth
from cbec.storage.engine import make_engine
from cbec.storage.migrate import alembic_config, upgrade

__all__ = ["scratch_url"]

TABLES = (StatRollupMonth, StatRollupGoodsMonth, StatRollupBlock, StatRollupGoodsBlock)


def _layers(session: Session) -> list[list[tuple[object, ...]]]:
    found = []
    for table in TABLES:
        columns = [c for c in table.__table__.columns if c.name != "id"]
        found.append(sorted(tuple(row) for row in session.execute(select(*columns))))
    return found


def test_the_upgrade_fills_the_layers_as_the_rollup_builds_them(scratch_url: str) -> None:
    upgrade(scratch_url, "risk04")
    rng = random.Random(4)
    engine = make_engine(scratch_url)
    days = [date(2024, 2, 1) + timedelta(days=i) for i in range(0, 120, 2)]  # a leap February, block 29s
    with engine.begin() as connection:
        for n, day in enumerate(days):
            for tenant in ("hub", "hub/sanya"):
                connection.execute(
                    text(
                        "INSERT INTO stat_rollup (day, tenant, direction, mode, platform_code, ecommerce_code, "
                        "declared, refused, released, released_lines, released_fen, unconverted_lines, returned, "
                        "returned_fen) VALUES (:day, :tenant, 'I', '9610', 'P', :ent, 3, 1, 2, 4, :fen, 0, 1, 7)"
                    ),
                    {"day": day, "tenant": tenant, "ent": f"E{n % 3}", "fen": rng.randrange(10**6)},
                )
                connection.execute(
                    text(
                        "INSERT INTO stat_rollup_goods (day, tenant, direction, mode, country, hs_chapter, released, "
                        "released_lines, released_fen) VALUES (:day, :tenant, 'E', '9610', '502', '', 1, 2, :fen)"
                    ),
                    {"day": day, "tenant": tenant, "fen": rng.randrange(10**6)},
                )
    upgrade(scratch_url, "stats05")
    with Session(engine) as session:
        migrated = _layers(session)
        assert all(migrated)
        for table in TABLES:
            session.execute(table.__table__.delete())
        months.rebuild_all(session, days)
        assert _layers(session) == migrated
        session.rollback()
    engine.dispose()
    command.downgrade(alembic_config(scratch_url), "risk04")
    upgrade(scratch_url, "head")
