"""credit: list management on the console (maker-checker for serious lists); facts flagged uncorrected

Revision ID: crdb01
Revises: rskc01
Create Date: 2026-12-07 14:00:00.000000

* ``credit_list_request``: a change to a negative list made by an officer — an entry added, ended early or
  corrected — with the proposer's and the confirming officer's accounts (a serious list's change counts only once
  another account confirms it) and the fact it became.
* ``credit_uncorrected``: a fact flagged uncorrected (未整改) under a sector rule, confirmed by another account: its
  publication continues past the window's maximum (the row appended on confirmation carries the new end).
* ``credit_evidence``: evidence files of repair applications, objections and facts, encrypted at rest.
* ``credit_aeo_assessment``: AEO self-assessments stored with their totals, result, assessor and the fact recorded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "crdb01"
down_revision = "rskc01"
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
        "credit_list_request",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("list_type", sa.String(length=30), nullable=False),
        sa.Column("serious", sa.Boolean(), nullable=False),
        sa.Column("target_fact_id", _id(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("proposed_by", sa.String(length=100), nullable=False),
        sa.Column("proposed_by_account", _id(), nullable=True),
        sa.Column("proposed_at", _utc(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_by_account", _id(), nullable=True),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("fact_id", _id(), nullable=True),
        _fk("credit_list_request", "subject_id", "credit_subject"),
        _fk("credit_list_request", "target_fact_id", "credit_fact"),
        _fk("credit_list_request", "fact_id", "credit_fact"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_list_request")),
    )
    _index("credit_list_request", "status", "subject_id", "target_fact_id")
    op.create_table(
        "credit_uncorrected",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("fact_id", _id(), nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("window_max", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("flagged_by", sa.String(length=100), nullable=False),
        sa.Column("flagged_by_account", _id(), nullable=True),
        sa.Column("flagged_at", _utc(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_by_account", _id(), nullable=True),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("result_fact_id", _id(), nullable=True),
        _fk("credit_uncorrected", "fact_id", "credit_fact"),
        _fk("credit_uncorrected", "subject_id", "credit_subject"),
        _fk("credit_uncorrected", "result_fact_id", "credit_fact"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_uncorrected")),
    )
    _index("credit_uncorrected", "fact_id", "subject_id", "status")
    op.create_table(
        "credit_evidence",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("reference_id", _id(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", _utc(), nullable=False),
        _fk("credit_evidence", "subject_id", "credit_subject"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_evidence")),
    )
    _index("credit_evidence", "subject_id", "sha256")
    op.create_table(
        "credit_aeo_assessment",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("standard", sa.String(length=80), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("modules", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("assessed_by", sa.String(length=100), nullable=False),
        sa.Column("assessed_by_account", _id(), nullable=True),
        sa.Column("assessed_at", _utc(), nullable=False),
        sa.Column("fact_id", _id(), nullable=True),
        _fk("credit_aeo_assessment", "subject_id", "credit_subject"),
        _fk("credit_aeo_assessment", "fact_id", "credit_fact"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_aeo_assessment")),
    )
    _index("credit_aeo_assessment", "subject_id")


def downgrade() -> None:
    op.drop_table("credit_aeo_assessment")
    op.drop_table("credit_evidence")
    op.drop_table("credit_uncorrected")
    op.drop_table("credit_list_request")
