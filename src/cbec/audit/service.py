"""Audit use cases (审计): verify the keyed hash chain against signed checkpoints, take a checkpoint, search."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cbec.audit import repository as repo
from cbec.audit.checkpoint import Checkpoint, CheckpointProblem, read_lines, signed_line
from cbec.audit.errors import CheckpointFileError
from cbec.audit.keys import key_for
from cbec.audit.rules import GENESIS_HASH, ChainBreak, ChainCheck, ChainKey
from cbec.storage.context import Context


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Outcome of walking the audit chain: ``first_broken_seq`` is the first position that fails.

    ``unkeyed`` counts the records sealed by the old unkeyed rule (before migration trust02); ``checkpoints``
    the signed checkpoints the chain was held against; ``keyed_from`` the first position sealed with the key.
    """

    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_broken_id: int | None = None
    first_broken_seq: int | None = None
    reason: str | None = None
    reason_zh: str | None = None
    last_id: int | None = None
    unkeyed: int = 0
    keyed_from: int | None = None
    checkpoints: int = 0
    key_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "ok": self.ok,
            "checked": self.checked,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "first_broken_id": self.first_broken_id,
            "first_broken_seq": self.first_broken_seq,
            "reason": self.reason,
            "reason_zh": self.reason_zh,
            "unkeyed": self.unkeyed,
            "keyed_from": self.keyed_from,
            "checkpoints": self.checkpoints,
            "key_id": self.key_id,
        }


def verify_audit_chain(ctx: Context, checkpoint_file: Path | None = None) -> ChainReport:
    """Recompute every record's hash and link in chain order, from the start; report the first bad position.

    With a checkpoint file, every checkpoint in it must be correctly signed and still a prefix of the chain:
    the record at its position exists and has its hash, and records first sealed with the key stay keyed.
    """
    key = key_for(ctx.engine)
    checkpoints: list[Checkpoint] = []
    if checkpoint_file is not None:
        checkpoints, problem = read_lines(_read_file(checkpoint_file), key)
        if problem is not None:
            return _refused(ctx, key, problem, len(checkpoints))
    with ctx.uow() as uow:
        session = uow.session
        head = repo.journal_head(session)
        head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
        head_row_id = head.last_row_id if head else None
        keyed = [c.keyed_from for c in checkpoints if c.keyed_from is not None]
        check = ChainCheck(key, pins={c.seq: c.hash for c in checkpoints if c.seq}, keyed_from=min(keyed, default=None))
        for row in repo.chain_in_order(session, upto=head_seq):
            check.feed(row.id, repo.chained_fields(row), row.hash)
            if check.broken is not None:
                break
        check.finish(head_seq, head_hash, head_row_id)
        if check.broken is None:
            check.broken = _beyond_head(session, head_seq)
    broken = check.broken
    return ChainReport(
        ok=broken is None,
        checked=check.checked,
        head_seq=head_seq,
        head_hash=head_hash,
        first_broken_id=broken.record_id if broken else None,
        first_broken_seq=broken.seq if broken else None,
        reason=broken.reason if broken else None,
        reason_zh=broken.reason_zh if broken else None,
        last_id=check.last_id,
        unkeyed=check.unkeyed,
        keyed_from=check.first_keyed,
        checkpoints=len(checkpoints),
        key_id=key.key_id,
    )


def _beyond_head(session: Any, head_seq: int) -> ChainBreak | None:
    """Return a break if records lie past the head (it was moved back) or the head went back while we read."""
    now_head, end = repo.head_and_end(session)
    now_head = now_head or 0
    if now_head < head_seq:
        return ChainBreak(
            None, now_head + 1, "the chain head moved back while the chain was read", "校验期间链头被回退"
        )
    if end is not None and end > now_head:
        return ChainBreak(
            None,
            now_head + 1,
            f"records up to seq {end} lie beyond the chain head at seq {now_head} (the head was moved back)",
            f"第 {end} 条及之前的记录位于链头（第 {now_head} 条）之后（链头被回退）",
        )
    return None


def _refused(ctx: Context, key: ChainKey, problem: CheckpointProblem, good: int) -> ChainReport:
    with ctx.uow() as uow:
        head = repo.journal_head(uow.session)
        head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    return ChainReport(
        ok=False,
        checked=0,
        head_seq=head_seq,
        head_hash=head_hash,
        first_broken_seq=problem.seq,
        reason=problem.reason,
        reason_zh=problem.reason_zh,
        checkpoints=good,
        key_id=key.key_id,
    )


def _read_file(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise CheckpointFileError(
            f"checkpoint file {path} does not exist / 检查点文件 {path} 不存在", path=str(path)
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointFileError(
            f"cannot read checkpoint file {path}: {exc} / 无法读取检查点文件 {path}", path=str(path)
        ) from exc


@dataclass(frozen=True, slots=True)
class CheckpointResult:
    """A checkpoint taken (``line`` appended to the file), or the verification that refused it."""

    report: ChainReport
    checkpoint: Checkpoint | None
    line: str | None


def take_checkpoint(ctx: Context, out: Path) -> CheckpointResult:
    """Verify the chain (against the checkpoints already in ``out``) and append a signed checkpoint of its head.

    Nothing is written when verification fails: a checkpoint vouches only for a chain that verified.
    """
    key = key_for(ctx.engine)
    if out.is_dir():
        raise CheckpointFileError(f"{out} is a directory / {out} 是目录", path=str(out))
    report = verify_audit_chain(ctx, out if out.exists() else None)
    if not report.ok:
        return CheckpointResult(report, None, None)
    checkpoint = Checkpoint(
        seq=report.head_seq,
        record_id=report.last_id,
        hash=report.head_hash,
        records=report.checked,
        keyed_from=report.keyed_from,
        at=ctx.clock.now().isoformat(timespec="seconds"),
        key_id=key.key_id,
    )
    line = signed_line(checkpoint, key)
    _append(out, line)
    return CheckpointResult(report, checkpoint, line)


def _append(path: Path, line: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as handle:
            if handle.tell() > 0:
                with path.open("rb") as reader:
                    reader.seek(-1, os.SEEK_END)
                    if reader.read(1) != b"\n":
                        handle.write(b"\n")
            handle.write(line.encode("utf-8") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise CheckpointFileError(
            f"cannot write checkpoint file {path}: {exc} / 无法写入检查点文件 {path}", path=str(path)
        ) from exc


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit record as shown to auditors (snapshots hold masked values only)."""

    id: int
    seq: int | None
    at: Any
    actor: str
    action: str
    entity_type: str
    entity_key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
    hash: str | None


def search_audit(ctx: Context, **filters: Any) -> tuple[list[AuditEntry], int]:
    """Return a page of audit records, newest first, and the total count."""
    with ctx.uow() as uow:
        rows, total = repo.search_audit(uow.session, **filters)
        return [
            AuditEntry(
                r.id, r.seq, r.at, r.actor, r.action, r.entity_type, r.entity_key, r.before, r.after, r.reason, r.hash
            )
            for r in rows
        ], total
