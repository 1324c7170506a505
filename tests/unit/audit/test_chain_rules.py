"""Hash chain of the audit trail: canonical form, the unkeyed and keyed rules, where ChainCheck reports a break."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest

from cbec.audit.rules import (
    CHAIN_KEYED,
    CHAIN_TRANSACTION,
    CHAIN_UNKEYED,
    GENESIS_HASH,
    ChainBreak,
    ChainCheck,
    ChainKey,
    canonical_record,
    canonical_transaction,
    normalised,
    record_hash,
    seal_hash,
    transaction_seal,
)

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
KEY = ChainKey(b"a" * 32)
CHANGED = (
    "record was changed after it was written, or the audit key is not the one it was written with (hash mismatch)",
    "记录写入后被改动，或审计密钥不是写入时的密钥（哈希不符）",
)
OLD_RULE = (
    "record was rewritten by the old unkeyed rule after the keyed chain began",
    "密钥链开始后，记录被按旧的无密钥规则改写",
)


def fields(seq: int, prev: str | None, version: int = CHAIN_UNKEYED, **changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "seq": seq,
        "at": AT,
        "actor": "officer",
        "action": "clearance.inventory.released",
        "entity_type": "inventory",
        "entity_key": f"B20260302{seq or 0:09d}",
        "before": {"status": "120"},
        "after": {"status": "800"},
        "reason": None,
        "prev_hash": prev,
        "chain_version": version,
    }
    base.update(changes)
    return base


def chain(n: int, *, keyed_from: int | None = None, key: ChainKey = KEY) -> list[tuple[int, dict[str, object], str]]:
    """n records; from ``keyed_from`` on, sealed by the keyed rule."""
    rows, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        version = CHAIN_KEYED if keyed_from is not None and seq >= keyed_from else CHAIN_UNKEYED
        f = fields(seq, prev, version)
        digest = seal_hash(f, key)
        rows.append((100 + seq, f, digest))
        prev = digest
    return rows


def walk(rows: Sequence[tuple[int, dict[str, object], str | None]], **options: object) -> ChainCheck:
    check = ChainCheck(KEY, **options)  # type: ignore[arg-type]
    for row in rows:
        check.feed(*row)
    return check


def test_canonical_form_is_sorted_compact_utf8_with_utc_microseconds() -> None:
    shanghai = AT.astimezone(timezone(timedelta(hours=8)))
    data = canonical_record(fields(1, GENESIS_HASH, at=shanghai, reason="资料齐全"))
    assert (
        data
        == (
            '{"action":"clearance.inventory.released","actor":"officer","after":{"status":"800"},'
            '"at":"2026-03-02T02:00:00.000000+00:00","before":{"status":"120"},"entity_key":"B20260302000000001",'
            '"entity_type":"inventory","prev_hash":"' + GENESIS_HASH + '","reason":"资料齐全","seq":1}'
        ).encode()
    )
    assert record_hash(fields(1, GENESIS_HASH, at=shanghai, reason="资料齐全")) == hashlib.sha256(data).hexdigest()


def test_the_keyed_canonical_form_names_its_version_and_is_an_hmac_under_a_derived_subkey() -> None:
    keyed = fields(1, GENESIS_HASH, CHAIN_KEYED)
    data = canonical_record(keyed)
    unkeyed = canonical_record(fields(1, GENESIS_HASH))
    assert data == unkeyed.replace(b'"before":{"status":"120"},', b'"before":{"status":"120"},"chain_version":2,')
    subkey = hmac.new(b"a" * 32, b"cbec-audit-chain-v2", hashlib.sha256).digest()
    assert seal_hash(keyed, KEY) == hmac.new(subkey, data, hashlib.sha256).hexdigest()
    assert seal_hash(keyed, ChainKey(b"b" * 32)) != seal_hash(keyed, KEY)
    assert seal_hash(fields(1, GENESIS_HASH), KEY) == record_hash(fields(1, GENESIS_HASH))  # version 1: no key


def test_a_key_must_be_32_bytes_and_stays_out_of_its_repr() -> None:
    with pytest.raises(ValueError, match="the audit key must be 32 bytes"):
        ChainKey(b"short")
    assert "aaaa" not in repr(KEY) and KEY.key_id in repr(KEY)
    assert KEY.key_id == hmac.new(b"a" * 32, b"cbec-audit-key-id", hashlib.sha256).hexdigest()[:16]


def test_normalised_gives_json_as_the_database_returns_it() -> None:
    assert normalised({"lines": (1, 2), 3: "x"}) == {"lines": [1, 2], "3": "x"}
    assert normalised(None) is None


def test_intact_chain_passes_and_matches_its_head() -> None:
    rows = chain(3)
    check = walk(rows)
    check.finish(3, rows[-1][2], 103)
    assert (check.broken, check.checked, check.last_seq, check.unkeyed, check.first_keyed) == (None, 3, 3, 3, None)


def test_an_unkeyed_prefix_then_keyed_records_pass() -> None:
    rows = chain(5, keyed_from=3)
    check = walk(rows, keyed_from=3, pins={2: rows[1][2], 5: rows[4][2]})
    check.finish(5, rows[-1][2], 105)
    assert (check.broken, check.unkeyed, check.first_keyed) == (None, 2, 3)


def test_changed_field_breaks_that_record() -> None:
    rows = chain(3, keyed_from=1)
    record_id, f, digest = rows[1]
    rows[1] = (record_id, {**f, "reason": "tampered"}, digest)
    assert walk(rows).broken == ChainBreak(102, 2, *CHANGED)


def test_a_record_re_hashed_without_the_key_breaks_that_record() -> None:
    rows = chain(3, keyed_from=1)
    guess = ChainKey(b"x" * 32)  # the edited record and every later one re-hashed, under a guessed key
    edited = {**rows[1][1], "reason": "tampered"}
    second = (102, edited, seal_hash(edited, guess))
    third_fields = {**rows[2][1], "prev_hash": second[2]}
    third = (103, third_fields, seal_hash(third_fields, guess))
    assert walk([rows[0], second, third]).broken == ChainBreak(102, 2, *CHANGED)


def test_a_keyed_record_rewritten_by_the_old_rule_is_a_break() -> None:
    rows = chain(3, keyed_from=1)
    rechained = chain(3)  # the whole chain recomputed by the unkeyed rule, from record 2 on
    first = rows[0]
    second = (102, {**rechained[1][1], "prev_hash": first[2]}, "")
    second = (102, second[1], record_hash(second[1]))
    assert walk([first, second]).broken == ChainBreak(102, 2, *OLD_RULE)


def test_a_chain_rewritten_wholly_by_the_old_rule_is_found_by_a_checkpoint_that_saw_it_keyed() -> None:
    rows = chain(4)  # all unkeyed: what an attacker without the key can make of a chain keyed from seq 3
    assert walk(rows).broken is None
    assert walk(rows, keyed_from=3).broken == ChainBreak(103, 3, *OLD_RULE)


def test_a_record_unlike_its_checkpoint_is_a_break() -> None:
    rows = chain(3, keyed_from=1)
    assert walk(rows, pins={2: "f" * 64}).broken == ChainBreak(
        102,
        2,
        "record differs from the signed checkpoint (the chain was rewritten from here or earlier)",
        "记录与已签名的检查点不符（审计链自此处或更早处被改写）",
    )


def test_deleted_record_breaks_the_next_one() -> None:
    rows = chain(3)
    del rows[1]
    assert walk(rows).broken == ChainBreak(
        103, 3, "records with seq 2..2 are missing (deleted)", "第 2..2 条记录缺失（被删除）"
    )


def test_deleted_last_records_break_against_the_head() -> None:
    rows = chain(3)
    check = walk(rows[:1])
    check.finish(3, rows[-1][2], 103)
    assert check.broken == ChainBreak(
        103, 2, "records with seq 2..3 are missing (deleted)", "第 2..3 条记录缺失（被删除）"
    )


def test_deleted_last_records_and_head_moved_back_break_against_a_checkpoint() -> None:
    rows = chain(5, keyed_from=1)
    check = walk(rows[:3], pins={4: rows[3][2]})
    check.finish(3, rows[2][2], 103)  # the head rewound to the new last record
    assert check.broken == ChainBreak(
        None,
        4,
        "records with seq 4..4 are missing: a signed checkpoint saw the chain reach seq 4 (deleted, and the head"
        " moved back)",
        "第 4..4 条记录缺失：已签名的检查点记录审计链曾到第 4 条（被删除且链头被回退）",
    )


def test_relinked_record_with_a_recomputed_hash_still_breaks_the_link() -> None:
    rows = chain(2)
    record_id, f, _ = rows[1]
    forged = {**f, "prev_hash": "f" * 64}
    check = walk([rows[0], (record_id, forged, record_hash(forged))])
    assert check.broken == ChainBreak(
        102, 2, "prev_hash does not match the previous record's hash", "prev_hash 与上一条记录的哈希不符"
    )


def test_unknown_version_is_a_break() -> None:
    f = fields(1, GENESIS_HASH, 7)
    assert walk([(101, f, "0" * 64)]).broken == ChainBreak(101, 1, "unknown chain version 7", "未知的链版本 7")


def test_unsealed_record_is_a_break() -> None:
    check = walk([(7, fields(None, None), None)])  # type: ignore[arg-type]
    assert check.broken == ChainBreak(7, None, "record was never sealed into the chain", "记录从未封入审计链")


# -- version 3: one seal per transaction ----------------------------------------------------------------------------


def transactions(
    *sizes: int, after: tuple[int, str] = (0, GENESIS_HASH)
) -> list[tuple[int, dict[str, object], str | None]]:
    """Transactions of these sizes sealed by the per-transaction rule, after position and seal ``after``."""
    rows: list[tuple[int, dict[str, object], str | None]] = []
    seq, prev = after
    for size in sizes:
        group = [fields(seq + i, None, CHAIN_TRANSACTION) for i in range(1, size + 1)]
        seal = transaction_seal(prev, group, KEY)
        group[-1]["prev_hash"] = prev
        rows += [(100 + seq + i, f, None) for i, f in enumerate(group[:-1], start=1)]
        rows.append((100 + seq + size, group[-1], seal))
        seq, prev = seq + size, seal
    return rows


def test_the_transaction_canonical_form_lists_the_records_after_the_previous_seal() -> None:
    records = [fields(1, None, CHAIN_TRANSACTION), fields(2, None, CHAIN_TRANSACTION, reason="资料齐全")]
    data = canonical_transaction(GENESIS_HASH, records)
    assert (
        data
        == (
            '{"chain_version":3,"prev_hash":"' + GENESIS_HASH + '","records":['
            '[1,"2026-03-02T02:00:00.000000+00:00","officer","clearance.inventory.released","inventory",'
            '"B20260302000000001",{"status":"120"},{"status":"800"},null],'
            '[2,"2026-03-02T02:00:00.000000+00:00","officer","clearance.inventory.released","inventory",'
            '"B20260302000000002",{"status":"120"},{"status":"800"},"资料齐全"]]}'
        ).encode()
    )
    subkey = hmac.new(b"a" * 32, b"cbec-audit-chain-v3", hashlib.sha256).digest()
    assert transaction_seal(GENESIS_HASH, records, KEY) == hmac.new(subkey, data, hashlib.sha256).hexdigest()
    assert transaction_seal(GENESIS_HASH, records, ChainKey(b"b" * 32)) != transaction_seal(GENESIS_HASH, records, KEY)
    with pytest.raises(ValueError, match="sealed by transaction"):
        seal_hash(records[0], KEY)


def test_transactions_after_records_sealed_one_by_one_pass_and_match_the_head() -> None:
    rows: list[tuple[int, dict[str, object], str | None]] = list(chain(3, keyed_from=2))
    rows += transactions(3, 1, 2, after=(3, str(rows[-1][2])))
    check = walk(rows, pins={3: str(rows[2][2]), 6: str(rows[5][2])})
    check.finish(9, str(rows[-1][2]), 109)
    assert (check.broken, check.checked, check.last_seq, check.last_id, check.unkeyed, check.first_keyed) == (
        None,
        9,
        9,
        109,
        1,
        2,
    )


def test_a_transaction_with_a_changed_record_breaks_at_its_first_record() -> None:
    rows = transactions(1, 3)
    record_id, f, seal = rows[2]
    rows[2] = (record_id, {**f, "after": {"status": "899"}}, seal)
    assert walk(rows).broken == ChainBreak(
        102,
        2,
        "a record with seq 2..4 (sealed together at one commit) was changed after it was written, or the audit key"
        " is not the one it was written with (hash mismatch)",
        "第 2..4 条记录（同一次提交封存）中有记录写入后被改动，或审计密钥不是写入时的密钥（哈希不符）",
    )


def test_a_transaction_of_one_record_changed_reads_like_a_record() -> None:
    rows = transactions(1, 1)
    record_id, f, seal = rows[1]
    rows[1] = (record_id, {**f, "reason": "x"}, seal)
    assert walk(rows).broken == ChainBreak(102, 2, *CHANGED)


def test_a_record_sealed_one_by_one_after_a_transaction_is_a_break() -> None:
    rows = transactions(2)
    late = fields(3, str(rows[-1][2]), CHAIN_KEYED)
    rows.append((103, late, seal_hash(late, KEY)))
    assert walk(rows).broken == ChainBreak(
        103,
        3,
        "record was rewritten by the per-record rule after sealing per transaction began",
        "按事务封存开始后，记录被按旧的逐条封存规则改写",
    )


def test_records_whose_seal_is_gone_are_never_sealed() -> None:
    rows = transactions(1, 3)[:-1]  # the record holding the second transaction's seal removed, the head with it
    check = walk(rows)
    check.finish(3, str(rows[0][2]), 101)
    assert check.broken == ChainBreak(
        102,
        2,
        "records with seq 2..3 were never sealed into the chain (the record that held their transaction's seal was"
        " changed or deleted)",
        "第 2..3 条记录从未封入审计链（持有其事务封印的记录被改动或删除）",
    )


def test_a_checkpoint_that_saw_a_seal_inside_a_later_transaction_is_a_break() -> None:
    rows = transactions(1, 3)  # a checkpoint pinned seq 3, where a transaction once ended
    assert walk(rows, pins={3: "f" * 64}).broken == ChainBreak(
        103,
        3,
        "record differs from the signed checkpoint (the chain was rewritten from here or earlier)",
        "记录与已签名的检查点不符（审计链自此处或更早处被改写）",
    )
