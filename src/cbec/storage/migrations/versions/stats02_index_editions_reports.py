"""statistics: published editions of the development index; generated monthly and quarterly reports

Revision ID: stats02
Revises: credit02
Create Date: 2026-12-07 05:00:00.000000

* ``index_edition``: one published edition — its inputs as published (observations CSV, method JSON, seed), the
  result and its digest, and the manifest signed by the platform's signer. Rows are never updated or deleted.
* ``stat_report``: a generated report as sent (HTML, the digest of its figures), one revision per generation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "stats02"
down_revision = "credit02"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "index_edition",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("tenant", sa.String(length=120), nullable=False),
        sa.Column("method_version", sa.String(length=40), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("numpy_version", sa.String(length=20), nullable=False),
        sa.Column("observations_csv", sa.Text(), nullable=False),
        sa.Column("method_json", sa.Text(), nullable=False),
        sa.Column("inputs_digest", sa.String(length=64), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("manifest_xml", sa.Text(), nullable=False),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_edition")),
        sa.UniqueConstraint("label", name=op.f("uq_index_edition_label")),
    )
    op.create_index(op.f("ix_index_edition_tenant"), "index_edition", ["tenant"], unique=False)
    op.create_table(
        "stat_report",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=120), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("generated_by", sa.String(length=100), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stat_report")),
        sa.UniqueConstraint(
            "tenant", "period", "lang", "revision", name=op.f("uq_stat_report_tenant_period_lang_revision")
        ),
    )
    op.create_index(op.f("ix_stat_report_tenant"), "stat_report", ["tenant"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_stat_report_tenant"), table_name="stat_report")
    op.drop_table("stat_report")
    op.drop_index(op.f("ix_index_edition_tenant"), table_name="index_edition")
    op.drop_table("index_edition")
