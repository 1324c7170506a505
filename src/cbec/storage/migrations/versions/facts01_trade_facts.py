"""facts: the trade fact table, and a revision token for the customs exchange rates

Revision ID: facts01
Revises: trust02
Create Date: 2026-12-10 09:00:00.000000

* ``trade_fact``: one non-personal row per goods line of every import and export inventory (cbec.facts), with
  an index for the dashboard's reads (released goods of a period per direction) and one unique key
  per line (direction, E-port number, line number). A plain table: no foreign keys, no server defaults, so an
  import message's new rows go out by COPY. Existing inventories get their facts from ``cbec facts backfill``
  (an operator command: it reads the stored documents, which this migration does not decrypt).
* Triggers on ``export_rate`` give the ``export_rate`` revision token a new value on every write (as perf01 does
  for the reference tables), so the customs rates facts are converted at can be kept in memory; the token is
  given a first value here, so rates loaded before this migration are cached too.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "facts01"
down_revision = "trust02"
branch_labels = None
depends_on = None

TOKEN = "export_rate"
TABLE = "export_rate"
# This migration's own copy of the function perf01 made (CREATE OR REPLACE: the same body).
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION cbec_bump_data_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_revision (name, token) VALUES (TG_ARGV[0], replace(gen_random_uuid()::text, '-', ''))
    ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$
"""


def _amount() -> sa.types.TypeEngine[Any]:
    return sa.Numeric(precision=19, scale=5).with_variant(sa.String(length=32), "sqlite")


def _utc() -> sa.types.TypeEngine[Any]:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "trade_fact",
        sa.Column("id", big_id, autoincrement=True, nullable=False),
        sa.Column("direction", sa.String(length=1), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("document_id", big_id, nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("inventory_no", sa.String(length=20), nullable=True),
        sa.Column("order_no", sa.String(length=60), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("goods_name", sa.String(length=250), nullable=False),
        sa.Column("origin_country", sa.String(length=3), nullable=False),
        sa.Column("destination_country", sa.String(length=3), nullable=False),
        sa.Column("quantity", _amount(), nullable=False),
        sa.Column("unit", sa.String(length=3), nullable=False),
        sa.Column("legal_quantity", _amount(), nullable=False),
        sa.Column("legal_unit", sa.String(length=3), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("value", _amount(), nullable=False),
        sa.Column("value_cny", _amount(), nullable=True),
        sa.Column("value_usd", _amount(), nullable=True),
        sa.Column("platform_code", sa.String(length=18), nullable=False),
        sa.Column("ecommerce_code", sa.String(length=18), nullable=False),
        sa.Column("logistics_code", sa.String(length=18), nullable=False),
        sa.Column("payment_code", sa.String(length=18), nullable=True),
        sa.Column("agent_code", sa.String(length=18), nullable=False),
        sa.Column("warehouse_code", sa.String(length=18), nullable=True),
        sa.Column("owner_code", sa.String(length=18), nullable=True),
        sa.Column("tenant", sa.String(length=120), nullable=True),
        sa.Column("customs_code", sa.String(length=4), nullable=False),
        sa.Column("declared_at", _utc(), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("released_at", _utc(), nullable=True),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("buyer_key", sa.String(length=64), nullable=True),
        sa.Column("payer_key", sa.String(length=64), nullable=True),
        sa.Column("phone_key", sa.String(length=64), nullable=True),
        sa.Column("address_key", sa.String(length=64), nullable=True),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_fact")),
        sa.UniqueConstraint("direction", "eport_no", "line_no", name=op.f("uq_trade_fact_direction_eport_no_line_no")),
    )
    op.create_index("ix_trade_fact_released", "trade_fact", ["direction", "released_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            f"CREATE TRIGGER {TABLE}_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION cbec_bump_data_revision('{TOKEN}')"
        )
        op.execute(
            "INSERT INTO data_revision (name, token) "
            f"VALUES ('{TOKEN}', replace(gen_random_uuid()::text, '-', '')) ON CONFLICT (name) DO NOTHING"
        )
    else:
        for action in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {TABLE}_revision_{action.lower()} AFTER {action} ON {TABLE} BEGIN "
                "INSERT OR REPLACE INTO data_revision (name, token) "
                f"VALUES ('{TOKEN}', lower(hex(randomblob(16)))); END"
            )
        op.execute(f"INSERT OR IGNORE INTO data_revision (name, token) VALUES ('{TOKEN}', lower(hex(randomblob(16))))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_revision ON {TABLE}")
    else:
        for action in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_revision_{action}")
    op.execute(sa.text("DELETE FROM data_revision WHERE name = :name").bindparams(name=TOKEN))
    op.drop_index("ix_trade_fact_released", table_name="trade_fact")
    op.drop_table("trade_fact")
