"""Use cases of statistics monitoring that write (统计监测): targets, consumers' misuse reports and the rollups.

``run_rollup`` (cbec.statistics.rollup) brings the daily rollups up to date; ``set_tenant_target`` and
``target_progress`` (cbec.statistics.targets) keep targets per tenant, indicator and period.

They write only this domain's own tables (and the audit trail); the clearance store is only ever read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.personal import PersonalDataError
from cbec.common.scope import Scope
from cbec.quota import QuotaStatement, buyer_key_for
from cbec.statistics import repository as repo
from cbec.statistics.analytics import Snapshot, monthly_cube, read_snapshot, take_snapshot, write_cube
from cbec.statistics.consumer_events import share_confirmed
from cbec.statistics.errors import ReportInvalid, ReportNotFound, ReportStatusConflict, TargetInvalid
from cbec.statistics.models import ZoneTarget
from cbec.statistics.publication import EditionCheck, EditionSummary, publish_edition, verify_edition
from cbec.statistics.reports import store_report
from cbec.statistics.rollup import RollupReport, run_rollup
from cbec.statistics.rules import Indicator, ReportOutcome, mask_reference, report_reference
from cbec.statistics.surveys import create_survey, draw_sample, record_responses
from cbec.statistics.targets import TargetProgress, set_tenant_target, target_progress
from cbec.storage.context import Context

__all__ = [
    "EditionCheck",
    "EditionSummary",
    "ReportReceipt",
    "RollupReport",
    "Snapshot",
    "TargetProgress",
    "create_survey",
    "draw_sample",
    "file_consumer_report",
    "issue_report_token",
    "monthly_cube",
    "publish_edition",
    "read_snapshot",
    "record_responses",
    "report_status",
    "review_consumer_report",
    "run_rollup",
    "set_target",
    "set_tenant_target",
    "store_report",
    "take_snapshot",
    "target_progress",
    "verify_edition",
    "write_cube",
]

REPORT_TOKEN_MINUTES = 30
NOTE_MAX = 500
OPEN, REVIEWED = "open", "reviewed"


@dataclass(frozen=True, slots=True)
class ReportReceipt:
    """What a consumer is told after reporting an inventory."""

    reference_no: str
    inventory_ref: str
    reported_at: datetime
    already_reported: bool


def set_target(ctx: Context, *, year: int, indicator: str, target: str | Decimal, actor: str) -> Decimal:
    """Set the zone's target for one indicator and year (zone admin), audited with the value it replaces."""
    problems: list[Problem] = []
    if indicator not in {i.value for i in Indicator}:
        problems.append(
            Problem(
                "STAT-TARGET-INDICATOR",
                "indicator",
                f"未知指标 {indicator} / unknown indicator",
                f"Use one of: {', '.join(i.value for i in Indicator)}.",
            )
        )
    if not 2016 <= year <= 2100:
        problems.append(
            Problem("STAT-TARGET-YEAR", "year", f"年份 {year} 超出范围 / year out of range", "Use a year 2016-2100.")
        )
    try:
        value = Decimal(str(target).replace(",", "").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        problems.append(
            Problem(
                "STAT-TARGET-VALUE",
                "target",
                f"目标值须为正数且最多两位小数 / the target must be a positive amount, got {target!r}",
                "Enter a number such as 5000000000.",
            )
        )
    elif indicator == Indicator.RELEASED_COUNT and value != value.to_integral_value():
        problems.append(
            Problem(
                "STAT-TARGET-VALUE",
                "target",
                "票数目标须为整数 / a count target must be a whole number",
                "Enter a whole number of inventories.",
            )
        )
    if not actor.strip():
        problems.append(Problem("STAT-TARGET-ACTOR", "actor", "缺少操作人 / who sets the target?", "Log in first."))
    if problems:
        raise TargetInvalid("the target breaks one or more rules", problems=problems)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        row = repo.target(uow.session, year, indicator)
        before = {"target": _plain(row.target)} if row is not None else None
        if row is None:
            row = ZoneTarget(year=year, indicator=indicator)
            uow.session.add(row)
        row.target, row.updated_at, row.updated_by = value, now, actor.strip()
        record_audit(
            uow.session,
            at=now,
            actor=actor.strip(),
            action="statistics.target.set",
            entity_type="zone_target",
            entity_key=f"{year}:{indicator}",
            before=before,
            after={"target": _plain(value)},
        )
        uow.commit()
        return value


def _plain(value: Decimal) -> str:
    """Return an amount without exponent or trailing zeros, the same on every database."""
    return format(value.normalize(), "f")


def issue_report_token(ctx: Context, *, id_number: str, statement: QuotaStatement) -> str:
    """Return a sealed, short-lived token that lets the consumer who just looked a statement up report its lines."""
    expires = ctx.clock.now() + timedelta(minutes=REPORT_TOKEN_MINUTES)
    body = {
        "buyer": buyer_key_for(ctx.cipher, id_number),
        "expires": expires.isoformat(),
        "lines": [[entry.inventory_ref, entry.order_no] for entry in statement.entries],
    }
    return ctx.cipher.encrypt(json.dumps(body, separators=(",", ":")))


def _token_problem(message: str) -> ReportInvalid:
    return ReportInvalid(
        message,
        problems=[
            Problem(
                "STAT-REPORT-TOKEN",
                "token",
                "查询已过期或无效，请重新查询额度后再举报 / the lookup expired or is not valid",
                "Look your quota up again, then report the inventory from the new statement.",
            )
        ],
    )


def file_consumer_report(ctx: Context, *, token: str, inventory_ref: str, note: str = "") -> ReportReceipt:
    """Record that a consumer did not make an inventory counted on their quota, with a reference number, audited."""
    now = ctx.clock.now()
    try:
        body = json.loads(ctx.cipher.decrypt(token))
        expires = datetime.fromisoformat(body["expires"])
        lines = {str(ref): str(order_no) for ref, order_no in body["lines"]}
        buyer = str(body["buyer"])
    except (PersonalDataError, ValueError, KeyError, TypeError) as exc:
        raise _token_problem("the report token cannot be read") from exc
    if now > expires:
        raise _token_problem("the report token expired")
    if inventory_ref not in lines:
        raise ReportInvalid(
            "the inventory is not on the consumer's statement",
            problems=[
                Problem(
                    "STAT-REPORT-INVENTORY",
                    "inventory_ref",
                    f"清单 {inventory_ref} 不在您的额度明细中 / not on your statement",
                    "Choose an inventory listed on your statement.",
                )
            ],
        )
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ReportInvalid(
            "the note is too long",
            problems=[
                Problem(
                    "STAT-REPORT-NOTE",
                    "note",
                    f"说明不能超过 {NOTE_MAX} 字 / at most {NOTE_MAX} characters",
                    "Shorten the note.",
                )
            ],
        )
    with ctx.uow() as uow:
        session = uow.session
        earlier = repo.open_report(session, buyer, inventory_ref)
        if earlier is not None and earlier.reference_no:
            return ReportReceipt(earlier.reference_no, inventory_ref, earlier.reported_at, already_reported=True)
        row = repo.add_report(
            session,
            buyer_key=buyer,
            inventory_ref=inventory_ref,
            order_no=lines[inventory_ref],
            note=ctx.cipher.encrypt(note) if note else None,
            status=OPEN,
            reported_at=now,
        )
        row.reference_no = report_reference(business_date(now), row.id)
        record_audit(
            session,
            at=now,
            actor="consumer",
            action="statistics.consumer_report.filed",
            entity_type="consumer_report",
            entity_key=row.reference_no,
            before=None,
            after={"inventory_ref": inventory_ref, "status": OPEN},
        )
        uow.commit()
        return ReportReceipt(row.reference_no, inventory_ref, now, already_reported=False)


def review_consumer_report(
    ctx: Context, reference_no: str, *, actor: str, comment: str, outcome: str, scope: Scope | None = None
) -> None:
    """Close a consumer report once the zone office has looked into it, with its outcome and a comment, audited.

    The outcome is required: ``confirmed`` (the consumer did not make the purchase: ID misuse) or
    ``not_confirmed``. A confirmed report writes a ``report`` outbox event in the same transaction (inventory,
    enterprise and platform codes, the reference, the buyer's keyed pseudonym — never the ID number): credit
    records a consumer_report fact about the e-commerce enterprise and risk blocks the buyer key (docs/credit.md,
    docs/risk.md). A report not confirmed writes no event: the buyer's key of a purchase that was theirs is not
    shared. A report whose inventory lies outside the scope is not found.
    """
    problems = []
    if not comment.strip():
        problems.append(
            Problem(
                "STAT-REPORT-COMMENT",
                "comment",
                "必须填写处理意见 / a comment is required",
                "Say what the office found or did.",
            )
        )
    if outcome not in {o.value for o in ReportOutcome}:
        problems.append(
            Problem(
                "STAT-REPORT-OUTCOME",
                "outcome",
                "必须选择核实结果：属实（身份被冒用）或不属实 / choose an outcome: confirmed or not confirmed",
                "Choose confirmed when the consumer did not make the purchase (ID misuse), else not_confirmed.",
            )
        )
    if problems:
        raise ReportInvalid("the review breaks one or more rules", problems=problems)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        row = repo.report_by_reference(uow.session, reference_no, scope)
        if row is None:
            raise ReportNotFound(f"report {reference_no} not found", reference_no=reference_no)
        if row.status != OPEN:
            raise ReportStatusConflict(f"report {reference_no} is {row.status}", status=row.status)
        row.status, row.reviewed_at, row.reviewed_by, row.review_comment = REVIEWED, now, actor, comment.strip()
        row.outcome = outcome
        record_audit(
            uow.session,
            at=now,
            actor=actor,
            action="statistics.consumer_report.reviewed",
            entity_type="consumer_report",
            entity_key=reference_no,
            before={"status": OPEN},
            after={"status": REVIEWED, "outcome": outcome},
            reason=comment.strip(),
        )
        if outcome == ReportOutcome.CONFIRMED:
            inventory = repo.inventories_by_eport(uow.session, [row.inventory_ref]).get(row.inventory_ref)
            share_confirmed(uow.session, row, inventory, zone=ctx.settings.zone_customs_code, at=now)
        uow.commit()


@dataclass(frozen=True, slots=True)
class ReportStatusView:
    """What anyone holding a report's reference number may see of it: no note, no comment, the inventory masked."""

    reference_no: str
    inventory_masked: str
    status: str  # open | reviewed
    reported_at: datetime
    reviewed_at: datetime | None


REFERENCE = re.compile(r"CR\d{14}")


def report_status(ctx: Context, reference_no: str) -> ReportStatusView:
    """Return the progress of a consumer report by its reference number (CR + yyyymmdd + 6 digits)."""
    reference_no = reference_no.strip().upper()
    if not REFERENCE.fullmatch(reference_no):
        raise ReportInvalid(
            "not a report reference number",
            problems=[
                Problem(
                    "STAT-REPORT-REFERENCE",
                    "reference_no",
                    "受理编号应为 CR 加 14 位数字 / a reference number is CR and 14 digits",
                    "Copy the number from the confirmation, e.g. CR20260302000001.",
                )
            ],
        )
    with ctx.uow() as uow:
        row = repo.report_by_reference(uow.session, reference_no)
        if row is None:
            raise ReportNotFound(f"report {reference_no} not found", reference_no=reference_no)
        return ReportStatusView(
            reference_no=reference_no,
            inventory_masked=mask_reference(row.inventory_ref),
            status=row.status,
            reported_at=row.reported_at,
            reviewed_at=row.reviewed_at,
        )
