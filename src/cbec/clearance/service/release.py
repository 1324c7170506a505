"""Statuses, the release decision, tax bills and their unwinding (状态、放行决定、电子税单).

``set_status`` moves an inventory with its receipt, audit record and trade facts; ``decide`` sends an accepted
inventory to release, review or inspection (``cbec.supervision.DecisionPolicy``); ``release`` concludes it
and issues its electronic tax bill. Refusals, voided tax bills and quota given back are here too: officers' actions
and cancels use them as well as the message handlers.
"""

from __future__ import annotations

from decimal import Decimal

from cbec.clearance.codes import ReturnStatus
from cbec.clearance.models import InventoryRecord, TaxBillRecord
from cbec.clearance.service import facts as trade_facts
from cbec.clearance.service.run import (
    ImportRun,
    audit,
    issue,
    measures_on,
    open_payload,
    publish_tax_bill,
    text,
)
from cbec.common.errors import Problem
from cbec.common.money import to_fen
from cbec.intake import new_guid
from cbec.intake.receipts import refusal_text
from cbec.messages.documents import Inventory, MessageType
from cbec.quota.service import restore, restore_all_quantities
from cbec.supervision import Decision, DecisionPolicy, InventoryFacts, Outcome


def policy(run: ImportRun) -> DecisionPolicy:
    """Return the decision policy configured for this zone."""
    settings = run.ctx.settings
    import random

    rng = random.Random(settings.random_seed) if settings.random_seed is not None else random.Random()
    return DecisionPolicy(
        inspection_rate=settings.random_inspection_rate,
        review_rate=settings.random_review_rate,
        review_value_at_or_above=settings.review_value_at_or_above,
        rng=rng,
    )


def inventory_keys(inventory: InventoryRecord) -> dict[str, str | None]:
    """Return the key fields of a CEB622 receipt."""
    return {
        "customs_code": inventory.customs_code,
        "platform_code": inventory.platform_code,
        "ecommerce_code": inventory.ecommerce_code,
        "agent_code": inventory.agent_code,
        "enterprise_ref_no": inventory.enterprise_ref_no or inventory.eport_no,
        "eport_no": inventory.eport_no,
        "inventory_no": inventory.inventory_no,
    }


def set_status(
    run: ImportRun,
    inventory: InventoryRecord,
    status: ReturnStatus,
    info: str,
    *,
    problems: list[Problem] | None = None,
    actor: str = "platform",
    reason: str | None = None,
) -> None:
    """Move an inventory to a status, with receipt and audit record."""
    before = {"status": inventory.status}
    inventory.status, inventory.status_info, inventory.updated_at = status, info, run.now
    if problems is not None:
        inventory.problems = [p.as_dict() for p in problems]
    trade_facts.record_moved(run, inventory)
    issue(
        run,
        "inventory",
        inventory.id,
        MessageType.INVENTORY_RECEIPT,
        inventory.guid,
        status,
        info,
        **inventory_keys(inventory),
    )
    audit(
        run,
        f"clearance.inventory.{status_action(status)}",
        "inventory",
        inventory.eport_no,
        before,
        {"status": str(status)},
        reason,
        actor,
    )


# --- decision and outcomes ----------------------------------------------------------------------


def decide(run: ImportRun, inventory: InventoryRecord) -> None:
    """Send an accepted inventory to release, manual review or inspection."""
    declared: Inventory = open_payload(run, MessageType.INVENTORY, inventory.payload)
    facts = InventoryFacts(
        inventory_id=inventory.id,
        trade_mode=inventory.trade_mode,
        ecommerce_code=inventory.ecommerce_code,
        platform_code=inventory.platform_code,
        dutiable_value=inventory.dutiable_value or Decimal(0),
        hs_codes=tuple(line.hs_code for line in declared.lines),
        buyer_key=inventory.buyer_key,
    )
    decision: Decision = policy(run).decide(facts, measures_on(run, inventory))
    # Facilitation and restriction measures (优先办理, 免除担保 / 全额担保) are kept on the inventory whatever the
    # outcome, and their notes join the reasons on the dossier (status_info) and in the audit record.
    inventory.priority = decision.priority
    inventory.guarantee = decision.guarantee.value if decision.guarantee is not None else None
    reasons = "; ".join((*decision.reasons, *decision.notes))
    if decision.outcome == Outcome.REVIEW:
        set_status(
            run, inventory, ReturnStatus.MANUAL_REVIEW, text(ReturnStatus.MANUAL_REVIEW, reasons), reason=reasons
        )
    elif decision.outcome == Outcome.INSPECT:
        set_status(run, inventory, ReturnStatus.INSPECTION, text(ReturnStatus.INSPECTION, reasons), reason=reasons)
    else:
        release(run, inventory, reason=reasons or None)


def release(run: ImportRun, inventory: InventoryRecord, *, actor: str = "platform", reason: str | None = None) -> None:
    """Conclude and release an inventory and issue its electronic tax bill (CEB816)."""
    set_status(run, inventory, ReturnStatus.CONCLUDED, text(ReturnStatus.CONCLUDED), actor=actor, reason=reason)
    inventory.released_at = run.now
    set_status(run, inventory, ReturnStatus.RELEASED, text(ReturnStatus.RELEASED), actor=actor, reason=reason)
    issue_tax_bill(run, inventory)
    run.released_inventory_ids.append(inventory.id)


def issue_tax_bill(
    run: ImportRun, inventory: InventoryRecord, *, lines: list[dict[str, str]] | None = None
) -> TaxBillRecord:
    """Store an electronic tax bill for the inventory's current taxes."""
    lines = lines if lines is not None else list(inventory.tax_lines or [])
    previous = run.store.tax_bill_for(inventory.id)
    sequence = 1 if previous is None else int(previous.tax_no[-2:]) + 1
    bill = TaxBillRecord(
        inventory_id=inventory.id,
        tax_no=f"{inventory.inventory_no}{sequence:02d}",
        guid=new_guid(),
        status="1",
        customs_duty=to_fen(sum((Decimal(x["customs_duty"]) for x in lines), Decimal(0))),
        vat=to_fen(sum((Decimal(x["vat"]) for x in lines), Decimal(0))),
        consumption_tax=to_fen(sum((Decimal(x["consumption_tax"]) for x in lines), Decimal(0))),
        lines=lines,
        returned_at=run.now,
    )
    run.session.add(bill)
    run.store.register_bill(bill)
    run.tax_bills.append(bill)
    publish_tax_bill(run, bill, inventory)
    return bill


def refuse_inventory(
    run: ImportRun,
    inventory: InventoryRecord,
    problems: list[Problem],
    *,
    actor: str = "platform",
    reason: str | None = None,
) -> None:
    """Refuse an inventory (退单) with every problem explained."""
    inventory.waiting_for = None
    status = ReturnStatus.REFUSED
    set_status(run, inventory, status, refusal_text(problems), problems=problems, actor=actor, reason=reason)


# --- quota and tax unwinding ------------------------------------------------------------------


def release_quota(run: ImportRun, inventory: InventoryRecord, amount: Decimal, ref_suffix: str) -> None:
    """Give back quota an inventory had consumed."""
    if amount > 0:
        restore(
            run.session,
            inventory_ref=inventory.eport_no,
            amount=amount,
            at=run.now,
            restore_ref=f"{inventory.eport_no}:{ref_suffix}",
        )


def release_quantities(run: ImportRun, inventory: InventoryRecord, ref_suffix: str) -> None:
    """Give back every per-person quantity (e.g. kg of sugar) an inventory had consumed."""
    restore_all_quantities(
        run.session,
        inventory_ref=inventory.eport_no,
        restore_ref=f"{inventory.eport_no}:{ref_suffix}",
        at=run.now,
    )


def void_tax_bill(run: ImportRun, inventory: InventoryRecord) -> None:
    """Void the inventory's current tax bill (status 3)."""
    bill = run.store.tax_bill_for(inventory.id)
    if bill is not None and bill.status != "3":
        bill.status, bill.returned_at = "3", run.now
        run.tax_bills.append(bill)
        publish_tax_bill(run, bill, inventory)


def status_action(status: str) -> str:
    """Return the audit action name of a status change."""
    return {
        "1": "drafted",
        "2": "declared",
        "120": "accepted",
        "300": "held_for_review",
        "399": "concluded",
        "500": "held_for_inspection",
        "800": "released",
        "899": "closed",
        "100": "refused",
    }.get(status, "changed")
