"""b2b: imported general-trade export declarations, identification runs and their results

Revision ID: b2b01
Revises: stats04
Create Date: 2026-12-07 05:00:00.000000

* ``b2b_declaration``: a export declaration imported as input (0110 general trade, or 9710/9810), one row per number
  (consignee name encrypted).
* ``b2b_run``: one identification run: method version, digest and document, thresholds, input and result digests,
  counts.
* ``b2b_result``: one declaration's score, class and reason codes in one run, with its day, tenant and CNY value.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "b2b01"
down_revision = "stats04"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _amount() -> sa.types.TypeEngine[Any]:
    return sa.Numeric(precision=19, scale=5).with_variant(sa.String(length=32), "sqlite")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "b2b_declaration",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("declaration_no", sa.String(length=18), nullable=False),
        sa.Column("tenant", sa.String(length=120), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("trade_mode", sa.String(length=4), nullable=False),
        sa.Column("exporter_code", sa.String(length=18), nullable=False),
        sa.Column("consignee_name", sa.Text(), nullable=False),
        sa.Column("consignee_country", sa.String(length=3), nullable=False),
        sa.Column("trade_terms", sa.String(length=3), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", _amount(), nullable=False),
        sa.Column("hs_codes", sa.Text(), nullable=False),
        sa.Column("platform_code", sa.String(length=18), nullable=True),
        sa.Column("order_no", sa.String(length=60), nullable=True),
        sa.Column("waybill_no", sa.String(length=60), nullable=True),
        sa.Column("carrier", sa.String(length=120), nullable=True),
        sa.Column("departed_on", sa.Date(), nullable=True),
        sa.Column("destination_country", sa.String(length=3), nullable=True),
        sa.Column("payment_channel", sa.String(length=40), nullable=True),
        sa.Column("received_amount", _amount(), nullable=True),
        sa.Column("received_currency", sa.String(length=3), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("imported_at", _utc(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_b2b_declaration")),
        sa.UniqueConstraint("declaration_no", name=op.f("uq_b2b_declaration_declaration_no")),
    )
    op.create_index(op.f("ix_b2b_declaration_tenant"), "b2b_declaration", ["tenant"], unique=False)
    op.create_index(op.f("ix_b2b_declaration_declared_on"), "b2b_declaration", ["declared_on"], unique=False)
    op.create_table(
        "b2b_run",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=120), nullable=False),
        sa.Column("method_version", sa.String(length=40), nullable=False),
        sa.Column("method_digest", sa.String(length=64), nullable=False),
        sa.Column("method_document", sa.Text(), nullable=False),
        sa.Column("identify_at", sa.String(length=10), nullable=False),
        sa.Column("reject_at", sa.String(length=10), nullable=False),
        sa.Column("input_digest", sa.String(length=64), nullable=False),
        sa.Column("result_digest", sa.String(length=64), nullable=False),
        sa.Column("declarations", sa.Integer(), nullable=False),
        sa.Column("declared", sa.Integer(), nullable=False),
        sa.Column("identified", sa.Integer(), nullable=False),
        sa.Column("undecided", sa.Integer(), nullable=False),
        sa.Column("general", sa.Integer(), nullable=False),
        sa.Column("unconverted", sa.Integer(), nullable=False),
        sa.Column("identified_fen", sa.BigInteger(), nullable=False),
        sa.Column("run_at", _utc(), nullable=False),
        sa.Column("run_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_b2b_run")),
    )
    op.create_index(op.f("ix_b2b_run_tenant"), "b2b_run", ["tenant"], unique=False)
    op.create_table(
        "b2b_result",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("run_id", _id(), nullable=False),
        sa.Column("declaration_no", sa.String(length=18), nullable=False),
        sa.Column("tenant", sa.String(length=120), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("score", sa.String(length=10), nullable=False),
        sa.Column("klass", sa.String(length=10), nullable=False),
        sa.Column("reasons", sa.String(length=200), nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["b2b_run.id"], name=op.f("fk_b2b_result_run_id_b2b_run")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_b2b_result")),
    )
    op.create_index(op.f("ix_b2b_result_run_id"), "b2b_result", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_b2b_result_run_id"), table_name="b2b_result")
    op.drop_table("b2b_result")
    op.drop_index(op.f("ix_b2b_run_tenant"), table_name="b2b_run")
    op.drop_table("b2b_run")
    op.drop_index(op.f("ix_b2b_declaration_declared_on"), table_name="b2b_declaration")
    op.drop_index(op.f("ix_b2b_declaration_tenant"), table_name="b2b_declaration")
    op.drop_table("b2b_declaration")
