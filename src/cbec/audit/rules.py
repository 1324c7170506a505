"""Hash chain of the audit trail (审计链): canonical form, record hash and the chain check.

hash = SHA-256 over the canonical JSON of a record's fields and the previous record's hash: keys
sorted, no whitespace, UTF-8, times in UTC with microseconds. Changing any field of a record breaks
its own hash; deleting a record breaks the link (prev_hash, seq) of the next one; deleting the last
records leaves the journal head pointing past the end. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def normalised(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return a JSON value as the database will give it back (tuples as lists, keys as strings)."""
    if value is None:
        return None
    result: dict[str, Any] = json.loads(json.dumps(value, ensure_ascii=False, default=str))
    return result


def canonical_record(fields: dict[str, Any]) -> bytes:
    """Return the canonical bytes of a record's chained fields."""
    at = fields["at"]
    data = {
        "seq": fields["seq"],
        "at": at.astimezone(UTC).isoformat(timespec="microseconds") if isinstance(at, datetime) else at,
        "actor": fields["actor"],
        "action": fields["action"],
        "entity_type": fields["entity_type"],
        "entity_key": fields["entity_key"],
        "before": fields["before"],
        "after": fields["after"],
        "reason": fields["reason"],
        "prev_hash": fields["prev_hash"],
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(fields: dict[str, Any]) -> str:
    """Return the SHA-256 (hex) of a record's canonical form."""
    return hashlib.sha256(canonical_record(fields)).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where and why the chain is broken; ``record_id`` is the first record that fails."""

    record_id: int | None
    seq: int | None
    reason: str


@dataclass(slots=True)
class ChainCheck:
    """Walks records in seq order and remembers the first break."""

    checked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    last_id: int | None = None
    broken: ChainBreak | None = None

    def feed(self, record_id: int, fields: dict[str, Any], stored_hash: str | None) -> None:
        """Check the next record (fields include seq and prev_hash)."""
        if self.broken is not None:
            return
        self.checked += 1
        seq, prev = fields["seq"], fields["prev_hash"]
        if seq is None or stored_hash is None:
            self.broken = ChainBreak(record_id, seq, "record was never sealed into the chain")
        elif seq != self.last_seq + 1:
            self.broken = ChainBreak(
                record_id, seq, f"records with seq {self.last_seq + 1}..{seq - 1} are missing (deleted)"
            )
        elif prev != self.last_hash:
            self.broken = ChainBreak(record_id, seq, "prev_hash does not match the previous record's hash")
        elif record_hash(fields) != stored_hash:
            self.broken = ChainBreak(record_id, seq, "record was changed after it was written (hash mismatch)")
        else:
            self.last_seq, self.last_hash, self.last_id = seq, stored_hash, record_id

    def finish(self, head_seq: int, head_hash: str, head_row_id: int | None) -> None:
        """Compare the end of the chain with the journal head."""
        if self.broken is not None:
            return
        if head_seq > self.last_seq:
            self.broken = ChainBreak(
                head_row_id,
                self.last_seq + 1,
                f"records with seq {self.last_seq + 1}..{head_seq} are missing (deleted)",
            )
        elif head_seq < self.last_seq or head_hash != self.last_hash:
            self.broken = ChainBreak(self.last_id, self.last_seq, "the chain head does not match the last record")
