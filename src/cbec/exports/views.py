"""Read models of the export store (出口查询视图): inventory summaries and summary results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cbec.exports.models import ExportInventoryRecord


@dataclass(frozen=True, slots=True)
class ExportInventorySummary:
    """An export inventory as listed to officers and enterprises."""

    id: int
    eport_no: str
    inventory_no: str | None
    order_no: str
    logistics_no: str
    platform_code: str
    ecommerce_code: str
    agent_code: str
    trade_mode: str
    statistics_flag: str
    currency: str
    goods_value: Decimal
    destination_country: str
    export_date: date
    status: str
    status_info: str
    waiting_for: str | None
    bill_no: str | None
    warehouse_id: int | None
    declared_at: datetime
    released_at: datetime | None
    departed_at: datetime | None
    cancelled: bool
    summarised: bool
    problems: list[dict[str, Any]]


def summarize(row: ExportInventoryRecord) -> ExportInventorySummary:
    """Return the listing view of an export inventory."""
    return ExportInventorySummary(
        id=row.id,
        eport_no=row.eport_no,
        inventory_no=row.inventory_no,
        order_no=row.order_no,
        logistics_no=row.logistics_no,
        platform_code=row.platform_code,
        ecommerce_code=row.ecommerce_code,
        agent_code=row.agent_code,
        trade_mode=row.trade_mode,
        statistics_flag=row.statistics_flag,
        currency=row.currency,
        goods_value=row.goods_value,
        destination_country=row.destination_country,
        export_date=row.export_date,
        status=row.status,
        status_info=row.status_info,
        waiting_for=row.waiting_for,
        bill_no=row.bill_no,
        warehouse_id=row.warehouse_id,
        declared_at=row.declared_at,
        released_at=row.released_at,
        departed_at=row.departed_at,
        cancelled=row.cancelled_at is not None,
        summarised=row.declaration_id is not None,
        problems=list(row.problems or []),
    )
