"""Sealing per transaction (issue 20): every tamper with a record sealed at one commit is found by `verify`.

The chain below holds three transactions: T1 = [A] (seq 1), T2 = [B, C, D] (seq 2..4), T3 = [E, F] (seq 5..6).
Each attack is played with the append-only triggers lifted, as a table owner or superuser can. A change inside a
transaction is reported at the transaction's first record: its seal no longer vouches for any of them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select, text, update
from tests.audit_guard import reseal, triggers_lifted
from tests.conftest import TEST_AUDIT_KEY

from cbec.audit import record_audit
from cbec.audit.models import AuditRecord
from cbec.audit.rules import CHAIN_TRANSACTION
from cbec.audit.service import ChainReport, take_checkpoint, verify_audit_chain
from cbec.storage.context import Context

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TABLE = AuditRecord.__table__


def changed(first: int, last: int) -> str:
    return (
        f"a record with seq {first}..{last} (sealed together at one commit) was changed after it was written, or the"
        " audit key is not the one it was written with (hash mismatch)"
    )


LINK = "prev_hash does not match the previous record's hash"
PINNED = "record differs from the signed checkpoint (the chain was rewritten from here or earlier)"


def write(ctx: Context, *keys: str) -> None:
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
                after={"status": "800"},
                reason="放行",
            )
        uow.commit()


@pytest.fixture
def chain(ctx: Context) -> dict[str, dict[str, Any]]:
    """Write T1, T2 and T3; return their records by entity key (id, seq, hash)."""
    write(ctx, "A")
    write(ctx, "B", "C", "D")
    write(ctx, "E", "F")
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(TABLE.c.entity_key, TABLE.c.id, TABLE.c.seq, TABLE.c.hash)).all()
    by_key = {r.entity_key: {"id": r.id, "seq": r.seq, "hash": r.hash} for r in rows}
    assert [(k, by_key[k]["seq"], by_key[k]["hash"] is not None) for k in "ABCDEF"] == [
        ("A", 1, True),
        ("B", 2, False),
        ("C", 3, False),
        ("D", 4, True),
        ("E", 5, False),
        ("F", 6, True),
    ]
    assert verify_audit_chain(ctx).ok
    return by_key


def broken(report: ChainReport) -> tuple[bool, int | None, int | None, str | None]:
    return report.ok, report.first_broken_id, report.first_broken_seq, report.reason


def change(conn: Connection, record_id: int, **values: Any) -> None:
    conn.execute(update(TABLE).where(TABLE.c.id == record_id).values(**values))


def renumber(conn: Connection, start: int, by: int) -> None:
    """Move every record from position ``start`` on by ``by`` places (in an order the unique seq allows)."""
    seqs = conn.execute(select(TABLE.c.seq).where(TABLE.c.seq >= start).order_by(TABLE.c.seq)).scalars().all()
    for seq in sorted(seqs, reverse=by > 0):
        conn.execute(update(TABLE).where(TABLE.c.seq == seq).values(seq=seq + by))


def forged(seq: int | None, key: str = "X") -> dict[str, Any]:
    return {
        "at": AT,
        "actor": "officer",
        "action": "clearance.inventory.released",
        "entity_type": "inventory",
        "entity_key": key,
        "before": {"status": "120"},
        "after": {"status": "800"},
        "reason": "放行",
        "seq": seq,
        "chain_version": CHAIN_TRANSACTION,
    }


# -- edit one field -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("at", datetime(2026, 3, 2, 2, 0, 1, tzinfo=UTC)),
        ("actor", "someone else"),
        ("action", "clearance.inventory.rejected"),
        ("entity_type", "order"),
        ("entity_key", "Z"),
        ("before", {"status": "100"}),
        ("after", {"status": "899"}),
        ("reason", "changed later"),
        ("reason", None),
    ],
)
@pytest.mark.parametrize("record", ["B", "C", "D"])
def test_one_field_edited_in_a_transaction_is_found_at_its_first_record(
    ctx: Context, chain: dict[str, dict[str, Any]], column: str, value: Any, record: str
) -> None:
    with triggers_lifted(ctx.engine) as conn:
        change(conn, chain[record]["id"], **{column: value})
    assert broken(verify_audit_chain(ctx)) == (False, chain["B"]["id"], 2, changed(2, 4))


def test_a_seal_changed_by_hand_is_found(ctx: Context, chain: dict[str, dict[str, Any]]) -> None:
    with triggers_lifted(ctx.engine) as conn:
        change(conn, chain["D"]["id"], hash="f" * 64)
    assert broken(verify_audit_chain(ctx)) == (False, chain["B"]["id"], 2, changed(2, 4))


# -- delete one record ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "reported_at", "gap"),
    [("B", "C", 2), ("C", "D", 3), ("D", "E", 4), ("E", "F", 5)],
)
def test_a_deleted_record_leaves_a_gap(
    ctx: Context, chain: dict[str, dict[str, Any]], record: str, reported_at: str, gap: int
) -> None:
    with triggers_lifted(ctx.engine) as conn:
        conn.execute(text("DELETE FROM audit_record WHERE id = :i"), {"i": chain[record]["id"]})
    report = verify_audit_chain(ctx)
    assert broken(report) == (
        False,
        chain[reported_at]["id"],
        gap + 1,
        f"records with seq {gap}..{gap} are missing (deleted)",
    )


def test_a_deleted_record_with_the_gap_closed_breaks_its_transaction_seal(
    ctx: Context, chain: dict[str, dict[str, Any]]
) -> None:
    with triggers_lifted(ctx.engine) as conn:
        conn.execute(text("DELETE FROM audit_record WHERE id = :i"), {"i": chain["C"]["id"]})
        renumber(conn, 4, -1)
        conn.execute(text("UPDATE journal_head SET last_seq = 5 WHERE name = 'audit'"))
    assert broken(verify_audit_chain(ctx)) == (False, chain["B"]["id"], 2, changed(2, 3))


def test_the_last_record_deleted_is_reported_by_the_head(ctx: Context, chain: dict[str, dict[str, Any]]) -> None:
    with triggers_lifted(ctx.engine) as conn:
        conn.execute(text("DELETE FROM audit_record WHERE id = :i"), {"i": chain["F"]["id"]})
    assert broken(verify_audit_chain(ctx)) == (
        False,
        chain["F"]["id"],
        6,
        "records with seq 6..6 are missing (deleted)",
    )


# -- insert one record ----------------------------------------------------------------------------------------------


def test_a_record_inserted_into_a_transaction_breaks_its_seal(ctx: Context, chain: dict[str, dict[str, Any]]) -> None:
    with triggers_lifted(ctx.engine) as conn:
        renumber(conn, 4, +1)
        conn.execute(insert(TABLE).values(**forged(4)))
        conn.execute(text("UPDATE journal_head SET last_seq = 7 WHERE name = 'audit'"))
    assert broken(verify_audit_chain(ctx)) == (False, chain["B"]["id"], 2, changed(2, 5))


def test_a_record_inserted_without_a_position_is_found(ctx: Context, chain: dict[str, dict[str, Any]]) -> None:
    with triggers_lifted(ctx.engine) as conn:
        new_id = conn.execute(insert(TABLE).values(**forged(None)).returning(TABLE.c.id)).scalar_one()
    assert broken(verify_audit_chain(ctx)) == (False, new_id, None, "record was never sealed into the chain")


def test_a_record_appended_past_the_head_is_found(ctx: Context, chain: dict[str, dict[str, Any]]) -> None:
    with triggers_lifted(ctx.engine) as conn:
        conn.execute(insert(TABLE).values(**forged(7)))
    assert broken(verify_audit_chain(ctx)) == (
        False,
        None,
        7,
        "records up to seq 7 lie beyond the chain head at seq 6 (the head was moved back)",
    )


def test_a_record_appended_with_the_head_moved_onto_it_is_never_sealed(
    ctx: Context, chain: dict[str, dict[str, Any]]
) -> None:
    with triggers_lifted(ctx.engine) as conn:
        new_id = conn.execute(insert(TABLE).values(**forged(7)).returning(TABLE.c.id)).scalar_one()
        conn.execute(text("UPDATE journal_head SET last_seq = 7, last_row_id = :i WHERE name = 'audit'"), {"i": new_id})
    assert broken(verify_audit_chain(ctx)) == (
        False,
        new_id,
        7,
        "records with seq 7..7 were never sealed into the chain (the record that held their transaction's seal was"
        " changed or deleted)",
    )


# -- swap two records -----------------------------------------------------------------------------------------------


def swap(ctx: Context, first: dict[str, Any], second: dict[str, Any]) -> None:
    with triggers_lifted(ctx.engine) as conn:
        change(conn, first["id"], seq=-1)
        change(conn, second["id"], seq=first["seq"])
        change(conn, first["id"], seq=second["seq"])


def test_two_records_of_a_transaction_swapped_break_its_seal(ctx: Context, chain: dict[str, dict[str, Any]]) -> None:
    swap(ctx, chain["B"], chain["C"])
    assert broken(verify_audit_chain(ctx)) == (False, chain["C"]["id"], 2, changed(2, 4))


def test_a_record_swapped_with_the_one_holding_the_seal_splits_the_transaction(
    ctx: Context, chain: dict[str, dict[str, Any]]
) -> None:
    swap(ctx, chain["C"], chain["D"])
    assert broken(verify_audit_chain(ctx)) == (False, chain["B"]["id"], 2, changed(2, 3))


def test_records_of_two_transactions_swapped_are_found(ctx: Context, chain: dict[str, dict[str, Any]]) -> None:
    swap(ctx, chain["A"], chain["B"])
    assert broken(verify_audit_chain(ctx)) == (False, chain["B"]["id"], 1, changed(1, 2))


def test_two_records_swapped_in_content_break_the_seal(ctx: Context, chain: dict[str, dict[str, Any]]) -> None:
    with triggers_lifted(ctx.engine) as conn:
        change(conn, chain["C"]["id"], entity_key="E")
        change(conn, chain["E"]["id"], entity_key="C")
    assert broken(verify_audit_chain(ctx)) == (False, chain["B"]["id"], 2, changed(2, 4))


# -- move a seal ----------------------------------------------------------------------------------------------------


def test_a_seal_removed_merges_two_transactions_and_breaks_the_link(
    ctx: Context, chain: dict[str, dict[str, Any]]
) -> None:
    with triggers_lifted(ctx.engine) as conn:
        change(conn, chain["D"]["id"], hash=None, prev_hash=None)
    assert broken(verify_audit_chain(ctx)) == (False, chain["B"]["id"], 2, LINK)


def test_a_seal_forged_inside_a_transaction_is_found(ctx: Context, chain: dict[str, dict[str, Any]]) -> None:
    with triggers_lifted(ctx.engine) as conn:
        change(conn, chain["C"]["id"], hash="f" * 64, prev_hash=chain["A"]["hash"])
    assert broken(verify_audit_chain(ctx)) == (False, chain["B"]["id"], 2, changed(2, 3))


def test_a_link_written_into_a_record_inside_a_transaction_is_found(
    ctx: Context, chain: dict[str, dict[str, Any]]
) -> None:
    with triggers_lifted(ctx.engine) as conn:
        change(conn, chain["C"]["id"], prev_hash=chain["A"]["hash"])
    assert broken(verify_audit_chain(ctx)) == (
        False,
        chain["C"]["id"],
        3,
        "record was changed after it was written, or the audit key is not the one it was written with (hash mismatch)",
    )


# -- truncate the tail, against a checkpoint ------------------------------------------------------------------------


def test_the_tail_truncated_after_a_checkpoint_is_found_against_it(
    ctx: Context, chain: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    checkpoints = tmp_path / "audit.checkpoints"
    taken = take_checkpoint(ctx, checkpoints).checkpoint
    assert taken is not None and (taken.seq, taken.record_id, taken.hash) == (6, chain["F"]["id"], chain["F"]["hash"])
    write(ctx, "G", "H")
    with triggers_lifted(ctx.engine) as conn:  # T3 and T4 gone, the head moved back onto T2's seal
        conn.execute(text("DELETE FROM audit_record WHERE seq > 4"))
        conn.execute(
            text("UPDATE journal_head SET last_seq = 4, last_hash = :h, last_row_id = :i WHERE name = 'audit'"),
            {"h": chain["D"]["hash"], "i": chain["D"]["id"]},
        )
    assert verify_audit_chain(ctx).ok  # the chain alone cannot tell
    assert broken(verify_audit_chain(ctx, checkpoints)) == (
        False,
        None,
        5,
        "records with seq 5..6 are missing: a signed checkpoint saw the chain reach seq 6 (deleted, and the head"
        " moved back)",
    )


def test_the_tail_cut_inside_a_transaction_is_found_without_a_checkpoint(
    ctx: Context, chain: dict[str, dict[str, Any]]
) -> None:
    with triggers_lifted(ctx.engine) as conn:  # F (T3's seal) gone, the head moved back onto T2's seal; E left
        conn.execute(text("DELETE FROM audit_record WHERE seq = 6"))
        conn.execute(
            text("UPDATE journal_head SET last_seq = 4, last_hash = :h, last_row_id = :i WHERE name = 'audit'"),
            {"h": chain["D"]["hash"], "i": chain["D"]["id"]},
        )
    assert broken(verify_audit_chain(ctx)) == (
        False,
        None,
        5,
        "records up to seq 5 lie beyond the chain head at seq 4 (the head was moved back)",
    )


def test_transactions_re_sealed_with_the_key_are_found_against_a_checkpoint(
    ctx: Context, chain: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    checkpoints = tmp_path / "audit.checkpoints"
    assert take_checkpoint(ctx, checkpoints).checkpoint is not None
    # the key leaked: E edited and T3 sealed again under the right key
    reseal(ctx.engine, TEST_AUDIT_KEY, start=5, changes={5: {"reason": "edited"}})
    assert verify_audit_chain(ctx).ok
    assert broken(verify_audit_chain(ctx, checkpoints)) == (False, chain["F"]["id"], 6, PINNED)


def test_a_checkpointed_seal_merged_into_a_later_transaction_is_found(ctx: Context, tmp_path: Path) -> None:
    write(ctx, "A")
    write(ctx, "B", "C", "D")
    checkpoints = tmp_path / "audit.checkpoints"
    assert take_checkpoint(ctx, checkpoints).checkpoint is not None  # at seq 4, D's seal
    write(ctx, "E", "F")
    # the key leaked: T2 and T3 merged into one transaction, C edited, sealed again under the right key
    reseal(ctx.engine, TEST_AUDIT_KEY, start=2, changes={3: {"reason": "edited"}, 4: {"hash": None, "prev_hash": None}})
    assert verify_audit_chain(ctx).ok
    with ctx.engine.connect() as conn:
        d_id = conn.execute(select(TABLE.c.id).where(TABLE.c.entity_key == "D")).scalar_one()
    assert broken(verify_audit_chain(ctx, checkpoints)) == (False, d_id, 4, PINNED)
