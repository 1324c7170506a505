"""The outbox event of a confirmed consumer report (额度盗用举报属实): what credit and risk read of it.

Statistics writes the event; it never imports credit or risk. The payload names the inventory (E-port and customs
numbers, order number), its e-commerce enterprise and platform, the report's reference and the buyer's keyed
pseudonym (the quota ledger key: the blind index of the ID number) — never the ID number or a name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from cbec.common.clock import business_date
from cbec.sharing import EventKind, emit_event
from cbec.statistics.models import ConsumerReport
from cbec.statistics.rules import ReportOutcome


class Inventory(Protocol):
    """What the event reads of the reported inventory (clearance's row, read by the statistics repository)."""

    @property
    def inventory_no(self) -> str | None: ...
    @property
    def ecommerce_code(self) -> str: ...
    @property
    def platform_code(self) -> str: ...
    @property
    def customs_code(self) -> str | None: ...


def share_confirmed(
    session: Session, report: ConsumerReport, inventory: Inventory | None, *, zone: str, at: datetime
) -> None:
    """Add the ``report`` event of a confirmed report; ``inventory`` is its clearance row (None when unknown)."""
    ecommerce = inventory.ecommerce_code if inventory is not None else None
    platform = inventory.platform_code if inventory is not None else None
    emit_event(
        session,
        at=at,
        kind=EventKind.REPORT,
        document_type="consumer_report",
        business_key=f"inventory:{report.inventory_ref}",
        zone=(inventory.customs_code if inventory is not None else None) or zone,
        parties=[],  # agencies receive it; enterprises are told through credit, not the buyer's key
        status=ReportOutcome.CONFIRMED.value,
        payload={
            "reference_no": report.reference_no or "",
            "outcome": ReportOutcome.CONFIRMED.value,
            "eport_no": report.inventory_ref,
            "inventory_no": inventory.inventory_no if inventory is not None else None,
            "order_no": report.order_no,
            "ecommerce_code": ecommerce,
            "platform_code": platform,
            "buyer_key": report.buyer_key,
            "on": business_date(at).isoformat(),
        },
    )
