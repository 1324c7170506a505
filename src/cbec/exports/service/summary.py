"""Monthly summary declarations (清单核放、汇总申报): CEB701 applications answered with CEB792 results.

``summarise`` groups the closed summary-flag (B) inventories of each pending application into customs
declarations (one declaration number per head group, goods items per line group, see ``summary_rules``)
and answers with CEB702 399 plus the CEB792 results. With ``include_unapplied`` the platform also summarises,
per consignor, the month's closed inventories nobody applied for (summaryFlag 1, 代为汇总). ``reminders`` lists
the enterprises whose closed inventories of past months are not summarised, with the due date (15th).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy.orm import Session

from cbec.common.clock import SHANGHAI, business_date
from cbec.common.errors import InvalidInput, Problem
from cbec.common.scope import Scope
from cbec.enterprises import find_active_by_code
from cbec.exports import repository as repo
from cbec.exports.models import (
    ExportInventoryRecord,
    SummaryApplicationRecord,
    SummaryDeclaration,
    SummaryDeclarationLine,
)
from cbec.exports.service.reference import parameter
from cbec.exports.service.run import ExportRun, audit, customs_number, eport_number, issue, party, seal, text
from cbec.exports.summary_rules import SummaryLine, group_for_summary, month_bounds, share_by_value, summary_due
from cbec.intake import DocumentState, ReturnStatus, new_guid
from cbec.messages.documents import AppStatus, AppType, Declaration
from cbec.messages.export_documents import (
    ExportMessageType,
    SummaryApplication,
    SummaryResult,
    SummaryResultLine,
)
from cbec.storage.bulk import Values
from cbec.storage.context import Context


@dataclass(slots=True)
class SummaryRun:
    """What one summarise run produced."""

    month: str
    results: list[SummaryResult] = field(default_factory=list)
    receipts: list[Values] = field(default_factory=list)
    applications: list[str] = field(default_factory=list)  # summary numbers answered


@dataclass(frozen=True, slots=True)
class Reminder:
    """An enterprise with closed inventories of a past month not summarised yet."""

    ecommerce_code: str
    ecommerce_name: str
    month: str
    inventories: int
    value_by_currency: dict[str, Decimal]
    due_on: date
    overdue: bool


def _check_month(month: str) -> str:
    try:
        month_bounds(month)
    except ValueError as exc:
        raise InvalidInput(
            f"not a month: {month!r}",
            problems=[Problem("EXP-MONTH", "month", f"not a month: {month!r}", "Write YYYY-MM, e.g. 2026-03.")],
        ) from exc
    return month


def _span(month: str) -> tuple[datetime, datetime]:
    first, last = month_bounds(month)
    following = date.fromordinal(last.toordinal() + 1)
    return datetime.combine(first, time(0), SHANGHAI), datetime.combine(following, time(0), SHANGHAI)


def summarise(ctx: Context, month: str, *, include_unapplied: bool = False) -> SummaryRun:
    """Answer the month's pending summary applications (and, if asked, summarise the rest) with CEB792 results."""
    _check_month(month)
    run = SummaryRun(month)
    with ctx.uow() as uow:
        session = uow.session
        export_run = ExportRun(ctx=ctx, session=session, now=ctx.clock.now(), message_id=None)
        for application in repo.pending_summaries(session, month):
            _answer(export_run, application, run)
        if include_unapplied:
            start, end = _span(month)
            by_consignor: dict[str, list[ExportInventoryRecord]] = defaultdict(list)
            for inventory in repo.closed_unsummarised(session, start, end):
                by_consignor[inventory.ecommerce_code].append(inventory)
            for code, members in sorted(by_consignor.items()):
                _answer(export_run, _platform_application(export_run, month, code, members), run)
        run.receipts = list(export_run.receipts)
        uow.commit()
    return run


def _platform_application(
    export_run: ExportRun, month: str, code: str, members: list[ExportInventoryRecord]
) -> SummaryApplicationRecord:
    """Record an application the platform makes on a consignor's behalf (summaryFlag 1, by HS category)."""
    first = members[0]
    consignor = party(export_run, code)
    agent = party(export_run, first.agent_code)
    start, end = _span(month)
    application = SummaryApplication(
        declaration=Declaration(new_guid(), AppType.NEW, export_run.now.replace(microsecond=0), AppStatus.DECLARED),
        customs_code=first.customs_code,
        enterprise_ref_no=f"PLATFORM-{month}-{code}"[:30],
        agent_code=first.agent_code,
        agent_name=agent.name if agent else first.agent_code,
        ecommerce_code=code,
        ecommerce_name=consignor.name if consignor else code,
        declaring_agent_code=first.agent_code,
        declaring_agent_name=agent.name if agent else first.agent_code,
        summary_flag="1",
        item_name_flag="",
        message_count=1,
        message_seq_no=1,
        inventory_nos=tuple(m.inventory_no or "" for m in members),
        start_time=start,
        end_time=end,
    )
    row = SummaryApplicationRecord(
        guid=application.declaration.guid,
        app_status=AppStatus.DECLARED,
        state=DocumentState.ACCEPTED,
        message_id=None,
        received_at=export_run.now,
        updated_at=export_run.now,
        payload=seal(application),
        customs_code=application.customs_code,
        agent_code=application.agent_code,
        agent_name=application.agent_name,
        ecommerce_code=code,
        ecommerce_name=application.ecommerce_name,
        declaring_agent_code=application.declaring_agent_code,
        declaring_agent_name=application.declaring_agent_name,
        summary_flag="1",
        item_name_flag="",
        enterprise_ref_no=application.enterprise_ref_no,
        eport_no=eport_number(export_run),
        summary_no=customs_number(export_run, first.customs_code, "S"),
        month=month,
        inventory_nos=list(application.inventory_nos),
    )
    export_run.session.add(row)
    export_run.session.flush()
    return row


def _answer(export_run: ExportRun, application: SummaryApplicationRecord, run: SummaryRun) -> None:
    """Group an application's inventories into declarations, store them, and issue CEB702 399 and CEB792."""
    session = export_run.session
    members = [repo.inventory_by_number(session, number) for number in application.inventory_nos]
    live = [
        m
        for m in members
        if m is not None
        and m.state == DocumentState.ACCEPTED
        and m.status == ReturnStatus.CLOSED
        and m.declaration_id is None
    ]
    lines_by_inventory: dict[int, list[SummaryLine]] = {}
    for inventory in live:
        rows = repo.lines_of(session, inventory.id)
        gross = share_by_value(inventory.gross_weight, [r.total_price for r in rows])
        net = share_by_value(inventory.net_weight, [r.total_price for r in rows])
        lines_by_inventory[inventory.id] = [
            SummaryLine(
                inventory_line_id=row.id,
                inventory_no=inventory.inventory_no or "",
                logistics_no=inventory.logistics_no,
                line_no=row.line_no,
                ecommerce_code=inventory.ecommerce_code,
                owner_code=inventory.owner_code,
                transport_mode=inventory.transport_mode,
                destination_country=inventory.destination_country,
                port_code=inventory.port_code,
                final_country=row.destination_country,
                hs_code=row.hs_code,
                item_name=row.item_name or row.goods_name,
                currency=row.currency,
                quantity=row.quantity,
                value=row.total_price,
                gross_weight=g,
                net_weight=n,
            )
            for row, g, n in zip(rows, gross, net, strict=True)
        ]
    on = business_date(export_run.now)
    max_items = int(parameter(session, "summary_max_items", on) or 50)
    groups = group_for_summary(
        [line for lines in lines_by_inventory.values() for line in lines],
        summary_flag=application.summary_flag,
        item_name_flag=application.item_name_flag,
        max_items=max_items,
    )
    by_no = {m.inventory_no: m for m in live}
    for number, group in enumerate(groups, start=1):
        year = str(on.year)
        serial = customs_number(export_run, application.customs_code, "D")[-9:]
        declaration = SummaryDeclaration(
            summary_id=application.id,
            guid=new_guid(),
            declaration_seq_no=f"{application.customs_code}{year}D{serial}",
            entry_id=f"{application.customs_code}{year}0{serial}",  # 关区 + 年 + 0 (出口) + 流水号
            group_key=group.key.as_dict(),
            gross_weight=group.gross_weight,
            net_weight=group.net_weight,
            operated_at=export_run.now,
        )
        session.add(declaration)
        session.flush()
        result_lines = []
        for item in group.items:
            for line in item.lines:
                session.add(
                    SummaryDeclarationLine(
                        declaration_id=declaration.id,
                        inventory_line_id=line.inventory_line_id,
                        inventory_no=line.inventory_no,
                        logistics_no=line.logistics_no,
                        goods_seq_no=item.seq_no,
                        line_no=line.line_no,
                        hs_code=line.hs_code,
                        item_key=item.key.as_dict(),
                    )
                )
                inventory = by_no[line.inventory_no]
                if inventory.declaration_id is None:
                    inventory.declaration_id = declaration.id
                result_lines.append(
                    SummaryResultLine(line.inventory_no, line.logistics_no, item.seq_no, line.line_no, line.hs_code)
                )
        run.results.append(
            SummaryResult(
                guid=declaration.guid,
                customs_code=application.customs_code,
                summary_no=application.summary_no,
                operated_at=export_run.now,
                declaration_seq_no=declaration.declaration_seq_no,
                declaration_state="1",
                agent_code=application.agent_code,
                agent_name=application.agent_name,
                ecommerce_code=application.ecommerce_code,
                ecommerce_name=application.ecommerce_name,
                declaring_agent_code=application.declaring_agent_code,
                declaring_agent_name=application.declaring_agent_name,
                gross_weight=group.gross_weight,
                net_weight=group.net_weight,
                message_count=len(groups),
                message_seq_no=number,
                lines=tuple(result_lines),
                entry_id=declaration.entry_id,
            )
        )
    session.flush()
    application.summarised_at, application.updated_at = export_run.now, export_run.now
    issue(
        export_run,
        "summary",
        application.id,
        ExportMessageType.SUMMARY_APPLICATION_RECEIPT,
        application.guid,
        ReturnStatus.CONCLUDED,
        text(ReturnStatus.CONCLUDED, f"汇总完成，生成报关单 {len(groups)} 份"),
        agent_code=application.agent_code,
        ecommerce_code=application.ecommerce_code,
        enterprise_ref_no=application.enterprise_ref_no,
        eport_no=application.eport_no,
        summary_no=application.summary_no,
        message_seq_no=1,
    )
    audit(
        export_run,
        "exports.summary.summarised",
        application.summary_no,
        None,
        {"declarations": len(groups), "inventories": len(live)},
        entity_type="export_summary",
    )
    run.applications.append(application.summary_no)


def reminders(ctx: Context, *, today: date | None = None, scope: Scope | None = None) -> list[Reminder]:
    """List enterprises of the scope with closed summary-flag (B) inventories of past months not summarised."""
    with ctx.uow() as uow:
        return reminders_in(uow.session, today or business_date(ctx.clock.now()), scope)


def reminders_in(session: Session, today: date, scope: Scope | None = None) -> list[Reminder]:
    """``reminders`` inside the caller's transaction (the overdue job uses it)."""
    month_start = datetime.combine(today.replace(day=1), time(0), SHANGHAI)
    pending = {number for s in repo.pending_summaries(session) for number in s.inventory_nos}
    groups: dict[tuple[str, str], list[ExportInventoryRecord]] = defaultdict(list)
    for inventory in repo.unsummarised_before(session, month_start):
        if inventory.inventory_no in pending or inventory.departed_at is None:
            continue
        month = inventory.departed_at.astimezone(SHANGHAI).strftime("%Y-%m")
        groups[(inventory.ecommerce_code, month)].append(inventory)
    found = []
    for (code, month), members in sorted(groups.items()):
        if not repo.enterprise_in_scope(session, code, scope):
            continue
        first, _ = month_bounds(month)
        due_day = int(parameter(session, "summary_due_day", first) or 15)
        due = summary_due(month, due_day=due_day)
        values: dict[str, Decimal] = defaultdict(Decimal)
        for member in members:
            values[member.currency] += member.goods_value
        ref = find_active_by_code(session, code)
        found.append(Reminder(code, ref.name if ref else code, month, len(members), dict(values), due, today > due))
    return found
