"""risk: disposal cases per pivot, their alerts with labels, typed actions (maker-checker), snoozes

Revision ID: risk02
Revises: b2b01
Create Date: 2026-12-07 05:00:00.000000

* ``risk_case``: one open case per pivot (``open_key`` unique while open, cleared at close), score = max of alerts.
* ``risk_case_alert``: one row per alert (decision, typology), its case (none when snoozed), its label.
* ``risk_case_action``: typed actions with actor, time, comment; two-person ones proposed → confirmed/rejected.
* ``risk_snooze``: a rule silenced on a pivot until a time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "risk02"
down_revision = "b2b01"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "risk_case",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=120), nullable=True),
        sa.Column("pivot_kind", sa.String(length=12), nullable=False),
        sa.Column("pivot_key", sa.String(length=64), nullable=False),
        sa.Column("open_key", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=10), nullable=False),
        sa.Column("typologies", sa.JSON(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("opened_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("closed_at", _utc(), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_case")),
        sa.UniqueConstraint("open_key", name=op.f("uq_risk_case_open_key")),
    )
    for column in ("tenant", "pivot_key", "state"):
        op.create_index(op.f(f"ix_risk_case_{column}"), "risk_case", [column], unique=False)
    op.create_table(
        "risk_case_alert",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("decision_id", _id(), nullable=False),
        sa.Column("typology", sa.String(length=20), nullable=False),
        sa.Column("case_id", _id(), nullable=True),
        sa.Column("tenant", sa.String(length=120), nullable=True),
        sa.Column("pivot_kind", sa.String(length=12), nullable=False),
        sa.Column("pivot_key", sa.String(length=64), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=10), nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("snoozed", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("labelled_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_case_alert")),
        sa.UniqueConstraint("decision_id", "typology", name=op.f("uq_risk_case_alert_decision_id_typology")),
    )
    for column in ("decision_id", "case_id"):
        op.create_index(op.f(f"ix_risk_case_alert_{column}"), "risk_case_alert", [column], unique=False)
    op.create_table(
        "risk_case_action",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("checked_by", sa.String(length=100), nullable=True),
        sa.Column("checked_at", _utc(), nullable=True),
        sa.Column("check_comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_case_action")),
    )
    op.create_index(op.f("ix_risk_case_action_case_id"), "risk_case_action", ["case_id"], unique=False)
    op.create_table(
        "risk_snooze",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=120), nullable=True),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("pivot_kind", sa.String(length=12), nullable=False),
        sa.Column("pivot_key", sa.String(length=64), nullable=False),
        sa.Column("until", _utc(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("case_id", _id(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_snooze")),
    )
    op.create_index(op.f("ix_risk_snooze_pivot_key"), "risk_snooze", ["pivot_key"], unique=False)


def downgrade() -> None:
    for table in ("risk_snooze", "risk_case_action", "risk_case_alert", "risk_case"):
        op.drop_table(table)
