"""trust: a keyed audit chain the database refuses to rewrite

Revision ID: trust02
Revises: perf02
Create Date: 2026-11-24 09:00:00.000000

* ``audit_record.chain_version``: the rule each record's hash was made by. Every existing record gets 1 (SHA-256,
  unkeyed, as trust01 sealed them); the application seals every later record with 2 (HMAC-SHA256 under the audit
  key, held outside the database). Nothing is re-hashed here, so the migration needs no key.
* Triggers refuse UPDATE and DELETE of audit records (and TRUNCATE on PostgreSQL), and refuse to delete the
  audit journal's head or to move it back (``last_seq`` may only grow); TRUNCATE of ``journal_head`` is refused
  too. The application never updates or deletes audit records; only a table owner who drops or disables the
  triggers can, and the keyed chain and the signed checkpoints then find it (docs/decisions/0004-audit-chain.md).

On SQLite these are plain BEFORE triggers raising ABORT; a later migration that rebuilds ``audit_record`` or
``journal_head`` in batch mode must create them again. Downgrading drops the triggers and the column: records
sealed with the key no longer verify by the code of perf02 (which knows only the unkeyed rule).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "trust02"
down_revision = "perf02"
branch_labels = None
depends_on = None

REFUSED = "the audit trail is append-only (审计记录只可追加，不可修改或删除)"
REWIND = "the audit chain head may only move forward (审计链头只能前进)"

_PG_FUNCTIONS = (
    f"""
CREATE FUNCTION cbec_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cbec: % on % refused: {REFUSED}', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$""",
    f"""
CREATE FUNCTION cbec_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.name = 'audit' AND (TG_OP = 'DELETE' OR NEW.name <> OLD.name OR NEW.last_seq < OLD.last_seq) THEN
        RAISE EXCEPTION 'cbec: % on journal_head refused: {REWIND}', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$""",
)

_PG_TRIGGERS = (
    "CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record "
    "FOR EACH ROW EXECUTE FUNCTION cbec_audit_append_only()",
    "CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record "
    "FOR EACH STATEMENT EXECUTE FUNCTION cbec_audit_append_only()",
    "CREATE TRIGGER journal_head_audit_forward BEFORE UPDATE OR DELETE ON journal_head "
    "FOR EACH ROW EXECUTE FUNCTION cbec_audit_head_forward()",
    "CREATE TRIGGER journal_head_no_truncate BEFORE TRUNCATE ON journal_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION cbec_audit_append_only()",
)

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_record "
    f"BEGIN SELECT RAISE(ABORT, 'cbec: UPDATE on audit_record refused: {REFUSED}'); END",
    "CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_record "
    f"BEGIN SELECT RAISE(ABORT, 'cbec: DELETE on audit_record refused: {REFUSED}'); END",
    "CREATE TRIGGER journal_head_audit_no_rewind BEFORE UPDATE ON journal_head "
    "WHEN OLD.name = 'audit' AND (NEW.name <> OLD.name OR NEW.last_seq < OLD.last_seq) "
    f"BEGIN SELECT RAISE(ABORT, 'cbec: UPDATE on journal_head refused: {REWIND}'); END",
    "CREATE TRIGGER journal_head_audit_no_delete BEFORE DELETE ON journal_head WHEN OLD.name = 'audit' "
    f"BEGIN SELECT RAISE(ABORT, 'cbec: DELETE on journal_head refused: {REWIND}'); END",
)


def upgrade() -> None:
    op.add_column(
        "audit_record", sa.Column("chain_version", sa.SmallInteger(), server_default=sa.text("1"), nullable=False)
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in (*_PG_FUNCTIONS, *_PG_TRIGGERS):
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, trigger in (
            ("audit_record", "audit_record_append_only"),
            ("audit_record", "audit_record_no_truncate"),
            ("journal_head", "journal_head_audit_forward"),
            ("journal_head", "journal_head_no_truncate"),
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS cbec_audit_head_forward()")
        op.execute("DROP FUNCTION IF EXISTS cbec_audit_append_only()")
    else:
        for trigger in (
            "audit_record_no_update",
            "audit_record_no_delete",
            "journal_head_audit_no_rewind",
            "journal_head_audit_no_delete",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    with op.batch_alter_table("audit_record", schema=None) as batch_op:
        batch_op.drop_column("chain_version")
