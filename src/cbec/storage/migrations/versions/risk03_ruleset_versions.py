"""risk: ruleset versions (draft → shadow → published → retired), phantom decisions of shadow runs, backtests

Revision ID: risk03
Revises: risk02
Create Date: 2026-12-07 05:00:00.000000

* ``risk_ruleset_version``: label, JSON body, SHA-256, state, author, approver, times (maker-checker).
* ``risk_shadow_decision``: a shadow version's score and band for an inventory the live consumer assessed.
* ``risk_backtest``: the last backtest report of a version.

The shipped ruleset becomes the first published version on first use (no domain code is imported here).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "risk03"
down_revision = "risk02"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "risk_ruleset_version",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("approver", sa.String(length=120), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("shadow_at", _utc(), nullable=True),
        sa.Column("published_at", _utc(), nullable=True),
        sa.Column("retired_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_ruleset_version")),
        sa.UniqueConstraint("version", name=op.f("uq_risk_ruleset_version_version")),
    )
    op.create_index(op.f("ix_risk_ruleset_version_sha256"), "risk_ruleset_version", ["sha256"], unique=False)
    op.create_table(
        "risk_shadow_decision",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("live_decision_id", _id(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=10), nullable=False),
        sa.Column("typologies", sa.JSON(), nullable=False),
        sa.Column("decided_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_shadow_decision")),
        sa.UniqueConstraint("eport_no", "version", name="uq_risk_shadow_decision_eport_version"),
    )
    op.create_index(
        "ix_risk_shadow_decision_version_decided", "risk_shadow_decision", ["version", "decided_at"], unique=False
    )
    op.create_table(
        "risk_backtest",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("run_by", sa.String(length=120), nullable=False),
        sa.Column("run_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_backtest")),
    )
    op.create_index(op.f("ix_risk_backtest_version"), "risk_backtest", ["version"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_risk_backtest_version"), table_name="risk_backtest")
    op.drop_table("risk_backtest")
    op.drop_index("ix_risk_shadow_decision_version_decided", table_name="risk_shadow_decision")
    op.drop_table("risk_shadow_decision")
    op.drop_index(op.f("ix_risk_ruleset_version_sha256"), table_name="risk_ruleset_version")
    op.drop_table("risk_ruleset_version")
