"""A complete import set declared through the real intake and released at once (its arrival reported): what the
risk tests of rules read after release (quick undos, deliveries) start from."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from tests.builders import BUYER, PARTIES, a_set
from tests.zone import Zone

from cbec.clearance.models import InventoryRecord
from cbec.demo.builders import Buyer, DocumentSet, Goods, build_arrival


def declare_released(
    zone: Zone, order_no: str, *, buyer: Buyer = BUYER, items: list[tuple[Goods, Decimal]] | None = None
) -> tuple[DocumentSet, str]:
    """Declare a complete set and report its arrival (released at once, on the zone clock's time); return the set and
    its inventory number."""
    s = a_set(order_no, buyer=buyer, items=items)
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    zone.send([s.inventory], PARTIES.agent)
    arrival = build_arrival(PARTIES, [s.waybill.logistics_no], bill_no="MAWB20260302001", at=zone.ctx.clock.now())
    zone.send([arrival], PARTIES.site_operator)
    with zone.ctx.uow() as uow:
        row = uow.session.scalars(select(InventoryRecord).where(InventoryRecord.order_no == order_no)).one()
        assert row.status == "800" and row.inventory_no, row.status_info
        return s, row.inventory_no
