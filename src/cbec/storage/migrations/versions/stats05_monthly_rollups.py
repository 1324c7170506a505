"""statistics: monthly and block rollups (daily rows added up) and business-day indexes on the trade facts

Revision ID: stats05
Revises: risk04
Create Date: 2026-12-07 08:05:00.000000

* ``stat_rollup_month`` / ``stat_rollup_goods_month``: the same keys as ``stat_rollup`` / ``stat_rollup_goods`` with
  the month's first day instead of the day, filled here from the daily rows that exist;
* ``stat_rollup_block`` / ``stat_rollup_goods_block``: the same for blocks of a month (days 1–7, 8–14, 15–21, 22–28,
  29–end) with the block's first day;
* ``ix_trade_fact_declared_on`` / ``ix_trade_fact_released_on``: the rollups recount whole business days;
* ``stat_rollup.first_pass`` and ``stat_rollup_match``: inventories declared and matched at the first pass (三单
  一次对碰), from the receipts the statistics consumer reads. Rows counted before this revision hold 0: replay the
  events (``cbec stats rollup --replay-from 0``) to count them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cbec.storage.base import UtcDateTime

revision = "stats05"
down_revision = "risk04"
branch_labels = None
depends_on = None

_INVENTORY = ("declared", "refused", "first_pass", "released", "released_lines", "released_fen", "unconverted_lines",
              "returned")  # fmt: skip
_INVENTORY_KEYS = ("tenant", "direction", "mode", "platform_code", "ecommerce_code")
_GOODS_KEYS = ("tenant", "direction", "mode", "country", "hs_chapter")
_GOODS = ("released", "released_lines", "released_fen")


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _keys(*names: str, length: dict[str, int]) -> list[sa.Column[str]]:
    return [sa.Column(name, sa.String(length=length[name]), nullable=False) for name in names]


LENGTH = {"tenant": 120, "direction": 1, "mode": 4, "platform_code": 18, "ecommerce_code": 18, "country": 3,
          "hs_chapter": 2}  # fmt: skip


def _backfill(table: str, layer: str, source: str, keys: tuple[str, ...], measures: tuple[str, ...]) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if layer == "month":
        first = "date_trunc('month', day)::date" if postgres else "date(day, 'start of month')"
    elif postgres:  # the block's first day: the 1st, 8th, 15th, 22nd or 29th
        first = "(date_trunc('month', day)::date + LEAST((EXTRACT(DAY FROM day)::int - 1) / 7, 4) * 7)"
    else:
        offset = "MIN((CAST(strftime('%d', day) AS INTEGER) - 1) / 7, 4) * 7"
        first = f"date(day, 'start of month', '+' || ({offset}) || ' days')"
    names = ", ".join(keys)
    sums = ", ".join(f"SUM({m})" for m in measures)
    op.execute(
        f"INSERT INTO {table} ({layer}, {names}, {', '.join(measures)}) "  # fixed names only
        f"SELECT {first}, {names}, {sums} FROM {source} GROUP BY {first}, {names}"
    )


def upgrade() -> None:
    op.add_column("stat_rollup", sa.Column("first_pass", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "stat_rollup_match",
        sa.Column("direction", sa.String(length=1), nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("declared_at", UtcDateTime(), nullable=False),
        sa.Column("first_pass", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("direction", "eport_no", name=op.f("pk_stat_rollup_match")),
    )
    op.create_table(
        "stat_rollup_month",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        *_keys(*_INVENTORY_KEYS, length=LENGTH),
        sa.Column("declared", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("first_pass", sa.Integer(), nullable=False),
        sa.Column("released", sa.Integer(), nullable=False),
        sa.Column("released_lines", sa.Integer(), nullable=False),
        sa.Column("released_fen", sa.BigInteger(), nullable=False),
        sa.Column("unconverted_lines", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("returned_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_rollup_month")),
        sa.UniqueConstraint("month", *_INVENTORY_KEYS, name="uq_stat_rollup_month_key"),
    )
    op.create_table(
        "stat_rollup_goods_month",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        *_keys(*_GOODS_KEYS, length=LENGTH),
        sa.Column("released", sa.Integer(), nullable=False),
        sa.Column("released_lines", sa.Integer(), nullable=False),
        sa.Column("released_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_rollup_goods_month")),
        sa.UniqueConstraint("month", *_GOODS_KEYS, name="uq_stat_rollup_goods_month_key"),
    )
    for layer in ("block",):
        op.create_table(
            f"stat_rollup_{layer}",
            sa.Column("id", _id(), autoincrement=True, nullable=False),
            sa.Column(layer, sa.Date(), nullable=False),
            *_keys(*_INVENTORY_KEYS, length=LENGTH),
            *(sa.Column(name, sa.Integer(), nullable=False) for name in _INVENTORY if name != "released_fen"),
            sa.Column("released_fen", sa.BigInteger(), nullable=False),
            sa.Column("returned_fen", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_stat_rollup_{layer}")),
            sa.UniqueConstraint(layer, *_INVENTORY_KEYS, name=f"uq_stat_rollup_{layer}_key"),
        )
        op.create_table(
            f"stat_rollup_goods_{layer}",
            sa.Column("id", _id(), autoincrement=True, nullable=False),
            sa.Column(layer, sa.Date(), nullable=False),
            *_keys(*_GOODS_KEYS, length=LENGTH),
            sa.Column("released", sa.Integer(), nullable=False),
            sa.Column("released_lines", sa.Integer(), nullable=False),
            sa.Column("released_fen", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_stat_rollup_goods_{layer}")),
            sa.UniqueConstraint(layer, *_GOODS_KEYS, name=f"uq_stat_rollup_goods_{layer}_key"),
        )
    for layer in ("month", "block"):
        _backfill(f"stat_rollup_{layer}", layer, "stat_rollup", _INVENTORY_KEYS, (*_INVENTORY, "returned_fen"))
        _backfill(f"stat_rollup_goods_{layer}", layer, "stat_rollup_goods", _GOODS_KEYS, _GOODS)
    op.create_index("ix_trade_fact_declared_on", "trade_fact", ["declared_on"])
    op.create_index("ix_trade_fact_released_on", "trade_fact", ["released_on"])


def downgrade() -> None:
    op.drop_index("ix_trade_fact_released_on", table_name="trade_fact")
    op.drop_index("ix_trade_fact_declared_on", table_name="trade_fact")
    for table in ("stat_rollup_goods_block", "stat_rollup_block", "stat_rollup_goods_month", "stat_rollup_month"):
        op.drop_table(table)
    op.drop_table("stat_rollup_match")
    op.execute("ALTER TABLE stat_rollup DROP COLUMN first_pass")  # SQLite ≥ 3.35 too; the BI views keep working
