"""Summary applications (汇总申请, CEB701): an enterprise asks for closed inventories to be summarised.

An application covers last month's closed (899) summary-flag (B) inventories of its consignor, by time range
or by number, none summarised or pending in another application (E7); ``summary.summarise`` answers it with
the declarations (CEB792). Nothing here commits.
"""

from __future__ import annotations

from datetime import timedelta

from cbec.common.clock import SHANGHAI
from cbec.common.errors import Problem
from cbec.exports import repository as repo
from cbec.exports.models import ExportInventoryRecord, SummaryApplicationRecord
from cbec.exports.rules import check_summary_application
from cbec.exports.service.run import (
    ExportRun,
    customs_number,
    eport_number,
    issue,
    party_problems,
    record,
    refuse,
    seal,
    text,
)
from cbec.intake import DocumentState, ReturnStatus, problem
from cbec.messages.export_documents import ExportMessageType, SummaryApplication


def handle_summary_application(run: ExportRun, application: SummaryApplication) -> None:
    """Accept an application to summarise closed summary-flag (B) inventories (answered by `summarise`)."""
    key = f"{application.ecommerce_code}/{application.enterprise_ref_no}"
    if repo.by_guid(run.session, SummaryApplicationRecord, application.declaration.guid) is not None:
        record(run, "summary", key, "resent", note="resubmission: already processed")
        return
    keys: dict[str, str | int | None] = {
        "agent_code": application.agent_code,
        "ecommerce_code": application.ecommerce_code,
        "enterprise_ref_no": application.enterprise_ref_no,
        "eport_no": application.eport_no or eport_number(run),
        "message_seq_no": application.message_seq_no,
    }
    problems = check_summary_application(application)
    problems += party_problems(
        run,
        [
            ("summary.agent_code", application.agent_code, None),
            ("summary.ecommerce_code", application.ecommerce_code, "ecommerce_enterprise"),
            ("summary.declaring_agent_code", application.declaring_agent_code, None),
        ],
    )
    members: list[ExportInventoryRecord] = []
    if not problems:
        members, found = summary_members(run, application)
        problems += found
    if problems:
        refuse(
            run,
            "summary",
            ExportMessageType.SUMMARY_APPLICATION_RECEIPT,
            application.declaration.guid,
            key,
            problems,
            keys,
        )
        return
    summary_no = customs_number(run, application.customs_code, "S")
    latest = max(m.departed_at for m in members if m.departed_at is not None)
    row = SummaryApplicationRecord(
        guid=application.declaration.guid,
        app_status=application.declaration.app_status,
        state=DocumentState.ACCEPTED,
        message_id=run.message_id,
        received_at=run.now,
        updated_at=run.now,
        payload=seal(application),
        customs_code=application.customs_code,
        agent_code=application.agent_code,
        agent_name=application.agent_name,
        ecommerce_code=application.ecommerce_code,
        ecommerce_name=application.ecommerce_name,
        declaring_agent_code=application.declaring_agent_code,
        declaring_agent_name=application.declaring_agent_name,
        summary_flag=application.summary_flag,
        item_name_flag=application.item_name_flag,
        enterprise_ref_no=application.enterprise_ref_no,
        eport_no=str(keys["eport_no"]),
        summary_no=summary_no,
        month=latest.astimezone(SHANGHAI).strftime("%Y-%m"),
        inventory_nos=[m.inventory_no or "" for m in members],
    )
    run.session.add(row)
    run.session.flush()
    keys["summary_no"] = summary_no
    issue(
        run,
        "summary",
        row.id,
        ExportMessageType.SUMMARY_APPLICATION_RECEIPT,
        application.declaration.guid,
        ReturnStatus.ACCEPTED,
        text(ReturnStatus.ACCEPTED, f"汇总申请已受理，{len(members)} 份清单"),
        **keys,
    )
    record(run, "summary", key, ReturnStatus.ACCEPTED, note=f"{len(members)} inventories, summary {summary_no}")


def summary_members(
    run: ExportRun, application: SummaryApplication
) -> tuple[list[ExportInventoryRecord], list[Problem]]:
    """Return the inventories an application covers, or the reasons some cannot be summarised."""
    problems: list[Problem] = []
    if application.start_time is not None and application.end_time is not None:
        end = application.end_time + timedelta(seconds=1)
        members = repo.closed_unsummarised(
            run.session, application.start_time, end, ecommerce_code=application.ecommerce_code
        )
        members = [m for m in members if not pending_elsewhere(run, m)]
        if not members:
            problems.append(
                problem(
                    "E7",
                    "summary.start_time",
                    "时间范围内没有可汇总的已结关汇总申报清单",
                    "no closed, unsummarised summary-flag (B) inventory in the time range",
                    "Summarise last month's closed (899) inventories declared with statisticsFlag B.",
                )
            )
        return members, problems
    members = []
    for number in application.inventory_nos:
        inventory = repo.inventory_by_number(run.session, number)
        reason = _not_summarisable(inventory, application.ecommerce_code)
        if reason is None and inventory is not None and pending_elsewhere(run, inventory):
            reason = ("已在其他汇总申请中", "already in another pending summary application")
        if reason is not None:
            problems.append(
                problem(
                    "E7",
                    f"summary.inventory_nos[{number}]",
                    f"清单 {number} {reason[0]}",
                    f"inventory {number}: {reason[1]}",
                    "List only closed (899) statisticsFlag B inventories of this consignor not summarised yet.",
                )
            )
        elif inventory is not None:
            members.append(inventory)
    return members, problems


def pending_elsewhere(run: ExportRun, inventory: ExportInventoryRecord) -> bool:
    """Tell whether an inventory is already listed by a pending summary application."""
    return any(inventory.inventory_no in s.inventory_nos for s in repo.pending_summaries(run.session))


def _not_summarisable(inventory: ExportInventoryRecord | None, ecommerce_code: str) -> tuple[str, str] | None:
    if inventory is None:
        return ("不存在", "does not exist")
    if inventory.ecommerce_code != ecommerce_code:
        return ("不属于该收发货人", "belongs to another consignor")
    if inventory.state != DocumentState.ACCEPTED or inventory.status != ReturnStatus.CLOSED:
        return (f"未结关（状态 {inventory.status}）", f"is not closed (status {inventory.status})")
    if inventory.statistics_flag != "B":
        return ("为简化申报（A），不汇总", "is a simplified (A) declaration, which is not summarised")
    if inventory.declaration_id is not None:
        return ("已汇总", "is already summarised")
    return None
