"""Risk's reads of parcels from the trade facts (R2.4): by waybill — the live inventory when a waybill was declared
again after a cancelled one — and by release day, one parcel per inventory whatever its lines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from cbec.facts.models import TradeFact
from cbec.facts.queries import parcels_of_waybills, released_parcels
from cbec.storage.context import Context

RELEASED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def fact(eport_no: str, line_no: int, status: str, logistics_no: str | None, **changes: Any) -> TradeFact:
    values: dict[str, Any] = {
        "direction": "I",
        "mode": "9610",
        "document_id": 1,
        "eport_no": eport_no,
        "order_no": f"O{eport_no}",
        "line_no": line_no,
        "hs_code": "1901101000",
        "goods_name": "奶粉",
        "origin_country": "116",
        "destination_country": "142",
        "quantity": Decimal(1),
        "unit": "122",
        "legal_quantity": Decimal(1),
        "legal_unit": "035",
        "currency": "142",
        "value": Decimal(100),
        "platform_code": "4601960001",
        "ecommerce_code": "4601960002",
        "logistics_code": "4601960004",
        "logistics_no": logistics_no,
        "agent_code": "4601960005",
        "customs_code": "4601",
        "declared_at": RELEASED,
        "declared_on": date(2026, 3, 2),
        "released_at": RELEASED if status != "cancelled" else None,
        "released_on": date(2026, 3, 2) if status != "cancelled" else None,
        "status": status,
        "consignee_region": "460100",
        "updated_at": RELEASED,
    }
    values.update(changes)
    return TradeFact(**values)


def test_parcels_by_waybill_and_by_release_day(ctx: Context) -> None:
    with ctx.uow() as uow:
        uow.session.add_all(
            [
                fact("E1", 1, "cancelled", "LN1"),  # cancelled, then the waybill declared again with E2
                fact("E2", 1, "released", "LN1"),
                fact("E2", 2, "released", "LN1"),
                fact("E3", 1, "released", "LN3", released_on=date(2026, 3, 3)),
                fact("E4", 1, "released", None),  # no waybill number known (a fact from before fctw01)
            ]
        )
        uow.commit()
    with ctx.uow() as uow:
        found = parcels_of_waybills(uow.session, [("4601960004", "LN1"), ("4601960004", "LN3"), ("X", "LN1")])
        assert {k: (p.eport_no, p.status, p.consignee_region) for k, p in found.items()} == {
            ("4601960004", "LN1"): ("E2", "released", "460100"),
            ("4601960004", "LN3"): ("E3", "released", "460100"),
        }
        assert [p.eport_no for p in released_parcels(uow.session, date(2026, 3, 2))] == ["E2", "E4"]
        assert [p.eport_no for p in released_parcels(uow.session, date(2026, 3, 3))] == ["E3"]
