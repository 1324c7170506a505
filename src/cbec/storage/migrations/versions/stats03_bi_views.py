"""statistics: stable SQL views for BI tools (v1)

Revision ID: stats03
Revises: stats02
Create Date: 2026-12-07 06:00:00.000000

Views a BI tool (Superset, Metabase, Excel over ODBC …) reads instead of the tables, so that the tables may change
while the views keep their names and columns (a change makes ``…_v2`` beside ``…_v1``). Amounts are CNY to the fen;
every row is platform data (``caliber = 'platform'``). docs/statistics.md lists the columns.
"""

from __future__ import annotations

from alembic import op

revision = "stats03"
down_revision = "stats02"
branch_labels = None
depends_on = None

VIEWS = {
    "bi_stat_daily_v1": """
        SELECT day, tenant, direction, mode, platform_code, ecommerce_code, declared, refused, released,
               released_lines, CAST(released_fen / 100.0 AS NUMERIC(20, 2)) AS released_value_cny,
               unconverted_lines, returned, CAST(returned_fen / 100.0 AS NUMERIC(20, 2)) AS returned_value_cny,
               'platform' AS caliber
        FROM stat_rollup""",
    "bi_stat_goods_daily_v1": """
        SELECT day, tenant, direction, mode, country, hs_chapter, released, released_lines,
               CAST(released_fen / 100.0 AS NUMERIC(20, 2)) AS released_value_cny, 'platform' AS caliber
        FROM stat_rollup_goods""",
    "bi_stat_targets_v1": """
        SELECT tenant, indicator, period, target, updated_by, updated_at FROM stat_target""",
    "bi_index_editions_v1": """
        SELECT label, tenant, method_version, seed, digest, inputs_digest, signed, published_by, published_at
        FROM index_edition""",
}


def upgrade() -> None:
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body}")


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW {name}")
