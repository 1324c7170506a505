"""supervision: measures (holds, inspection rates by credit level) that credit and risk write and clearance reads

Revision ID: sup01
Revises: seal01
Create Date: 2026-12-06 23:45:00.000000

* ``supervision_measure``: one measure on one subject (enterprise code, buyer key, E-port number) with its kind
  (hold | inspection), rate, source (credit | risk | officer), reference, reason and validity. Rows are never
  deleted; a replaced measure gets its ``valid_until``.
* Its revision token ``supervision`` (``data_revision``), changed by triggers on every write (as perf01 does for
  filings), so that intake knows without a query which subjects have measures at all; seeded here so that the
  token exists before the first measure is written.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "sup01"
down_revision = "seal01"
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
        "supervision_measure",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("subject_kind", sa.String(length=12), nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("rate", _amount(), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("valid_from", _utc(), nullable=False),
        sa.Column("valid_until", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_measure")),
    )
    op.create_index("ix_supervision_measure_subject", "supervision_measure", ["subject_kind", "subject_key"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # One bump per statement: credit and risk write measures in batches; readers only need "changed".
        op.execute(
            "CREATE TRIGGER supervision_measure_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            "ON supervision_measure FOR EACH STATEMENT EXECUTE FUNCTION cbec_bump_data_revision('supervision')"
        )
    else:
        for action in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER supervision_measure_revision_{action.lower()} AFTER {action} ON supervision_measure "
                "BEGIN INSERT OR REPLACE INTO data_revision (name, token) "
                "VALUES ('supervision', lower(hex(randomblob(16)))); END"
            )
    exists = bind.execute(sa.text("SELECT count(*) FROM data_revision WHERE name = 'supervision'")).scalar_one()
    if not exists:
        bind.execute(sa.text("INSERT INTO data_revision (name, token) VALUES ('supervision', 'sup01')"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS supervision_measure_revision ON supervision_measure")
    else:
        for action in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS supervision_measure_revision_{action}")
    bind.execute(sa.text("DELETE FROM data_revision WHERE name = 'supervision'"))
    op.drop_index("ix_supervision_measure_subject", table_name="supervision_measure")
    op.drop_table("supervision_measure")
