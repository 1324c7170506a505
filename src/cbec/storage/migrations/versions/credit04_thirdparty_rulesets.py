"""credit: third-party reports and disagreement reviews, ruleset proposals, override maker-checker by account

Revision ID: credit04
Revises: credit03
Create Date: 2026-12-07 08:00:00.000000

* ``credit_thirdparty_report``: an accredited agency's signed report as signed (canonical JSON, signature,
  certificate digest), the grade mapped to the zone's levels, the fact it became; one per agency and report number.
* ``credit_review_task``: a disagreement of more than one notch between a report and the zone's own level, open
  until an officer keeps the report's fact or withdraws it, with a note.
* ``credit_ruleset_proposal``: a rating ruleset proposed by one officer with its dry run, published by another
  account (the configuration row it became).
* ``credit_override_request.proposed_by_account``: the proposer's account, which maker-checker compares.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "credit04"
down_revision = "credit03"
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
        "credit_thirdparty_report",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("accreditation", sa.String(length=100), nullable=False),
        sa.Column("method_ref", sa.String(length=200), nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("report_no", sa.String(length=100), nullable=False),
        sa.Column("grade", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("algorithm", sa.String(length=20), nullable=False),
        sa.Column("certificate_sha256", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("fact_id", _id(), nullable=False),
        sa.Column("imported_at", _utc(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        _fk("credit_thirdparty_report", "subject_id", "credit_subject"),
        _fk("credit_thirdparty_report", "fact_id", "credit_fact"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_thirdparty_report")),
        sa.UniqueConstraint("agency_code", "report_no", name=op.f("uq_credit_thirdparty_report_agency_code_report_no")),
    )
    _index("credit_thirdparty_report", "subject_id")
    op.create_table(
        "credit_review_task",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("report_id", _id(), nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("agency_level", sa.String(length=4), nullable=False),
        sa.Column("zone_level", sa.String(length=4), nullable=False),
        sa.Column("notches", sa.Integer(), nullable=False),
        sa.Column("opened_at", _utc(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.Column("result_fact_id", _id(), nullable=True),
        _fk("credit_review_task", "report_id", "credit_thirdparty_report"),
        _fk("credit_review_task", "subject_id", "credit_subject"),
        _fk("credit_review_task", "result_fact_id", "credit_fact"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_review_task")),
        sa.UniqueConstraint("report_id", name=op.f("uq_credit_review_task_report_id")),
    )
    _index("credit_review_task", "subject_id", "status")
    op.create_table(
        "credit_ruleset_proposal",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("dry_run", sa.JSON(), nullable=False),
        sa.Column("proposed_by", sa.String(length=100), nullable=False),
        sa.Column("proposed_by_account", _id(), nullable=True),
        sa.Column("proposed_at", _utc(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("config_id", _id(), nullable=True),
        _fk("credit_ruleset_proposal", "config_id", "credit_config"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_ruleset_proposal")),
    )
    _index("credit_ruleset_proposal", "status")
    with op.batch_alter_table("credit_override_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposed_by_account", _id(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_override_request", schema=None) as batch_op:
        batch_op.drop_column("proposed_by_account")
    for table in ("credit_ruleset_proposal", "credit_review_task", "credit_thirdparty_report"):
        op.drop_table(table)
