"""Late export summaries (汇总申报逾期): the daily job that records each overdue month once, with its event.

Rule: an e-commerce enterprise summarises each month's closed summary-flag (B) export inventories by the 15th of
the following month (海关总署公告2018年第194号; ../shared/specs/ceb-messages.md, "E7 monthly summary": "the summary
is due by the 15th of the following month", [POL 194号 — verify]). The due day is the effective-dated parameter
``summary_due_day`` (cbec/reference/data/export_parameters.csv), rolled past rest days (``summary_due``). A month
whose inventories are applied for (a pending CEB701) is not late: the enterprise has done its part.

``flag_overdue_summaries`` finds, on a business day, every (enterprise, month) with closed B inventories still not
summarised or applied for after the due day (``reminders_in``), and for each one not recorded yet writes an
``export_summary_overdue`` row and an ``overdue`` outbox event (obligation ``export_summary``), in one transaction.
Run it again, that day or any later one, and nothing new is written for that month: the unique (enterprise, month)
row is the memory. Credit reads the event (cbec.credit.service.events); exports never imports credit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.exports.models import SummaryOverdue
from cbec.exports.service.summary import reminders_in
from cbec.sharing import EventKind, emit_event
from cbec.storage.context import Context

OBLIGATION = "export_summary"


@dataclass(slots=True)
class OverdueReport:
    """What one run of the overdue job found: the (enterprise, month) pairs recorded now and those known already."""

    on: date
    recorded: list[tuple[str, str]] = field(default_factory=list)
    known: list[tuple[str, str]] = field(default_factory=list)


def flag_overdue_summaries(ctx: Context, *, today: date | None = None, actor: str = "exports-daily") -> OverdueReport:
    """Record every export month overdue on ``today`` (default: the business day now) once, with its event."""
    now = ctx.clock.now()
    today = today or business_date(now)
    report = OverdueReport(today)
    with ctx.uow() as uow:
        session = uow.session
        late = [r for r in reminders_in(session, today) if r.overdue]
        if not late:
            uow.commit()
            return report
        known = {
            (row.ecommerce_code, row.month)
            for row in session.scalars(
                select(SummaryOverdue).where(SummaryOverdue.ecommerce_code.in_({r.ecommerce_code for r in late}))
            )
        }
        for reminder in late:
            key = (reminder.ecommerce_code, reminder.month)
            if key in known:
                report.known.append(key)
                continue
            session.add(
                SummaryOverdue(
                    ecommerce_code=reminder.ecommerce_code,
                    month=reminder.month,
                    due_on=reminder.due_on,
                    inventories=reminder.inventories,
                    found_on=today,
                    found_at=now,
                )
            )
            emit_event(
                session,
                at=now,
                kind=EventKind.OVERDUE,
                document_type=OBLIGATION,
                business_key=f"overdue:{OBLIGATION}:{reminder.ecommerce_code}:{reminder.month}",
                zone=ctx.settings.zone_customs_code,
                parties=[reminder.ecommerce_code],
                status="overdue",  # sharing_event.status holds 10 characters: the obligation is in the payload
                payload={
                    "obligation": OBLIGATION,
                    "enterprise_code": reminder.ecommerce_code,
                    "period": reminder.month,
                    "due_on": reminder.due_on.isoformat(),
                    "inventories": reminder.inventories,
                    "on": today.isoformat(),
                },
            )
            record_audit(
                session,
                at=now,
                actor=actor,
                action="exports.summary.overdue",
                entity_type="export_summary_overdue",
                entity_key=f"{reminder.ecommerce_code}:{reminder.month}",
                after={"due_on": reminder.due_on.isoformat(), "inventories": reminder.inventories},
            )
            report.recorded.append(key)
        uow.commit()
    return report
