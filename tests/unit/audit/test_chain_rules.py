"""Hash chain of the audit trail: canonical form, hash, and where ChainCheck reports a break."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

from cbec.audit.rules import GENESIS_HASH, ChainBreak, ChainCheck, canonical_record, normalised, record_hash

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def fields(seq: int, prev: str, **changes: object) -> dict[str, object]:
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
    }
    base.update(changes)
    return base


def chain(n: int) -> list[tuple[int, dict[str, object], str]]:
    rows, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        f = fields(seq, prev)
        digest = record_hash(f)
        rows.append((100 + seq, f, digest))
        prev = digest
    return rows


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


def test_normalised_gives_json_as_the_database_returns_it() -> None:
    assert normalised({"lines": (1, 2), 3: "x"}) == {"lines": [1, 2], "3": "x"}
    assert normalised(None) is None


def test_intact_chain_passes_and_matches_its_head() -> None:
    check = ChainCheck()
    rows = chain(3)
    for record_id, f, digest in rows:
        check.feed(record_id, f, digest)
    check.finish(3, rows[-1][2], 103)
    assert (check.broken, check.checked, check.last_seq) == (None, 3, 3)


def test_changed_field_breaks_that_record() -> None:
    rows = chain(3)
    record_id, f, digest = rows[1]
    rows[1] = (record_id, {**f, "reason": "tampered"}, digest)
    check = ChainCheck()
    for row in rows:
        check.feed(*row)
    assert check.broken == ChainBreak(102, 2, "record was changed after it was written (hash mismatch)")


def test_deleted_record_breaks_the_next_one() -> None:
    rows = chain(3)
    del rows[1]
    check = ChainCheck()
    for row in rows:
        check.feed(*row)
    assert check.broken == ChainBreak(103, 3, "records with seq 2..2 are missing (deleted)")


def test_deleted_last_records_break_against_the_head() -> None:
    rows = chain(3)
    check = ChainCheck()
    for row in rows[:1]:
        check.feed(*row)
    check.finish(3, rows[-1][2], 103)
    assert check.broken == ChainBreak(103, 2, "records with seq 2..3 are missing (deleted)")


def test_relinked_record_with_a_recomputed_hash_still_breaks_the_link() -> None:
    rows = chain(2)
    record_id, f, _ = rows[1]
    forged = {**f, "prev_hash": "f" * 64}
    check = ChainCheck()
    check.feed(*rows[0])
    check.feed(record_id, forged, record_hash(forged))
    assert check.broken == ChainBreak(102, 2, "prev_hash does not match the previous record's hash")


def test_unsealed_record_is_a_break() -> None:
    check = ChainCheck()
    check.feed(7, fields(None, None), None)  # type: ignore[arg-type]
    assert check.broken == ChainBreak(7, None, "record was never sealed into the chain")
