"""Event positions (cbec.audit.journal): numbered from the head whether or not the transaction also audits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from cbec.audit import record_audit
from cbec.audit.models import JournalHead
from cbec.sharing.models import OutboxEvent
from cbec.sharing.outbox import emit_event
from cbec.sharing.rules import EventKind
from cbec.storage.context import Context

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _events(ctx: Context, count: int, *, audited: bool) -> None:
    with ctx.uow() as uow:
        for n in range(count):
            emit_event(
                uow.session,
                at=AT,
                kind=EventKind.FILING,
                document_type="enterprise",
                business_key=f"enterprise:{n}",
                zone="5100",
                parties=["1234567890"],
                payload={"n": n},
            )
        if audited:  # a second sequenced journal: both heads are locked, then written back
            record_audit(
                uow.session, at=AT, actor="t", action="a", entity_type="e", entity_key="k", before=None, after={}
            )
        uow.commit()


def test_positions_run_on_across_events_only_and_audited_transactions(ctx: Context) -> None:
    with ctx.uow() as uow:
        start = uow.session.scalar(select(JournalHead.last_seq).where(JournalHead.name == "sharing_event")) or 0
    _events(ctx, 2, audited=True)  # the first may create the head
    _events(ctx, 3, audited=False)  # the head moved on and locked by one UPDATE … RETURNING
    _events(ctx, 1, audited=True)
    _events(ctx, 2, audited=False)
    with ctx.uow() as uow:
        positions = list(uow.session.scalars(select(OutboxEvent.position).order_by(OutboxEvent.id)))
        head = uow.session.scalar(select(JournalHead.last_seq).where(JournalHead.name == "sharing_event"))
    assert positions[-8:] == list(range(start + 1, start + 9))
    assert head == start + 8
