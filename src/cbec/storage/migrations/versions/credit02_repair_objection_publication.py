"""credit: repair applications, objections, ends of publication, override requests (maker-checker)

Revision ID: credit02
Revises: stats01
Create Date: 2026-12-07 02:00:00.000000

* ``credit_repair``: an enterprise's repair application for one fact, reviewed by one officer and decided by
  another; approval appends a fact row (facts stay append-only) and names it in ``result_fact_id``.
* ``credit_objection``: an objection against a fact with its review deadline (``due_on``, from configuration).
* ``credit_publication_end``: the end of a fact's publication as recorded (the daily job, a repair), once per fact.
* ``credit_override_request``: a level override proposed by one officer, approved by another.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "credit02"
down_revision = "stats01"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def _index(table: str, *columns: str, unique: bool = False) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=unique)


def upgrade() -> None:
    op.create_table(
        "credit_repair",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("fact_id", _id(), nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("commitment", sa.Text(), nullable=False),
        sa.Column("training", sa.Text(), nullable=True),
        sa.Column("applicant", sa.String(length=100), nullable=False),
        sa.Column("applied_at", _utc(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", _utc(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("result_fact_id", _id(), nullable=True),
        _fk("credit_repair", "fact_id", "credit_fact"),
        _fk("credit_repair", "subject_id", "credit_subject"),
        _fk("credit_repair", "result_fact_id", "credit_fact"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_repair")),
    )
    _index("credit_repair", "fact_id", "subject_id", "status")
    op.create_table(
        "credit_objection",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("fact_id", _id(), nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=True),
        sa.Column("applicant", sa.String(length=100), nullable=False),
        sa.Column("filed_at", _utc(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("deadline_basis", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("result_fact_id", _id(), nullable=True),
        _fk("credit_objection", "fact_id", "credit_fact"),
        _fk("credit_objection", "subject_id", "credit_subject"),
        _fk("credit_objection", "result_fact_id", "credit_fact"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_objection")),
    )
    _index("credit_objection", "fact_id", "subject_id", "status")
    op.create_table(
        "credit_publication_end",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("fact_id", _id(), nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("cause", sa.String(length=10), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", _utc(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        _fk("credit_publication_end", "fact_id", "credit_fact"),
        _fk("credit_publication_end", "subject_id", "credit_subject"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_publication_end")),
        sa.UniqueConstraint("fact_id", name=op.f("uq_credit_publication_end_fact_id")),
    )
    _index("credit_publication_end", "subject_id")
    op.create_table(
        "credit_override_request",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("proposed_by", sa.String(length=100), nullable=False),
        sa.Column("proposed_at", _utc(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("override_id", _id(), nullable=True),
        _fk("credit_override_request", "subject_id", "credit_subject"),
        _fk("credit_override_request", "override_id", "credit_override"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_override_request")),
    )
    _index("credit_override_request", "subject_id", "status")


def downgrade() -> None:
    for table in ("credit_override_request", "credit_publication_end", "credit_objection", "credit_repair"):
        op.drop_table(table)
