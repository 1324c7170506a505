"""The export month of `cbec demo`: every parcel closed on departure, summarised, and the ledgers reconcile."""

from __future__ import annotations

from cbec.demo.export_month import ExportDemoOptions, run_export_demo
from cbec.storage.context import Context


def test_export_month_meets_every_check(ctx: Context) -> None:
    report = run_export_demo(ctx, ExportDemoOptions(month="2026-02", parcels=24, b2b_orders=3, bookings=2))
    assert report.failures == []
    assert report.inventories_by_status == {"899": 28, "cancelled": 1}
    assert report.by_trade_mode == {"9610": 24, "9710": 3, "9810": 2}
    assert len(report.applications) == 3 and report.declarations >= 3  # shop A applies; the platform does the rest
    assert all(ledger["reconciles"] for ledger in report.ledgers.values())
    assert report.ledgers["shop_a"]["returns"] + report.ledgers["shop_b"]["returns"] == 1
