"""Officer actions on held export inventories (关员操作): release, refuse or inspect."""

from __future__ import annotations

from dataclasses import dataclass, field

from cbec.common.errors import Conflict, InvalidInput, NotFound, Problem
from cbec.common.scope import Scope
from cbec.exports import repository as repo
from cbec.exports.service.inventory import refuse_inventory, release, set_status
from cbec.exports.service.run import ExportRun, text
from cbec.intake import DocumentState, ReturnStatus, problem
from cbec.intake.receipts import receipt_from_row
from cbec.messages.documents import Receipt
from cbec.storage.context import Context


class ExportInventoryNotHeld(Conflict):
    """The export inventory is not waiting for an officer."""


@dataclass(slots=True)
class OfficerResult:
    """The receipts an officer's action produced."""

    receipts: list[Receipt] = field(default_factory=list)


def decide_held_export(
    ctx: Context, inventory_no: str, *, action: str, actor: str, comment: str, scope: Scope | None = None
) -> OfficerResult:
    """Release, refuse or inspect an export inventory held for review (300) or inspection (500).

    An inventory outside the scope is not found.
    """
    if not comment.strip():
        raise InvalidInput(
            "a comment is required",
            problems=[Problem("OFFICER-COMMENT", "comment", "必须填写处理意见 / a comment is required", "Say why.")],
        )
    if action not in {"release", "refuse", "inspect"}:
        raise InvalidInput(
            f"unknown action {action!r}",
            problems=[
                Problem("OFFICER-ACTION", "action", f"unknown action {action}", "Use release, refuse or inspect.")
            ],
        )
    with ctx.uow() as uow:
        row = repo.inventory_by_number(uow.session, inventory_no, for_update=True)
        if row is None or not repo.inventory_in_scope(uow.session, row.id, scope):
            raise NotFound(f"export inventory {inventory_no} not found")
        held = (ReturnStatus.MANUAL_REVIEW, ReturnStatus.INSPECTION)
        if row.status not in held or row.state != DocumentState.ACCEPTED:
            raise ExportInventoryNotHeld(
                f"export inventory {inventory_no} is in status {row.status}", status=row.status
            )
        run = ExportRun(ctx=ctx, session=uow.session, now=ctx.clock.now(), message_id=None)
        if action == "release":
            release(run, row, actor=actor, reason=comment)
        elif action == "inspect":
            set_status(run, row, ReturnStatus.INSPECTION, text(ReturnStatus.INSPECTION, comment), actor=actor)
        else:
            refusal = problem(
                "OFFICER",
                "inventory",
                f"人工退单：{comment}",
                f"refused by an officer: {comment}",
                "Declare again.",
                "1300",
            )
            refuse_inventory(run, row, [refusal], actor=actor, reason=comment)
        rows = list(run.receipts)
        uow.commit()
        return OfficerResult([receipt_from_row(r) for r in rows])
