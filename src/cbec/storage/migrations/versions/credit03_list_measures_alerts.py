"""credit: measures applied to list entries (joint punishment) and screening alerts with a review state

Revision ID: credit03
Revises: risk03
Create Date: 2026-12-07 08:00:00.000000

* ``credit_measure_applied``: a catalogue measure applied to a list entry (own, or joint for serious lists only),
  from ``started_on`` until lifted (``ended_on``, ``lift_cause``, ``lifted_by``); once per entry and measure.
* ``credit_screen_alert``: a screening hit above the threshold for an officer's review (open, confirmed,
  dismissed); once per screened filing and list entry, so screening again adds nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "credit03"
down_revision = "risk03"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def _index(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "credit_measure_applied",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("fact_id", _id(), nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("list_type", sa.String(length=30), nullable=False),
        sa.Column("measure_code", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("department", sa.String(length=20), nullable=False),
        sa.Column("catalogue", sa.String(length=64), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("lift_cause", sa.String(length=12), nullable=True),
        sa.Column("lifted_by", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", _utc(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        _fk("credit_measure_applied", "fact_id", "credit_fact"),
        _fk("credit_measure_applied", "subject_id", "credit_subject"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_measure_applied")),
        sa.UniqueConstraint("fact_id", "measure_code", name=op.f("uq_credit_measure_applied_fact_id_measure_code")),
    )
    _index("credit_measure_applied", "fact_id", "subject_id", "ended_on")
    op.create_table(
        "credit_screen_alert",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("subject_code", sa.String(length=18), nullable=False),
        sa.Column("customs_code", sa.String(length=10), nullable=True),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("tenant", sa.String(length=120), nullable=False),
        sa.Column("fact_id", _id(), nullable=False),
        sa.Column("list_type", sa.String(length=30), nullable=True),
        sa.Column("score", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("matched", sa.String(length=20), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("screened_on", sa.Date(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("reviewer", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_at", _utc(), nullable=True),
        _fk("credit_screen_alert", "fact_id", "credit_fact"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_screen_alert")),
        sa.UniqueConstraint("subject_code", "fact_id", name=op.f("uq_credit_screen_alert_subject_code_fact_id")),
    )
    _index("credit_screen_alert", "tenant", "fact_id", "score", "state")


def downgrade() -> None:
    for table in ("credit_screen_alert", "credit_measure_applied"):
        op.drop_table(table)
