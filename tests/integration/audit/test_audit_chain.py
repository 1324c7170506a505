"""The audit trail is a hash chain: every change and deletion is detected; concurrent writers chain in commit order."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import event, func, select, text
from tests.audit_guard import triggers_lifted
from tests.conftest import TEST_AUDIT_KEY

from cbec.audit import record_audit
from cbec.audit.journal import flush_journals
from cbec.audit.models import AuditRecord, JournalHead
from cbec.audit.repository import chained_fields
from cbec.audit.rules import GENESIS_HASH, transaction_seal
from cbec.audit.service import verify_audit_chain
from cbec.storage.context import Context
from cbec.storage.migrate import upgrade

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def write(ctx: Context, *keys: str, commit: bool = True) -> None:
    """Record one audit record per key in one transaction."""
    with ctx.uow() as uow:
        for key in keys:
            record_audit(
                uow.session,
                at=AT,
                actor="officer",
                action="clearance.inventory.released",
                entity_type="inventory",
                entity_key=key,
                before={"status": "120"},
                after={"status": "800", "lines": (1, 2)},
                reason="放行",
            )
        if commit:
            uow.commit()


def ids(ctx: Context) -> list[int]:
    with ctx.uow() as uow:
        return list(uow.session.scalars(select(AuditRecord.id).order_by(AuditRecord.seq)))


def sql(ctx: Context, statement: str, **params: object) -> None:
    """Run a statement as a superuser who has lifted the append-only triggers first."""
    with triggers_lifted(ctx.engine) as conn:
        conn.execute(text(statement), params)


def test_records_are_chained_in_order_and_verify(ctx: Context) -> None:
    write(ctx, "A", "B")
    write(ctx, "C")
    with ctx.uow() as uow:
        rows = list(uow.session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))
        head = uow.session.get(JournalHead, "audit")
        assert [(r.entity_key, r.seq, r.chain_version) for r in rows] == [("A", 1, 3), ("B", 2, 3), ("C", 3, 3)]
        # one seal per transaction, held by its last record and chained to the seal before it
        first_seal = transaction_seal(GENESIS_HASH, [chained_fields(r) for r in rows[:2]], TEST_AUDIT_KEY)
        second_seal = transaction_seal(first_seal, [chained_fields(rows[2])], TEST_AUDIT_KEY)
        assert [(r.prev_hash, r.hash) for r in rows] == [
            (None, None),
            (GENESIS_HASH, first_seal),
            (first_seal, second_seal),
        ]
        assert rows[0].after == {"status": "800", "lines": [1, 2]}
        assert head is not None
        assert (head.last_seq, head.last_hash, head.last_row_id) == (3, second_seal, rows[-1].id)
    report = verify_audit_chain(ctx)
    assert (report.ok, report.checked, report.first_broken_id, report.head_seq) == (True, 3, None, 3)


def test_an_updated_record_is_reported(ctx: Context) -> None:
    write(ctx, "A")
    write(ctx, "B")
    write(ctx, "C")
    _, second, _ = ids(ctx)
    sql(ctx, "UPDATE audit_record SET reason = 'changed later' WHERE id = :id", id=second)
    report = verify_audit_chain(ctx)
    assert (report.ok, report.first_broken_id, report.first_broken_seq) == (False, second, 2)
    assert report.reason == (
        "record was changed after it was written, or the audit key is not the one it was written with (hash mismatch)"
    )


def test_an_updated_record_is_reported_at_the_first_record_of_its_transaction(ctx: Context) -> None:
    write(ctx, "A")
    write(ctx, "B", "C", "D")
    _, second, third, _ = ids(ctx)
    sql(ctx, "UPDATE audit_record SET reason = 'changed later' WHERE id = :id", id=third)
    report = verify_audit_chain(ctx)
    assert (report.ok, report.first_broken_id, report.first_broken_seq, report.checked) == (False, second, 2, 4)
    assert report.reason == (
        "a record with seq 2..4 (sealed together at one commit) was changed after it was written, or the audit key"
        " is not the one it was written with (hash mismatch)"
    )
    assert (
        report.reason_zh
        == "第 2..4 条记录（同一次提交封存）中有记录写入后被改动，或审计密钥不是写入时的密钥（哈希不符）"
    )


def test_an_updated_snapshot_is_reported(ctx: Context) -> None:
    write(ctx, "A", "B")
    first, _ = ids(ctx)
    sql(ctx, """UPDATE audit_record SET "after" = '{"status": "100"}' WHERE id = :id""", id=first)
    assert (verify_audit_chain(ctx).ok, verify_audit_chain(ctx).first_broken_id) == (False, first)


def test_a_deleted_record_is_reported_at_the_next_one(ctx: Context) -> None:
    write(ctx, "A", "B", "C")
    _, second, third = ids(ctx)
    sql(ctx, "DELETE FROM audit_record WHERE id = :id", id=second)
    report = verify_audit_chain(ctx)
    assert (report.ok, report.first_broken_id, report.first_broken_seq) == (False, third, 3)
    assert report.reason == "records with seq 2..2 are missing (deleted)"


def test_a_deleted_last_record_is_reported_by_the_head(ctx: Context) -> None:
    write(ctx, "A", "B", "C")
    *_, last = ids(ctx)
    sql(ctx, "DELETE FROM audit_record WHERE id = :id", id=last)
    report = verify_audit_chain(ctx)
    assert (report.ok, report.first_broken_id, report.first_broken_seq) == (False, last, 3)


def test_a_record_re_hashed_by_hand_still_breaks_the_next_link(ctx: Context) -> None:
    write(ctx, "A", "B")
    first, _ = ids(ctx)
    sql(ctx, "UPDATE audit_record SET reason = 'x', hash = :h WHERE id = :id", id=first, h="a" * 64)
    report = verify_audit_chain(ctx)
    assert (report.ok, report.first_broken_id) == (False, first)


def test_rolled_back_work_leaves_no_record_and_no_gap(ctx: Context) -> None:
    write(ctx, "A")
    write(ctx, "lost", commit=False)
    with ctx.uow() as uow:
        record_audit(uow.session, at=AT, actor="a", action="x.y.kept", entity_type="t", entity_key="B")
        savepoint = uow.session.begin_nested()
        record_audit(uow.session, at=AT, actor="a", action="x.y.undone", entity_type="t", entity_key="gone")
        uow.session.flush()
        savepoint.rollback()
        uow.commit()
    with ctx.uow() as uow:
        keys = list(uow.session.scalars(select(AuditRecord.entity_key).order_by(AuditRecord.seq)))
    assert keys == ["A", "B"]
    assert verify_audit_chain(ctx).ok


def test_a_savepoint_released_inside_one_rolled_back_goes_with_it(ctx: Context) -> None:
    with ctx.uow() as uow:
        record_audit(uow.session, at=AT, actor="a", action="x.y.kept", entity_type="t", entity_key="A")
        outer = uow.session.begin_nested()
        inner = uow.session.begin_nested()
        record_audit(uow.session, at=AT, actor="a", action="x.y.undone", entity_type="t", entity_key="inner")
        inner.commit()
        record_audit(uow.session, at=AT, actor="a", action="x.y.undone", entity_type="t", entity_key="outer")
        outer.rollback()
        kept = uow.session.begin_nested()
        record_audit(uow.session, at=AT, actor="a", action="x.y.kept", entity_type="t", entity_key="B")
        kept.commit()
        uow.commit()
    with ctx.uow() as uow:
        keys = list(uow.session.scalars(select(AuditRecord.entity_key).order_by(AuditRecord.seq)))
    assert keys == ["A", "B"]
    assert verify_audit_chain(ctx).ok


def test_a_session_rolled_back_and_used_again_writes_only_the_new_records(ctx: Context) -> None:
    with ctx.uow() as uow:
        record_audit(uow.session, at=AT, actor="a", action="x.y.undone", entity_type="t", entity_key="gone")
        uow.rollback()
        record_audit(uow.session, at=AT, actor="a", action="x.y.kept", entity_type="t", entity_key="A")
        uow.commit()
    with ctx.uow() as uow:
        keys = list(uow.session.scalars(select(AuditRecord.entity_key).order_by(AuditRecord.seq)))
    assert keys == ["A"]


def test_a_transaction_writes_its_records_in_one_statement_at_commit(ctx: Context) -> None:
    inserts: list[str] = []

    def count(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_RECORD"):
            inserts.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", count)
    try:
        with ctx.uow() as uow:
            for key in ("A", "B", "C", "D"):
                record_audit(uow.session, at=AT, actor="a", action="x.y.done", entity_type="t", entity_key=key)
            uow.session.flush()
            assert inserts == []  # kept aside until the commit seals them
            uow.commit()
    finally:
        event.remove(ctx.engine, "before_cursor_execute", count)
    # One batched INSERT … RETURNING on PostgreSQL; SQLite's driver sends the rows one by one, still at commit.
    assert len(inserts) == (1 if ctx.engine.dialect.name == "postgresql" else 4)
    with ctx.uow() as uow:
        head = uow.session.get(JournalHead, "audit")
        last = uow.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)).one()
        assert head is not None and (head.last_seq, head.last_hash, head.last_row_id) == (4, last.hash, last.id)
    assert verify_audit_chain(ctx).ok


def test_flush_journals_writes_the_records_sealed_before_the_commit(ctx: Context) -> None:
    with ctx.uow() as uow:
        record_audit(uow.session, at=AT, actor="a", action="x.y.done", entity_type="t", entity_key="A")
        flush_journals(uow.session)
        rows = list(uow.session.scalars(select(AuditRecord)))
        assert [(r.entity_key, r.seq) for r in rows] == [("A", 1)]
        record_audit(uow.session, at=AT, actor="a", action="x.y.done", entity_type="t", entity_key="B")
        uow.commit()
    with ctx.uow() as uow:
        keys = list(uow.session.scalars(select(AuditRecord.entity_key).order_by(AuditRecord.seq)))
    assert keys == ["A", "B"]
    assert verify_audit_chain(ctx).ok


def test_concurrent_writers_form_one_unbroken_chain(ctx: Context) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(5):
                write(ctx, f"w{n}-{i}a", f"w{n}-{i}b")
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with ctx.uow() as uow:
        seqs = list(uow.session.scalars(select(AuditRecord.seq).order_by(AuditRecord.seq)))
        count = uow.session.scalar(select(func.count()).select_from(AuditRecord))
    assert seqs == list(range(1, 41)) and count == 40
    report = verify_audit_chain(ctx)
    assert (report.ok, report.checked) == (True, 40)


def test_migration_chains_records_written_before_the_chain(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    from cbec.storage.engine import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        for key in ("A", "B"):
            conn.execute(
                text(
                    'INSERT INTO audit_record (at, actor, action, entity_type, entity_key, "before", "after", reason)'
                    " VALUES (:at, 'officer', 'x.y.done', 'inventory', :key, NULL, '{\"status\": \"800\"}', NULL)"
                ),
                {"at": "2026-03-02 02:00:00.000000", "key": key},
            )
    upgrade(url, "heads")
    from cbec.bootstrap import build_context
    from cbec.config import Settings

    old = build_context(
        Settings(data_dir=tmp_path, database_url=url, data_key="a2trIGtrIGtrIGtrIGtrIGtrIGtrIGtrIGtrIGtrIGs=")
    )
    try:
        write(old, "C")
        report = verify_audit_chain(old)
        assert (report.ok, report.checked, report.head_seq, report.unkeyed, report.keyed_from) == (True, 3, 3, 2, 3)
        assert (tmp_path / "audit.key").stat().st_mode & 0o777 == 0o600  # the embedded default key, made once
    finally:
        old.engine.dispose()
        engine.dispose()
