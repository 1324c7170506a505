"""The daily credit job (每日信用任务) and the review queues.

``run_daily``: the facts whose maximum publication window has passed get their end of publication recorded (once
each, an outbox event each; the rating already stopped counting them on that day: ``counts_on``), and the open
objections past their review deadline are listed, and so are the facts published past their window's maximum
because they are flagged uncorrected (cbec.credit.service.uncorrected). Run it again the same day: nothing new is
recorded.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.scope import EVERYTHING, Scope, require_whole
from cbec.credit import repository as repo
from cbec.credit.models import CreditFact, CreditPublicationEnd
from cbec.credit.repair import OPEN_REPAIR, Change, ObjectionStatus
from cbec.credit.schemas import DailyReport, EndedRead, ObjectionRead, RepairRead
from cbec.credit.service.facts import subject_label
from cbec.credit.service.lists import sync_measures
from cbec.credit.service.repair import objection_read, repair_read
from cbec.credit.service.sharing import share
from cbec.credit.service.uncorrected import published_past_maximum
from cbec.storage.context import Context


def run_daily(
    ctx: Context, *, on: date | None = None, actor: str = "credit-daily", scope: Scope = EVERYTHING
) -> DailyReport:
    """End the publication of every fact past its maximum window (day ``on``, default today) and report the
    objections past their deadline; one transaction."""
    require_whole(scope, "每日信用任务", "the daily credit job")
    now = ctx.clock.now()
    today = on or business_date(now)
    with ctx.uow() as uow:
        session = uow.session
        ended: list[EndedRead] = []
        for fact, subject in repo.publications_to_end(session, today):
            assert fact.publish_max_until is not None  # selected on it
            repo.add_row(
                session,
                CreditPublicationEnd(
                    fact_id=fact.id,
                    subject_id=subject.id,
                    cause="expired",
                    ended_on=fact.publish_max_until,
                    recorded_at=now,
                    recorded_by=actor,
                ),
            )
            share(ctx, session, Change.PUBLICATION_ENDED, subject, fact, reference=None, on=today)
            ended.append(
                EndedRead(
                    fact_id=fact.id,
                    subject=subject_label(subject),
                    fact_type=fact.fact_type,
                    severity=fact.severity,
                    document_no=fact.document_no,
                    publish_max_until=fact.publish_max_until,
                )
            )
        synced = sync_measures(ctx, session, now=now, actor=actor, on=today)  # lifts the measures of entries that ended
        overdue = [
            objection_read(row, subject, _fact(session, row.fact_id), today)
            for row, subject in repo.overdue_objections(session, today)
        ]
        continued = published_past_maximum(session, today)
        open_repairs = len(repo.repairs(session, OPEN_REPAIR, None))
        open_objections = len(repo.objections(session, [ObjectionStatus.OPEN.value], None))
        if ended:
            record_audit(
                session,
                at=now,
                actor=actor,
                action="credit.publication.ended",
                entity_type="credit_daily",
                entity_key=today.isoformat(),
                after={"facts": [e.fact_id for e in ended]},
            )
        uow.commit()
    return DailyReport(
        on=today,
        ended=ended,
        overdue_objections=overdue,
        open_repairs=open_repairs,
        open_objections=open_objections,
        events=len(ended) + synced.entries,
        measures_applied=synced.applied,
        measures_lifted=synced.lifted,
        uncorrected=continued,
    )


def _fact(session: Session, fact_id: int) -> CreditFact:
    fact = repo.fact_by_id(session, fact_id)
    assert fact is not None  # a foreign key
    return fact


def list_repairs(
    ctx: Context, *, status: str | None = None, subject: str | None = None, scope: Scope = EVERYTHING
) -> list[RepairRead]:
    """Return the repair applications in a scope (``status`` one status, or ``open``: pending and proposed)."""
    statuses = OPEN_REPAIR if status == "open" else ([status] if status else None)
    with ctx.uow() as uow:
        session = uow.session
        subject_id = _subject_id(session, subject)
        if subject_id == -1:
            return []
        return [
            repair_read(row, s, _fact(session, row.fact_id))
            for row, s in repo.repairs(session, statuses, scope, subject_id)
        ]


def list_objections(
    ctx: Context, *, status: str | None = None, subject: str | None = None, scope: Scope = EVERYTHING
) -> list[ObjectionRead]:
    """Return the objections in a scope (of a status, of a subject), oldest first."""
    today = business_date(ctx.clock.now())
    with ctx.uow() as uow:
        session = uow.session
        subject_id = _subject_id(session, subject)
        if subject_id == -1:
            return []
        return [
            objection_read(row, s, _fact(session, row.fact_id), today)
            for row, s in repo.objections(session, [status] if status else None, scope, subject_id)
        ]


def _subject_id(session: Session, code: str | None) -> int | None:
    """Return the id of a subject code (None: no filter; -1: no such subject)."""
    if not code:
        return None
    found = repo.subject_by_code(session, code)
    return found.id if found is not None else -1
