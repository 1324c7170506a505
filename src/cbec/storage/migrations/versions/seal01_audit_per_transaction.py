"""audit: sealed per transaction from here on (chain version 3)

Revision ID: seal01
Revises: risk01
Create Date: 2026-12-06 23:30:00.000000

The application now seals the audit records of one commit together (``chain_version = 3``: one HMAC per
transaction, held by its last record; ``cbec.audit.rules``). The records already stored keep their per-record
seals (version 1 unkeyed, version 2 keyed) and verify by them; nothing is re-hashed, so the migration needs no
key and no table is rewritten.

What it adds is the cut-over: a trigger refuses to insert an audit record of an older version. A process of the
previous code still running during an upgrade would otherwise chain a per-record seal after transaction seals,
which verification must report (and does) as a record rewritten by an older rule; refused, its transaction
rolls back whole and the upgraded code can retry it. The check runs only where its condition holds (a WHEN
clause), so inserts of version 3 do not call the function.

Downgrading drops the trigger: records sealed per transaction then no longer verify by the code of risk01 (which
knows only versions 1 and 2). Like trust02's, the SQLite trigger must be made again by a later migration that
rebuilds ``audit_record`` in batch mode.
"""

from __future__ import annotations

from alembic import op

revision = "seal01"
down_revision = "risk01"
branch_labels = None
depends_on = None

REFUSED = (
    "audit records are sealed per transaction (chain version 3) since migration seal01: a process of older cbec"
    " code is still writing (自迁移 seal01 起审计记录按事务封存，仍有旧版本进程在写入)"
)

_PG = (
    f"""
CREATE FUNCTION cbec_audit_sealed_per_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cbec: INSERT on audit_record refused: {REFUSED}'
        USING ERRCODE = 'check_violation';
END
$$""",
    "CREATE TRIGGER audit_record_per_transaction BEFORE INSERT ON audit_record "
    "FOR EACH ROW WHEN (NEW.chain_version < 3) EXECUTE FUNCTION cbec_audit_sealed_per_transaction()",
)

_SQLITE = (
    "CREATE TRIGGER audit_record_per_transaction BEFORE INSERT ON audit_record WHEN NEW.chain_version < 3 "
    f"BEGIN SELECT RAISE(ABORT, 'cbec: INSERT on audit_record refused: {REFUSED}'); END",
)


def upgrade() -> None:
    for statement in _PG if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS audit_record_per_transaction"
        + (" ON audit_record" if op.get_bind().dialect.name == "postgresql" else "")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS cbec_audit_sealed_per_transaction()")
