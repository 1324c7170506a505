"""Hash chain of the audit trail (审计链): canonical forms, seals and the chain check.

Records hold consecutive positions (``seq``) in commit order. A seal covers the canonical JSON of records and the
previous seal's hash: keys sorted, no whitespace, UTF-8, times in UTC with microseconds. Three rules, recorded per
record as ``chain_version``:

* ``1`` (unkeyed, records written before migration trust02): one seal per record, SHA-256 of its canonical form;
* ``2`` (keyed, records written from trust02 until sealing per transaction): one seal per record, HMAC-SHA256 of
  the canonical form, which then also holds ``"chain_version": 2``, under a subkey of the audit key kept outside
  the database (``ChainKey``);
* ``3`` (keyed, per transaction, every record since): the records one commit wrote (positions a..b) share one
  seal, HMAC-SHA256 under another subkey of the canonical form of the previous seal's hash and the records'
  fields, positions included (``canonical_transaction``). Only the last record of the transaction (position b)
  holds the seal: ``prev_hash`` the previous seal, ``hash`` this one; the records before it hold neither, so a
  record with a hash closes its transaction.

Versions never go down along the chain: a record of version 1 after one of version 2, or of version 2 after one
of version 3, is a break, so a keyed record cannot be rewritten by an older rule. Changing any field of a record
breaks the seal that covers it (of a version-3 transaction: reported at the transaction's first position, the
first one the seal no longer vouches for); deleting a record leaves a gap in the positions; inserting one takes
a position another record holds or has no seal; deleting the last records leaves the journal head pointing past
the end, and a checkpoint (``cbec.audit.checkpoint``) pointing past it even when the head was moved back too.
Pure functions, no I/O.
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
CHAIN_TRANSACTION = 3
CHAIN_VERSIONS = (CHAIN_UNKEYED, CHAIN_KEYED, CHAIN_TRANSACTION)


def normalised(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return a JSON value as the database will give it back (tuples as lists, keys as strings)."""
    if value is None:
        return None
    # Most records carry a flat dict of texts and whole numbers ({"status": "800"}), which JSON gives back as it is.
    if all(type(key) is str and type(item) in _AS_IS for key, item in value.items()):
        return dict(value)
    result: dict[str, Any] = json.loads(json.dumps(value, ensure_ascii=False, default=str))
    return result


_AS_IS = frozenset({str, int, bool, type(None)})


def _instant(at: Any) -> Any:
    return at.astimezone(UTC).isoformat(timespec="microseconds") if isinstance(at, datetime) else at


def canonical_record(fields: dict[str, Any]) -> bytes:
    """Return the canonical bytes of a record's chained fields (version 1 bytes leave the version out)."""
    data = {
        "seq": fields["seq"],
        "at": _instant(fields["at"]),
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


def canonical_transaction(prev_hash: str, records: list[dict[str, Any]]) -> bytes:
    """Return the canonical bytes a version-3 seal covers: the previous seal and the records, in position order.

    Each record is the list of its chained fields (position first); the previous seal comes first and the chain
    version with it, so that no other form can give the same bytes.
    """
    body = [
        [
            r["seq"],
            _instant(r["at"]),
            r["actor"],
            r["action"],
            r["entity_type"],
            r["entity_key"],
            r["before"],
            r["after"],
            r["reason"],
        ]
        for r in records
    ]
    data = {"chain_version": CHAIN_TRANSACTION, "prev_hash": prev_hash, "records": body}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_hash(fields: dict[str, Any]) -> str:
    """Return the SHA-256 (hex) of a record's canonical form: the unkeyed rule of version 1."""
    return hashlib.sha256(canonical_record(fields)).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainKey:
    """The audit key (32 bytes, never stored in the database) and what is derived from it.

    Subkeys: one for the record MACs of the chain (version 2), one for its transaction MACs (version 3), one for
    checkpoint signatures; ``key_id`` is a public fingerprint (16 hex digits) that tells which key a checkpoint was
    signed with.
    """

    secret: bytes = field(repr=False)
    key_id: str = field(init=False)
    _chain: Any = field(init=False, repr=False, compare=False)
    _transaction: Any = field(init=False, repr=False, compare=False)
    _checkpoint: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.secret) != 32:
            raise ValueError("the audit key must be 32 bytes")

        def derive(purpose: bytes) -> bytes:
            return hmac.new(self.secret, purpose, hashlib.sha256).digest()

        object.__setattr__(self, "key_id", derive(b"cbec-audit-key-id").hex()[:16])
        object.__setattr__(self, "_chain", hmac.new(derive(b"cbec-audit-chain-v2"), digestmod=hashlib.sha256))
        object.__setattr__(self, "_transaction", hmac.new(derive(b"cbec-audit-chain-v3"), digestmod=hashlib.sha256))
        object.__setattr__(self, "_checkpoint", derive(b"cbec-audit-checkpoint-v1"))

    def record_mac(self, canonical: bytes) -> str:
        """Return the HMAC-SHA256 (hex) of a record's canonical form (the prepared key state is copied, not rebuilt)."""
        mac = self._chain.copy()
        mac.update(canonical)
        return str(mac.hexdigest())

    def transaction_mac(self, canonical: bytes) -> str:
        """Return the HMAC-SHA256 (hex) of a transaction's canonical form (``canonical_transaction``)."""
        mac = self._transaction.copy()
        mac.update(canonical)
        return str(mac.hexdigest())

    def checkpoint_mac(self, canonical: bytes) -> str:
        """Return the HMAC-SHA256 (hex) that signs a checkpoint's canonical form."""
        return hmac.new(self._checkpoint, canonical, hashlib.sha256).hexdigest()


def seal_hash(fields: dict[str, Any], key: ChainKey) -> str:
    """Return the hash of a record sealed on its own, by its ``chain_version`` (1: SHA-256, 2: HMAC under the key).

    Records of version 3 are sealed by transaction, not one by one (``transaction_seal``).
    """
    version = fields.get("chain_version") or CHAIN_UNKEYED
    if version == CHAIN_UNKEYED:
        return record_hash(fields)
    if version == CHAIN_TRANSACTION:
        raise ValueError("records of chain version 3 are sealed by transaction (transaction_seal)")
    return key.record_mac(canonical_record(fields))


def transaction_seal(prev_hash: str, records: list[dict[str, Any]], key: ChainKey) -> str:
    """Return the version-3 seal of a transaction's records (in position order) after the previous seal."""
    return key.transaction_mac(canonical_transaction(prev_hash, records))


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


_CHANGED = (
    "record was changed after it was written, or the audit key is not the one it was written with (hash mismatch)",
    "记录写入后被改动，或审计密钥不是写入时的密钥（哈希不符）",
)
_PINNED = (
    "record differs from the signed checkpoint (the chain was rewritten from here or earlier)",
    "记录与已签名的检查点不符（审计链自此处或更早处被改写）",
)
_LINK = ("prev_hash does not match the previous record's hash", "prev_hash 与上一条记录的哈希不符")


def _changed_in(first: int, last: int) -> tuple[str, str]:
    if first == last:
        return _CHANGED
    return (
        f"a record with seq {first}..{last} (sealed together at one commit) was changed after it was written, or"
        " the audit key is not the one it was written with (hash mismatch)",
        f"第 {first}..{last} 条记录（同一次提交封存）中有记录写入后被改动，或审计密钥不是写入时的密钥（哈希不符）",
    )


def _older_rule(version: int) -> tuple[str, str]:
    if version == CHAIN_UNKEYED:
        return (
            "record was rewritten by the old unkeyed rule after the keyed chain began",
            "密钥链开始后，记录被按旧的无密钥规则改写",
        )
    return (
        "record was rewritten by the per-record rule after sealing per transaction began",
        "按事务封存开始后，记录被按旧的逐条封存规则改写",
    )


@dataclass(slots=True)
class ChainCheck:
    """Walks records in seq order and remembers the first break.

    ``pins`` are positions a signed checkpoint recorded: seq → the hash the record there had. ``keyed_from`` is
    the first position a checkpoint saw written by a keyed rule: a record there or later must be keyed. The records
    of a version-3 transaction are held (``pending``) until the record that holds their seal; the chain is vouched
    for up to ``last_seq`` (the last seal that held) and walked up to ``walked``.
    """

    key: ChainKey
    pins: dict[int, str] = field(default_factory=dict)
    keyed_from: int | None = None
    checked: int = 0
    unkeyed: int = 0
    walked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    last_id: int | None = None
    last_version: int = CHAIN_UNKEYED
    first_keyed: int | None = None
    pending: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    broken: ChainBreak | None = None

    def feed(self, record_id: int, fields: dict[str, Any], stored_hash: str | None) -> None:
        """Check the next record (fields include seq, prev_hash and chain_version)."""
        if self.broken is not None:
            return
        self.checked += 1
        version = fields.get("chain_version") or CHAIN_UNKEYED
        self.broken = self._check_place(record_id, fields, stored_hash, version)
        if self.broken is not None:
            return
        self.walked, self.last_version = fields["seq"], version
        if version != CHAIN_TRANSACTION:
            self.broken = self._check_record(record_id, fields, stored_hash or "")
            if self.broken is None:
                self._vouch(record_id, fields["seq"], stored_hash or "", version, fields["seq"])
            return
        self.pending.append((record_id, fields))
        if stored_hash is None:
            return  # the transaction goes on: its last record holds the seal
        self.broken = self._check_transaction(stored_hash)
        if self.broken is None:
            first = self.pending[0][1]["seq"]
            self.pending = []
            self._vouch(record_id, fields["seq"], stored_hash, version, first)

    def _vouch(self, record_id: int, seq: int, stored_hash: str, version: int, first: int) -> None:
        self.last_seq, self.last_hash, self.last_id = seq, stored_hash, record_id
        if version == CHAIN_UNKEYED:
            self.unkeyed += 1
        elif self.first_keyed is None:
            self.first_keyed = first

    def _check_place(
        self, record_id: int, fields: dict[str, Any], stored_hash: str | None, version: int
    ) -> ChainBreak | None:
        """Check what every record must have: a position next to the last, a known rule, no older than the last."""
        seq = fields["seq"]
        if seq is None or (stored_hash is None and version != CHAIN_TRANSACTION):
            return ChainBreak(record_id, seq, "record was never sealed into the chain", "记录从未封入审计链")
        if seq != self.walked + 1:
            return missing(self.walked + 1, seq - 1, record_id, seq)
        if version not in CHAIN_VERSIONS:
            return ChainBreak(record_id, seq, f"unknown chain version {version}", f"未知的链版本 {version}")
        if version < self.last_version or (
            version == CHAIN_UNKEYED and self.keyed_from is not None and seq >= self.keyed_from
        ):
            return ChainBreak(record_id, seq, *_older_rule(version))
        return None

    def _check_record(self, record_id: int, fields: dict[str, Any], stored_hash: str) -> ChainBreak | None:
        """Check a record sealed on its own (versions 1 and 2): its link, its hash, its checkpoint."""
        seq = fields["seq"]
        if fields["prev_hash"] != self.last_hash:
            return ChainBreak(record_id, seq, *_LINK)
        if seal_hash(fields, self.key) != stored_hash:
            return ChainBreak(record_id, seq, *_CHANGED)
        pinned = self.pins.get(seq)
        if pinned is not None and pinned != stored_hash:
            return ChainBreak(record_id, seq, *_PINNED)
        return None

    def _check_transaction(self, stored_hash: str) -> ChainBreak | None:
        """Check the pending records of a transaction against the seal its last record holds.

        A break the seal finds (a changed record, a broken link) is reported at the transaction's first record:
        the seal no longer vouches for any of them.
        """
        first_id, first = self.pending[0]
        last_id, last = self.pending[-1]
        for record_id, fields in self.pending[:-1]:
            if fields["prev_hash"] is not None:  # only the record holding the seal links to the one before
                return ChainBreak(record_id, fields["seq"], *_CHANGED)
            if fields["seq"] in self.pins:  # a checkpoint saw a seal here
                return ChainBreak(record_id, fields["seq"], *_PINNED)
        if last["prev_hash"] != self.last_hash:
            return ChainBreak(first_id, first["seq"], *_LINK)
        records = [fields for _id, fields in self.pending]
        if transaction_seal(last["prev_hash"], records, self.key) != stored_hash:
            return ChainBreak(first_id, first["seq"], *_changed_in(first["seq"], last["seq"]))
        pinned = self.pins.get(last["seq"])
        if pinned is not None and pinned != stored_hash:
            return ChainBreak(last_id, last["seq"], *_PINNED)
        return None

    def finish(self, head_seq: int, head_hash: str, head_row_id: int | None) -> None:
        """Compare the end of the chain with the journal head and with the furthest checkpoint."""
        if self.broken is not None:
            return
        furthest = max(self.pins, default=0)
        if furthest > self.walked:
            self.broken = ChainBreak(
                None,
                self.walked + 1,
                f"records with seq {self.walked + 1}..{furthest} are missing: a signed checkpoint saw the chain"
                f" reach seq {furthest} (deleted, and the head moved back)",
                f"第 {self.walked + 1}..{furthest} 条记录缺失：已签名的检查点记录审计链曾到第 {furthest} 条"
                "（被删除且链头被回退）",
            )
        elif head_seq > self.walked:
            self.broken = missing(self.walked + 1, head_seq, head_row_id, self.walked + 1)
        elif self.pending:
            first_id, first = self.pending[0]
            self.broken = ChainBreak(
                first_id,
                first["seq"],
                f"records with seq {first['seq']}..{self.walked} were never sealed into the chain (the record that"
                " held their transaction's seal was changed or deleted)",
                f"第 {first['seq']}..{self.walked} 条记录从未封入审计链（持有其事务封印的记录被改动或删除）",
            )
        elif head_seq < self.last_seq or head_hash != self.last_hash:
            self.broken = ChainBreak(
                self.last_id, self.last_seq, "the chain head does not match the last record", "链头与最后一条记录不符"
            )
