"""credit: subjects, the append-only bitemporal fact table, overrides, configuration, stored ratings

Revision ID: credit01
Revises: facts01
Create Date: 2026-12-12 09:00:00.000000

* ``credit_subject``: enterprises by credit code and/or customs code, persons by a keyed hash only.
* ``credit_fact``: facts with their world validity (valid_from/valid_to), publication window (publish_min_until,
  publish_max_until) and the platform's recording time; corrections are new rows (``supersedes_id``). Triggers
  refuse UPDATE of facts and overrides (DELETE stays possible for a retention purge by the owner).
* ``credit_override``, ``credit_config`` (effective-dated schemes, windows, rulesets), ``credit_score``.

The shipped configuration is loaded by ``cbec credit seed``, not by this migration (no domain code is imported).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "credit01"
down_revision = "facts01"
branch_labels = None
depends_on = None

APPEND_ONLY = ("credit_fact", "credit_override")
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION cbec_credit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: record a new row (a correction supersedes the old one)', TG_TABLE_NAME;
END
$$
"""


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "credit_subject",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("customs_code", sa.String(length=10), nullable=True),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("tenant", sa.String(length=120), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_subject")),
        sa.UniqueConstraint("uscc", name=op.f("uq_credit_subject_uscc")),
        sa.UniqueConstraint("customs_code", name=op.f("uq_credit_subject_customs_code")),
        sa.UniqueConstraint("person_key", name=op.f("uq_credit_subject_person_key")),
    )
    op.create_index(op.f("ix_credit_subject_tenant"), "credit_subject", ["tenant"], unique=False)
    op.create_table(
        "credit_fact",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("fact_type", sa.String(length=30), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("tier", sa.String(length=30), nullable=True),
        sa.Column("grade", sa.String(length=10), nullable=True),
        sa.Column("list_type", sa.String(length=30), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("document_no", sa.String(length=100), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("publish_min_until", sa.Date(), nullable=False),
        sa.Column("publish_max_until", sa.Date(), nullable=True),
        sa.Column("window_basis", sa.Text(), nullable=True),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("supersedes_id", _id(), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=250), nullable=True),
        sa.Column("recorded_at", _utc(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["credit_subject.id"], name=op.f("fk_credit_fact_subject_id_credit_subject")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["credit_fact.id"], name=op.f("fk_credit_fact_supersedes_id_credit_fact")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_fact")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_credit_fact_dedupe_key")),
    )
    op.create_index("ix_credit_fact_subject_valid", "credit_fact", ["subject_id", "valid_from"], unique=False)
    op.create_index(op.f("ix_credit_fact_supersedes_id"), "credit_fact", ["supersedes_id"], unique=False)
    op.create_table(
        "credit_override",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("recorded_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["credit_subject.id"], name=op.f("fk_credit_override_subject_id_credit_subject")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_override")),
    )
    op.create_index(op.f("ix_credit_override_subject_id"), "credit_override", ["subject_id"], unique=False)
    op.create_table(
        "credit_config",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("loaded_at", _utc(), nullable=False),
        sa.Column("loaded_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_config")),
        sa.UniqueConstraint("kind", "code", "version", name=op.f("uq_credit_config_kind_code_version")),
    )
    op.create_table(
        "credit_score",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("subject_id", _id(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("ruleset", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("computed_at", _utc(), nullable=False),
        sa.Column("computed_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["credit_subject.id"], name=op.f("fk_credit_score_subject_id_credit_subject")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_score")),
    )
    op.create_index("ix_credit_score_subject_on", "credit_score", ["subject_id", "on_date"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION cbec_credit_append_only()"
            )
    else:
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: record a new row'); END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update" + (f" ON {table}" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS cbec_credit_append_only()")
    op.drop_index("ix_credit_score_subject_on", table_name="credit_score")
    op.drop_table("credit_score")
    op.drop_table("credit_config")
    op.drop_index(op.f("ix_credit_override_subject_id"), table_name="credit_override")
    op.drop_table("credit_override")
    op.drop_index(op.f("ix_credit_fact_supersedes_id"), table_name="credit_fact")
    op.drop_index("ix_credit_fact_subject_valid", table_name="credit_fact")
    op.drop_table("credit_fact")
    op.drop_index(op.f("ix_credit_subject_tenant"), table_name="credit_subject")
    op.drop_table("credit_subject")
