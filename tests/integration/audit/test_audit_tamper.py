"""A superuser cannot silently rewrite the audit trail (issue 14, item 6).

The application's own connection is refused by the append-only triggers. Each attack below is played with the
triggers lifted, as a table owner or superuser can; each must then fail `verify` — alone where the keyed chain
suffices, against a signed checkpoint where only a record kept outside the database can tell.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import DBAPIError
from tests.audit_guard import reseal, triggers_lifted
from tests.conftest import TEST_AUDIT_KEY

from cbec.audit import record_audit
from cbec.audit.models import AuditRecord, JournalHead
from cbec.audit.rules import CHAIN_KEYED, CHAIN_UNKEYED, GENESIS_HASH, ChainKey, record_hash, seal_hash
from cbec.audit.service import ChainReport, take_checkpoint, verify_audit_chain
from cbec.storage.context import Context

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
REFUSED = "the audit trail is append-only"
OLD_RULE = "record was rewritten by the old unkeyed rule after the keyed chain began"
PER_RECORD = "record was rewritten by the per-record rule after sealing per transaction began"


def write(ctx: Context, *keys: str) -> None:
    with ctx.uow() as uow:
        for key in keys:
            record_audit(
                uow.session, at=AT, actor="officer", action="x.y.done", entity_type="t", entity_key=key, reason="r"
            )
        uow.commit()


def records(ctx: Context) -> list[AuditRecord]:
    with ctx.uow() as uow:
        rows = list(uow.session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))
        uow.session.expunge_all()  # plain values after the unit of work ends
        return rows


def broken(report: ChainReport) -> tuple[bool, int | None, str | None]:
    return report.ok, report.first_broken_seq, report.reason


def rechain(ctx: Context, start: int, *, rule: int, key: ChainKey | None = None, **changes: object) -> None:
    """Change the record at ``start`` and recompute it and every later record, and the head, by a rule."""
    rows = records(ctx)
    previous = rows[start - 2].hash if start > 1 else GENESIS_HASH
    with triggers_lifted(ctx.engine) as conn:
        for row in rows[start - 1 :]:
            fields = {
                "seq": row.seq,
                "at": row.at,
                "actor": row.actor,
                "action": row.action,
                "entity_type": row.entity_type,
                "entity_key": row.entity_key,
                "before": row.before,
                "after": row.after,
                "reason": changes.get("reason", row.reason) if row.seq == start else row.reason,
                "prev_hash": previous,
                "chain_version": rule,
            }
            digest = record_hash(fields) if rule == CHAIN_UNKEYED else seal_hash(fields, key or ChainKey(b"x" * 32))
            conn.execute(
                text(
                    "UPDATE audit_record SET reason = :r, prev_hash = :p, hash = :h, chain_version = :v WHERE id = :i"
                ),
                {"r": fields["reason"], "p": previous, "h": digest, "v": rule, "i": row.id},
            )
            previous = digest
        conn.execute(text("UPDATE journal_head SET last_hash = :h WHERE name = 'audit'"), {"h": previous})


def truncate_tail(ctx: Context, keep: int) -> None:
    """Delete every record after ``keep`` and move the head back to the new last record."""
    last = records(ctx)[keep - 1]
    with triggers_lifted(ctx.engine) as conn:
        conn.execute(text("DELETE FROM audit_record WHERE seq > :k"), {"k": keep})
        conn.execute(
            text("UPDATE journal_head SET last_seq = :s, last_hash = :h, last_row_id = :i WHERE name = 'audit'"),
            {"s": keep, "h": last.hash, "i": last.id},
        )


# -- the application's connection is refused -------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_record SET reason = 'changed'", "DELETE FROM audit_record"],
)
def test_the_application_connection_cannot_update_or_delete_audit_records(ctx: Context, statement: str) -> None:
    write(ctx, "A", "B")
    with pytest.raises(DBAPIError, match=REFUSED), ctx.engine.begin() as conn:
        conn.execute(text(statement))
    assert [r.reason for r in records(ctx)] == ["r", "r"]
    assert verify_audit_chain(ctx).ok


def test_an_orm_update_in_a_use_case_transaction_is_refused(ctx: Context) -> None:
    write(ctx, "A")
    with pytest.raises(DBAPIError, match=REFUSED), ctx.uow() as uow:
        uow.session.execute(update(AuditRecord).values(actor="someone else"))
        uow.commit()
    assert [r.actor for r in records(ctx)] == ["officer"]


def test_truncate_is_refused_on_postgres(ctx: Context) -> None:
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    write(ctx, "A")
    for table in ("audit_record", "journal_head"):
        with pytest.raises(DBAPIError, match="TRUNCATE on " + table + " refused"), ctx.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {table} CASCADE"))
    assert len(records(ctx)) == 1


def test_the_chain_head_cannot_be_moved_back_or_deleted(ctx: Context) -> None:
    write(ctx, "A", "B")
    rewind = "the audit chain head may only move forward"
    for statement in (
        "UPDATE journal_head SET last_seq = 1 WHERE name = 'audit'",
        "UPDATE journal_head SET name = 'other' WHERE name = 'audit'",
        "DELETE FROM journal_head WHERE name = 'audit'",
    ):
        with pytest.raises(DBAPIError, match=rewind), ctx.engine.begin() as conn:
            conn.execute(text(statement))
    write(ctx, "C")  # moving forward, as every commit does, is allowed
    with ctx.uow() as uow:
        head = uow.session.get(JournalHead, "audit")
        assert head is not None and head.last_seq == 3


# -- attacks with the triggers lifted ------------------------------------------------------------------------------


def test_tail_truncation_with_the_head_moved_back_fails_against_a_checkpoint(ctx: Context, tmp_path: Path) -> None:
    write(ctx, "A", "B", "C")
    write(ctx, "D", "E")
    checkpoints = tmp_path / "audit.checkpoints"
    assert take_checkpoint(ctx, checkpoints).checkpoint is not None
    write(ctx, "F")
    truncate_tail(ctx, 3)
    assert verify_audit_chain(ctx).ok  # the chain alone cannot tell: this is what checkpoints are for
    report = verify_audit_chain(ctx, checkpoints)
    assert broken(report) == (
        False,
        4,
        "records with seq 4..5 are missing: a signed checkpoint saw the chain reach seq 5 (deleted, and the head"
        " moved back)",
    )
    assert report.reason_zh == "第 4..5 条记录缺失：已签名的检查点记录审计链曾到第 5 条（被删除且链头被回退）"


def test_an_edit_re_sealed_without_the_key_fails_at_the_edited_transaction(ctx: Context) -> None:
    write(ctx, "A")
    write(ctx, "B", "C")
    write(ctx, "D")
    reseal(ctx.engine, ChainKey(b"x" * 32), start=3, changes={3: {"reason": "edited"}})
    assert broken(verify_audit_chain(ctx)) == (
        False,
        2,
        "a record with seq 2..3 (sealed together at one commit) was changed after it was written, or the audit key"
        " is not the one it was written with (hash mismatch)",
    )


def test_an_edit_re_chained_without_the_key_fails_at_the_edited_record(ctx: Context) -> None:
    for key in ("A", "B", "C", "D"):
        write(ctx, key)
    rechain(ctx, 2, rule=CHAIN_KEYED, key=ChainKey(b"x" * 32), reason="edited")
    assert broken(verify_audit_chain(ctx)) == (False, 2, PER_RECORD)


def test_a_record_sealed_by_the_per_record_rule_after_per_transaction_sealing_began_fails(ctx: Context) -> None:
    write(ctx, "A", "B", "C", "D")
    rechain(ctx, 3, rule=CHAIN_KEYED, key=TEST_AUDIT_KEY, reason="edited")  # even with the right key
    assert broken(verify_audit_chain(ctx)) == (False, 3, PER_RECORD)


def test_an_edit_re_chained_by_the_old_unkeyed_rule_fails_at_the_edited_record(ctx: Context) -> None:
    write(ctx, "A", "B", "C", "D")
    rechain(ctx, 3, rule=CHAIN_UNKEYED, reason="edited")
    assert broken(verify_audit_chain(ctx)) == (False, 3, OLD_RULE)


def test_a_whole_chain_re_made_by_the_old_rule_fails_against_a_checkpoint(ctx: Context, tmp_path: Path) -> None:
    write(ctx, "A", "B", "C")
    checkpoints = tmp_path / "audit.checkpoints"
    take_checkpoint(ctx, checkpoints)
    rechain(ctx, 1, rule=CHAIN_UNKEYED, reason="edited")
    assert verify_audit_chain(ctx).ok  # indistinguishable from records written before trust02, alone
    assert broken(verify_audit_chain(ctx, checkpoints)) == (False, 1, OLD_RULE)


def test_an_edit_re_chained_with_the_key_itself_fails_at_the_checkpointed_record(ctx: Context, tmp_path: Path) -> None:
    write(ctx, "A")
    write(ctx, "B", "C")
    checkpoints = tmp_path / "audit.checkpoints"
    take_checkpoint(ctx, checkpoints)
    reseal(ctx.engine, TEST_AUDIT_KEY, start=2, changes={2: {"reason": "edited"}})  # the key leaked
    assert verify_audit_chain(ctx).ok
    assert broken(verify_audit_chain(ctx, checkpoints)) == (
        False,
        3,
        "record differs from the signed checkpoint (the chain was rewritten from here or earlier)",
    )


def test_a_forged_checkpoint_fails(ctx: Context, tmp_path: Path) -> None:
    write(ctx, "A", "B")
    checkpoints = tmp_path / "audit.checkpoints"
    line = take_checkpoint(ctx, checkpoints).line
    assert line is not None
    forged = line.replace('"seq":2', '"seq":1')
    checkpoints.write_text(line + "\n" + forged + "\n", encoding="utf-8")
    report = verify_audit_chain(ctx, checkpoints)
    assert broken(report) == (
        False,
        1,
        "checkpoint line 2 (seq 1): the signature does not match (forged or altered)",
    )
    assert report.reason_zh == "第 2 行检查点（第 1 条）：签名不符（伪造或被改动）"


def test_a_checkpoint_signed_with_another_key_fails(ctx: Context, tmp_path: Path) -> None:
    from cbec.audit.checkpoint import Checkpoint, signed_line

    write(ctx, "A")
    other = ChainKey(b"o" * 32)
    last = records(ctx)[-1]
    line = signed_line(Checkpoint(1, last.id, str(last.hash), 1, 1, "2026-03-02T10:00:00+08:00", other.key_id), other)
    checkpoints = tmp_path / "audit.checkpoints"
    checkpoints.write_text(line + "\n", encoding="utf-8")
    key_id = ChainKey(b"a" * 32).key_id
    assert broken(verify_audit_chain(ctx, checkpoints)) == (
        False,
        1,
        f"checkpoint line 1 (seq 1) was signed with another audit key (key id {other.key_id}, configured {key_id})",
    )


def test_a_head_moved_back_over_records_left_in_place_is_found(ctx: Context) -> None:
    write(ctx, "A", "B")
    write(ctx, "C")
    second = records(ctx)[1]
    with triggers_lifted(ctx.engine) as conn:
        conn.execute(
            text("UPDATE journal_head SET last_seq = 2, last_hash = :h, last_row_id = :i WHERE name = 'audit'"),
            {"h": second.hash, "i": second.id},
        )
    assert broken(verify_audit_chain(ctx)) == (
        False,
        3,
        "records up to seq 3 lie beyond the chain head at seq 2 (the head was moved back)",
    )


def test_records_sealed_one_by_one_before_sealing_per_transaction_still_verify(ctx: Context, tmp_path: Path) -> None:
    previous, row_id = GENESIS_HASH, None
    # two records by trust01's unkeyed rule, two by trust02's keyed per-record rule: written before seal01, whose
    # trigger refuses them now (lifted here, as a superuser can)
    with triggers_lifted(ctx.engine) as conn:
        for seq, key, rule in (
            (1, "old-1", CHAIN_UNKEYED),
            (2, "old-2", CHAIN_UNKEYED),
            (3, "k-3", CHAIN_KEYED),
            (4, "k-4", CHAIN_KEYED),
        ):
            fields = {
                "seq": seq,
                "at": AT,
                "actor": "officer",
                "action": "x.y.done",
                "entity_type": "t",
                "entity_key": key,
                "before": None,
                "after": {"status": "800"},
                "reason": None,
                "prev_hash": previous,
                "chain_version": rule,
            }
            previous = seal_hash(fields, TEST_AUDIT_KEY)
            row_id = conn.execute(
                insert(AuditRecord).returning(AuditRecord.id),
                {**fields, "hash": previous},
            ).scalar_one()
        conn.execute(
            insert(JournalHead),
            {"name": "audit", "last_seq": 4, "last_hash": previous, "last_row_id": row_id},
        )
    write(ctx, "new-5", "new-6")
    write(ctx, "new-7")
    assert [(r.seq, r.chain_version, r.hash is None) for r in records(ctx)] == [
        (1, 1, False),
        (2, 1, False),
        (3, 2, False),
        (4, 2, False),
        (5, 3, True),
        (6, 3, False),
        (7, 3, False),
    ]
    assert records(ctx)[5].prev_hash == previous  # the first transaction seal chains to the last per-record hash
    checkpoints = tmp_path / "audit.checkpoints"
    taken = take_checkpoint(ctx, checkpoints).checkpoint
    assert taken is not None and (taken.seq, taken.records, taken.keyed_from) == (7, 7, 3)
    report = verify_audit_chain(ctx, checkpoints)
    assert (report.ok, report.checked, report.unkeyed, report.keyed_from, report.checkpoints) == (True, 7, 2, 3, 1)
