"""Signed checkpoints of the audit chain (审计链检查点): the head, written outside the database.

A checkpoint is one JSON line: the position, id and hash of the last record, how many records the chain held,
the first position written by the keyed rule, when, and the fingerprint of the audit key; ``mac`` is an
HMAC-SHA256 of the rest (canonical JSON: keys sorted, no whitespace, UTF-8) under the checkpoint subkey of the
audit key. A file of checkpoints is appended to, never rewritten: every line must stay a prefix of the chain.
Pure functions, no I/O (the service reads and appends the file).
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from typing import Any

from cbec.audit.rules import ChainKey

KIND = "cbec.audit.checkpoint"
VERSION = 1
_INTS = ("seq", "records")
_OPTIONAL_INTS = ("record_id", "keyed_from")
_STRINGS = ("hash", "at", "key_id", "mac")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The chain's head at one moment, as signed into a checkpoint line."""

    seq: int
    record_id: int | None
    hash: str
    records: int
    keyed_from: int | None
    at: str
    key_id: str

    def body(self) -> dict[str, Any]:
        """Return the signed fields."""
        return {
            "type": KIND,
            "v": VERSION,
            "journal": "audit",
            "seq": self.seq,
            "record_id": self.record_id,
            "hash": self.hash,
            "records": self.records,
            "keyed_from": self.keyed_from,
            "at": self.at,
            "key_id": self.key_id,
        }


@dataclass(frozen=True, slots=True)
class CheckpointProblem:
    """A line of a checkpoint file that cannot be trusted; ``seq`` is the position it claims, if any."""

    line: int
    seq: int | None
    reason: str
    reason_zh: str


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signed_line(checkpoint: Checkpoint, key: ChainKey) -> str:
    """Return the checkpoint as one signed JSON line (without the newline)."""
    body = checkpoint.body()
    mac = key.checkpoint_mac(_canonical(body))
    return json.dumps({**body, "mac": mac}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def read_line(number: int, text: str, key: ChainKey) -> Checkpoint | CheckpointProblem:
    """Return the checkpoint of a line if its form and signature hold, else what is wrong with it."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not _well_formed(data):
        return CheckpointProblem(number, None, f"line {number} is not a checkpoint", f"第 {number} 行不是检查点")
    seq = data["seq"]
    if data["key_id"] != key.key_id:
        return CheckpointProblem(
            number,
            seq,
            f"checkpoint line {number} (seq {seq}) was signed with another audit key (key id {data['key_id']},"
            f" configured {key.key_id})",
            f"第 {number} 行检查点（第 {seq} 条）由另一个审计密钥签名（密钥标识 {data['key_id']}，当前 {key.key_id}）",
        )
    body = {name: value for name, value in data.items() if name != "mac"}
    if not hmac.compare_digest(key.checkpoint_mac(_canonical(body)), data["mac"]):
        return CheckpointProblem(
            number,
            seq,
            f"checkpoint line {number} (seq {seq}): the signature does not match (forged or altered)",
            f"第 {number} 行检查点（第 {seq} 条）：签名不符（伪造或被改动）",
        )
    return Checkpoint(
        seq, data["record_id"], data["hash"], data["records"], data["keyed_from"], data["at"], data["key_id"]
    )


def _well_formed(data: dict[str, Any]) -> bool:
    expected = {"type", "v", "journal", *_INTS, *_OPTIONAL_INTS, *_STRINGS}
    if set(data) != expected or (data["type"], data["v"], data["journal"]) != (KIND, VERSION, "audit"):
        return False
    if not all(type(data[name]) is int and data[name] >= 0 for name in _INTS):
        return False
    if not all(data[name] is None or type(data[name]) is int for name in _OPTIONAL_INTS):
        return False
    return all(isinstance(data[name], str) for name in _STRINGS)


def read_lines(lines: list[str], key: ChainKey) -> tuple[list[Checkpoint], CheckpointProblem | None]:
    """Return the checkpoints of a file's lines, or the first line that cannot be trusted.

    Checkpoints must not contradict each other: a later one never has a shorter chain, and two at the same
    position have the same hash.
    """
    found: list[Checkpoint] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        item = read_line(number, text, key)
        if isinstance(item, CheckpointProblem):
            return found, item
        clash = next((c for c in found if c.seq > item.seq or (c.seq == item.seq and c.hash != item.hash)), None)
        if clash is not None:
            return found, CheckpointProblem(
                number,
                item.seq,
                f"checkpoint line {number} (seq {item.seq}) contradicts an earlier checkpoint (seq {clash.seq})",
                f"第 {number} 行检查点（第 {item.seq} 条）与较早的检查点（第 {clash.seq} 条）矛盾",
            )
        found.append(item)
    return found, None
