"""Officer actions and daily jobs (关员操作、定时作业): release, refuse, inspect; return arrivals; closing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from cbec.clearance import repository as repo
from cbec.clearance.codes import DocumentState, ReturnStatus
from cbec.clearance.service.events import publish_inspection
from cbec.clearance.service.release import refuse_inventory, release, release_quantities, release_quota, set_status
from cbec.clearance.service.returns import complete_return, lapse_return
from cbec.clearance.service.run import ImportRun, new_run, text
from cbec.clearance.views import tax_bill_from_row
from cbec.common.clock import business_date
from cbec.common.errors import Conflict, InvalidInput, NotFound, Problem
from cbec.common.scope import Scope
from cbec.intake import IngestResult, problem
from cbec.intake.receipts import receipt_from_row
from cbec.reference import tax_parameters
from cbec.storage.context import Context


class InventoryNotHeld(Conflict):
    """The inventory is not waiting for an officer."""


@dataclass(slots=True)
class JobReport:
    """What a job changed."""

    changed: list[str] = field(default_factory=list)
    result: IngestResult | None = None


def _require_comment(comment: str) -> None:
    if not comment or not comment.strip():
        raise InvalidInput(
            "a comment is required",
            problems=[
                Problem(
                    "OFFICER-COMMENT",
                    "comment",
                    "必须填写处理意见 / a comment is required",
                    "Say why you release, refuse or inspect this inventory.",
                )
            ],
        )


def _result(run: ImportRun, ctx: Context) -> IngestResult:
    session = run.session
    return IngestResult(
        "officer",
        "processed",
        receipts=[receipt_from_row(r) for r in run.receipts],
        tax_bills=[tax_bill_from_row(session, b) for b in run.tax_bills],
        documents=run.outcomes,
    )


def decide_held_inventory(
    ctx: Context, inventory_no: str, *, action: str, actor: str, comment: str, scope: Scope | None = None
) -> IngestResult:
    """Release, refuse or send to inspection an inventory held for review (300) or inspection (500)."""
    _require_comment(comment)
    if action not in {"release", "refuse", "inspect"}:
        raise InvalidInput(
            f"unknown action {action!r}",
            problems=[
                Problem(
                    "OFFICER-ACTION", "action", f"未知操作 {action} / unknown action", "Use release, refuse or inspect."
                )
            ],
        )
    with ctx.uow() as uow:
        inventory = repo.inventory_by_number(uow.session, inventory_no, for_update=True)
        if inventory is None or not repo.inventory_in_scope(uow.session, inventory.id, scope):
            raise NotFound(f"inventory {inventory_no} not found")
        held = (ReturnStatus.MANUAL_REVIEW, ReturnStatus.INSPECTION)
        if inventory.status not in held or inventory.state == DocumentState.CANCELLED:
            raise InventoryNotHeld(
                f"inventory {inventory_no} is in status {inventory.status}, not held", status=inventory.status
            )
        if action == "inspect" and inventory.status == ReturnStatus.INSPECTION:
            raise InventoryNotHeld(f"inventory {inventory_no} is already under inspection", status=inventory.status)
        run = new_run(ctx, uow.session, ctx.clock.now(), None)
        if inventory.status == ReturnStatus.INSPECTION and action in ("release", "refuse"):
            # the inspection's outcome, before the decision's receipt (credit and risk read it as data)
            publish_inspection(
                uow.session, inventory, passed=action == "release", now=run.now, zone=ctx.settings.zone_customs_code
            )
        if action == "release":
            release(run, inventory, actor=actor, reason=comment)
        elif action == "inspect":
            set_status(
                run,
                inventory,
                ReturnStatus.INSPECTION,
                text(ReturnStatus.INSPECTION, comment),
                actor=actor,
                reason=comment,
            )
        else:
            refusal = problem(
                "OFFICER",
                "inventory",
                f"人工退单：{comment}",
                f"refused by an officer: {comment}",
                "Correct the declaration as the officer says and declare a new inventory.",
                "1300",
            )
            if inventory.dutiable_value:
                release_quota(run, inventory, inventory.dutiable_value, "refused")
                release_quantities(run, inventory, "refused")
            refuse_inventory(run, inventory, [refusal], actor=actor, reason=comment)
        result = _result(run, ctx)
        uow.commit()
        return result


def confirm_return_arrival(ctx: Context, return_id: int, *, actor: str, scope: Scope | None = None) -> IngestResult:
    """Record that returned goods are back in the supervised area; within the window the return completes."""
    with ctx.uow() as uow:
        row = repo.return_by_id(uow.session, return_id, for_update=True)
        if row is None or not repo.inventory_in_scope(uow.session, row.inventory_id or 0, scope):
            raise NotFound(f"return {return_id} not found")
        if row.state != DocumentState.APPLIED:
            raise Conflict(f"return {return_id} is {row.state}, not waiting for goods", state=row.state)
        inventory = repo.inventory_by_id(uow.session, row.inventory_id or 0, for_update=True)
        assert inventory is not None
        run = new_run(ctx, uow.session, ctx.clock.now(), None)
        if row.arrive_by is not None and business_date(run.now) > row.arrive_by:
            lapse_return(run, row, inventory)
        else:
            complete_return(run, row, inventory, actor=actor)
        result = _result(run, ctx)
        uow.commit()
        return result


def run_daily_jobs(ctx: Context) -> JobReport:
    """Lapse returns whose goods did not come back and close (899) inventories past every return window."""
    report = JobReport()
    with ctx.uow() as uow:
        session = uow.session
        run = new_run(ctx, session, ctx.clock.now(), None)
        today = business_date(run.now)
        for row in repo.open_returns(session):
            if row.arrive_by is not None and today > row.arrive_by:
                inventory = repo.inventory_by_id(session, row.inventory_id or 0, for_update=True)
                assert inventory is not None
                lapse_return(run, row, inventory)
                report.changed.append(f"return {row.id} lapsed")
        for inventory in repo.releasable_for_closing(session):
            if inventory.released_at is None or inventory.state == DocumentState.CANCELLED:
                continue
            params = tax_parameters(session, business_date(inventory.released_at))
            window_end = business_date(inventory.released_at) + timedelta(days=int(params["return_arrive_days"]))
            pending = [r for r in repo.returns_of_inventory(session, inventory.id) if r.state == DocumentState.APPLIED]
            if today > window_end and not pending:
                inventory.closed_at = run.now
                set_status(run, inventory, ReturnStatus.CLOSED, text(ReturnStatus.CLOSED))
                report.changed.append(f"inventory {inventory.inventory_no} closed")
        report.result = _result(run, ctx)
        uow.commit()
    return report
