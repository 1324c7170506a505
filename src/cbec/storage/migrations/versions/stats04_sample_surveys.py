"""statistics: sample surveys (frame, reproducible sample, responses)

Revision ID: stats04
Revises: stats03
Create Date: 2026-12-07 06:10:00.000000

* ``stat_survey``: a survey — question, reference period, frame rule, take-all threshold, sample size, seed, state.
* ``stat_survey_unit``: the frame's units with stratum, permanent random number, selection and the response.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cbec.storage.base import Amount

revision = "stats04"
down_revision = "stats03"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stat_survey",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("tenant", sa.String(length=120), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("min_size", Amount(), nullable=False),
        sa.Column("take_all_at", Amount(), nullable=True),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_survey")),
        sa.UniqueConstraint("code", name=op.f("uq_stat_survey_code")),
    )
    op.create_index(op.f("ix_stat_survey_tenant"), "stat_survey", ["tenant"], unique=False)
    op.create_table(
        "stat_survey_unit",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("survey_id", _id(), nullable=False),
        sa.Column("code", sa.String(length=18), nullable=False),
        sa.Column("size", Amount(), nullable=False),
        sa.Column("stratum", sa.String(length=10), nullable=False),
        sa.Column("prn", sa.String(length=24), nullable=False),
        sa.Column("selected", sa.Boolean(), nullable=False),
        sa.Column("value", Amount(), nullable=True),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_survey_unit")),
        sa.UniqueConstraint("survey_id", "code", name=op.f("uq_stat_survey_unit_survey_id_code")),
    )
    op.create_index(op.f("ix_stat_survey_unit_survey_id"), "stat_survey_unit", ["survey_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_stat_survey_unit_survey_id"), table_name="stat_survey_unit")
    op.drop_table("stat_survey_unit")
    op.drop_index(op.f("ix_stat_survey_tenant"), table_name="stat_survey")
    op.drop_table("stat_survey")
