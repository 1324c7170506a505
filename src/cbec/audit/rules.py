"""Hash chain of the audit trail (审计链): canonical form, record hash and the chain check.

Every record's hash covers the canonical JSON of its fields and the previous record's hash: keys sorted, no
whitespace, UTF-8, times in UTC with microseconds. Two rules, recorded per record as ``chain_version``:

* ``1`` (unkeyed, records written before migration trust02): SHA-256 of the canonical form;
* ``2`` (keyed, every record since): HMAC-SHA256 of the canonical form, which then also holds
  ``"chain_version": 2``, under a subkey of the audit key kept outside the database (``ChainKey``).

Versions never go down along the chain: a record of version 1 after one of version 2 is a break, so a keyed
record cannot be rewritten by the old, unkeyed rule. Changing any field of a record breaks its own hash;
deleting a record breaks the link (prev_hash, seq) of the next one; deleting the last records leaves the
journal head pointing past the end, and a checkpoint (``cbec.audit.checkpoint``) pointing past it even when the
head was moved back too. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
CHAIN_UNKEYED = 1
CHAIN_KEYED = 2


def normalised(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return a JSON value as the database will give it back (tuples as lists, keys as strings)."""
    if value is None:
        return None
    result: dict[str, Any] = json.loads(json.dumps(value, ensure_ascii=False, default=str))
    return result


def canonical_record(fields: dict[str, Any]) -> bytes:
    """Return the canonical bytes of a record's chained fields (version 1 bytes leave the version out)."""
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
    version = fields.get("chain_version") or CHAIN_UNKEYED
    if version != CHAIN_UNKEYED:
        data["chain_version"] = version
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(fields: dict[str, Any]) -> str:
    """Return the SHA-256 (hex) of a record's canonical form: the unkeyed rule of version 1."""
    return hashlib.sha256(canonical_record(fields)).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainKey:
    """The audit key (32 bytes, never stored in the database) and what is derived from it.

    Subkeys: one for the record MACs of the chain, one for checkpoint signatures; ``key_id`` is a public
    fingerprint (16 hex digits) that tells which key a checkpoint was signed with.
    """

    secret: bytes = field(repr=False)
    key_id: str = field(init=False)
    _chain: Any = field(init=False, repr=False, compare=False)
    _checkpoint: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.secret) != 32:
            raise ValueError("the audit key must be 32 bytes")

        def derive(purpose: bytes) -> bytes:
            return hmac.new(self.secret, purpose, hashlib.sha256).digest()

        object.__setattr__(self, "key_id", derive(b"cbec-audit-key-id").hex()[:16])
        object.__setattr__(self, "_chain", hmac.new(derive(b"cbec-audit-chain-v2"), digestmod=hashlib.sha256))
        object.__setattr__(self, "_checkpoint", derive(b"cbec-audit-checkpoint-v1"))

    def record_mac(self, canonical: bytes) -> str:
        """Return the HMAC-SHA256 (hex) of a record's canonical form (the prepared key state is copied, not rebuilt)."""
        mac = self._chain.copy()
        mac.update(canonical)
        return str(mac.hexdigest())

    def checkpoint_mac(self, canonical: bytes) -> str:
        """Return the HMAC-SHA256 (hex) that signs a checkpoint's canonical form."""
        return hmac.new(self._checkpoint, canonical, hashlib.sha256).hexdigest()


def seal_hash(fields: dict[str, Any], key: ChainKey) -> str:
    """Return a record's hash by the rule of its ``chain_version`` (1: SHA-256, 2: HMAC under the key)."""
    version = fields.get("chain_version") or CHAIN_UNKEYED
    if version == CHAIN_UNKEYED:
        return record_hash(fields)
    return key.record_mac(canonical_record(fields))


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where and why the chain is broken; ``record_id`` is the first record that fails, ``seq`` its position."""

    record_id: int | None
    seq: int | None
    reason: str
    reason_zh: str


def missing(first: int, last: int, record_id: int | None, seq: int) -> ChainBreak:
    """Return the break of records first..last that are gone, reported at a record id and position."""
    return ChainBreak(
        record_id,
        seq,
        f"records with seq {first}..{last} are missing (deleted)",
        f"第 {first}..{last} 条记录缺失（被删除）",
    )


@dataclass(slots=True)
class ChainCheck:
    """Walks records in seq order and remembers the first break.

    ``pins`` are positions a signed checkpoint recorded: seq → the hash the record there had. ``keyed_from`` is
    the first position a checkpoint saw written by the keyed rule: a record there or later must be keyed.
    """

    key: ChainKey
    pins: dict[int, str] = field(default_factory=dict)
    keyed_from: int | None = None
    checked: int = 0
    unkeyed: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    last_id: int | None = None
    last_version: int = CHAIN_UNKEYED
    first_keyed: int | None = None
    broken: ChainBreak | None = None

    def feed(self, record_id: int, fields: dict[str, Any], stored_hash: str | None) -> None:
        """Check the next record (fields include seq, prev_hash and chain_version)."""
        if self.broken is not None:
            return
        self.checked += 1
        self.broken = self._check(record_id, fields, stored_hash)
        if self.broken is None:
            self.last_seq, self.last_hash, self.last_id = fields["seq"], stored_hash or "", record_id
            self.last_version = fields.get("chain_version") or CHAIN_UNKEYED
            self.unkeyed += self.last_version == CHAIN_UNKEYED
            if self.last_version != CHAIN_UNKEYED and self.first_keyed is None:
                self.first_keyed = self.last_seq

    def _check(self, record_id: int, fields: dict[str, Any], stored_hash: str | None) -> ChainBreak | None:
        seq, prev = fields["seq"], fields["prev_hash"]
        version = fields.get("chain_version") or CHAIN_UNKEYED
        if seq is None or stored_hash is None:
            return ChainBreak(record_id, seq, "record was never sealed into the chain", "记录从未封入审计链")
        if seq != self.last_seq + 1:
            return missing(self.last_seq + 1, seq - 1, record_id, seq)
        if prev != self.last_hash:
            return ChainBreak(
                record_id,
                seq,
                "prev_hash does not match the previous record's hash",
                "prev_hash 与上一条记录的哈希不符",
            )
        if version not in (CHAIN_UNKEYED, CHAIN_KEYED):
            return ChainBreak(record_id, seq, f"unknown chain version {version}", f"未知的链版本 {version}")
        if version < self.last_version or (
            version == CHAIN_UNKEYED and self.keyed_from is not None and seq >= self.keyed_from
        ):
            return ChainBreak(
                record_id,
                seq,
                "record was rewritten by the old unkeyed rule after the keyed chain began",
                "密钥链开始后，记录被按旧的无密钥规则改写",
            )
        if seal_hash(fields, self.key) != stored_hash:
            return ChainBreak(
                record_id,
                seq,
                "record was changed after it was written, or the audit key is not the one it was written with"
                " (hash mismatch)",
                "记录写入后被改动，或审计密钥不是写入时的密钥（哈希不符）",
            )
        pinned = self.pins.get(seq)
        if pinned is not None and pinned != stored_hash:
            return ChainBreak(
                record_id,
                seq,
                "record differs from the signed checkpoint (the chain was rewritten from here or earlier)",
                "记录与已签名的检查点不符（审计链自此处或更早处被改写）",
            )
        return None

    def finish(self, head_seq: int, head_hash: str, head_row_id: int | None) -> None:
        """Compare the end of the chain with the journal head and with the furthest checkpoint."""
        if self.broken is not None:
            return
        furthest = max(self.pins, default=0)
        if furthest > self.last_seq:
            self.broken = ChainBreak(
                None,
                self.last_seq + 1,
                f"records with seq {self.last_seq + 1}..{furthest} are missing: a signed checkpoint saw the chain"
                f" reach seq {furthest} (deleted, and the head moved back)",
                f"第 {self.last_seq + 1}..{furthest} 条记录缺失：已签名的检查点记录审计链曾到第 {furthest} 条"
                "（被删除且链头被回退）",
            )
        elif head_seq > self.last_seq:
            self.broken = missing(self.last_seq + 1, head_seq, head_row_id, self.last_seq + 1)
        elif head_seq < self.last_seq or head_hash != self.last_hash:
            self.broken = ChainBreak(
                self.last_id, self.last_seq, "the chain head does not match the last record", "链头与最后一条记录不符"
            )
