"""Audit use cases (审计): verify the hash chain, search the trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cbec.audit import repository as repo
from cbec.audit.rules import GENESIS_HASH, ChainCheck
from cbec.storage.context import Context


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Outcome of walking the audit chain: ``first_broken_id`` is the first record that fails."""

    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_broken_id: int | None = None
    first_broken_seq: int | None = None
    reason: str | None = None

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
        }


def verify_audit_chain(ctx: Context) -> ChainReport:
    """Recompute every record's hash and link in chain order; report the first altered or missing record."""
    with ctx.uow() as uow:
        head = repo.journal_head(uow.session)
        head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
        head_row_id = head.last_row_id if head else None
        check = ChainCheck()
        for row in repo.chain_in_order(uow.session):
            check.feed(row.id, repo.chained_fields(row), row.hash)
            if check.broken is not None:
                break
        check.finish(head_seq, head_hash, head_row_id)
    broken = check.broken
    return ChainReport(
        ok=broken is None,
        checked=check.checked,
        head_seq=head_seq,
        head_hash=head_hash,
        first_broken_id=broken.record_id if broken else None,
        first_broken_seq=broken.seq if broken else None,
        reason=broken.reason if broken else None,
    )


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
