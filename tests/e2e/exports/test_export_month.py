"""A month of exports end to end: retail, B2B (foreign platform "无"), overseas-warehouse bookings, a cancel,
a return with its tally, the CEB701 → CEB792 summary, the reminders and the export tax ledger."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from tests.integration.exports.export_zone import AT, LAMP, PHONE, TEE, XP, send, statuses
from tests.zone import Zone

from cbec.common.clock import SHANGHAI, FixedClock
from cbec.demo.exports import (
    ExportParty,
    build_departure,
    build_export_arrival,
    build_export_cancel,
    build_export_return,
    build_export_set,
    build_master_bill,
    build_summary_application,
    build_tally,
)
from cbec.exports.ledger_files import ledger_csv, ledger_xlsx
from cbec.exports.models import ExportInventoryRecord
from cbec.exports.queries import export_inventory_detail, summary_declarations
from cbec.exports.schemas import WarehouseCreate
from cbec.exports.service.reference import load_export_rates, seed_export_reference
from cbec.exports.service.registry import list_warehouses, register_warehouse
from cbec.exports.service.summary import reminders, summarise
from cbec.exports.service.tax import build_ledger, register_invoice, set_tax_profile
from cbec.exports.tax_rules import Regime

FOREIGN = ExportParty("无", "Overseas Marketplace Inc.")
BILL, FLIGHT = "999-20260305", "CA983"


def clear(zone: Zone, sets: list, *, ref: str) -> list[str]:  # type: ignore[type-arg]
    """Send orders, waybills and inventories, let the parcels arrive; return the inventory numbers."""
    # A foreign platform ("无") declares nothing here: the e-commerce enterprise sends its B2B orders itself.
    for foreign, sender in ((False, XP.platform), (True, XP.ecommerce)):
        orders = [s.order for s in sets if (s.order.platform_code == FOREIGN.code) is foreign]
        if orders:
            send(zone, orders, sender)
    send(zone, [s.waybill for s in sets], XP.logistics)
    send(zone, [s.inventory for s in sets], XP.agent)
    arrival = send(
        zone, [build_export_arrival(XP, [s.waybill.logistics_no for s in sets], at=AT, ref=ref)], XP.site_operator
    )
    released = [r for r in arrival.receipts if r.message_type.value == "CEB604Message" and r.status == "800"]
    assert len(released) == len(sets)
    return [r.inventory_no or "" for r in released]


def depart(zone: Zone, sets: list, numbers: list[str], left_at: datetime) -> None:  # type: ignore[type-arg]
    parcels = [s.waybill.logistics_no for s in sets]
    send(
        zone,
        [build_master_bill(XP, list(zip(parcels, numbers, strict=True)), bill_no=BILL, voyage_no=FLIGHT, at=AT)],
        XP.agent,
    )
    result = send(zone, [build_departure(XP, parcels, bill_no=BILL, voyage_no=FLIGHT, left_at=left_at)], XP.logistics)
    assert [r.status for r in result.receipts if r.message_type.value == "CEB604Message"] == ["899"] * len(sets)


def test_a_month_of_exports_summarised_and_taxed(zone: Zone, tmp_path: Path) -> None:
    ctx = zone.ctx
    seed_export_reference(ctx)
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "currency,rate_date,cny_per_unit,source\n502,2026-02-18,7.1000,test value (not official)\n", "utf-8"
    )
    assert load_export_rates(ctx, rates, "exchange").inserted == 1
    warehouse = register_warehouse(
        ctx,
        WarehouseCreate(
            name="洛杉矶一号海外仓",
            operator_code=XP.logistics.code,
            country="502",
            address="1 Warehouse Way, Ontario, CA",
            area_m2=Decimal("12000"),
            services=["storage", "fulfilment", "returns"],
        ),
    )
    assert warehouse.code == "HWC0001"
    retail = [
        build_export_set(
            XP, [(TEE, Decimal(2)), (LAMP, Decimal(1))], order_no=f"EX0302{n:04d}", logistics_no=f"LE0302{n:04d}", at=AT
        )
        for n in range(1, 4)
    ]
    b2b = build_export_set(
        XP,
        [(PHONE, Decimal(10))],
        order_no="B2B-0001",
        logistics_no="LB0001",
        at=AT,
        trade_mode="9710",
        currency="502",
        freight=Decimal("80"),
        platform=FOREIGN,
    )
    booking = build_export_set(
        XP,
        [(TEE, Decimal(500))],
        order_no="OW-0001",
        logistics_no="LW0001",
        at=AT,
        trade_mode="9810",
        platform=ExportParty(XP.platform.code, "洛杉矶一号海外仓"),
        freight=Decimal("900"),
    )
    unregistered = build_export_set(
        XP,
        [(LAMP, Decimal(5))],
        order_no="OW-0002",
        logistics_no="LW0002",
        at=AT,
        trade_mode="9810",
        platform=ExportParty(XP.platform.code, "未登记海外仓"),
    )
    everything = [*retail, b2b, booking, unregistered]
    numbers = clear(zone, everything, ref="ARR-0302")
    # since 2024-12-15 no receipt of payment is needed, but one sent later is still recorded (收汇 for the ledger)
    assert statuses(send(zone, [b2b.receipt_note], XP.payment)) == [("CEB404Message", "120")]
    # a cancel before departure (CEB605) withdraws the third retail parcel
    cancel = send(zone, [build_export_cancel(retail[2].inventory, numbers[2], at=AT)], XP.agent)
    assert statuses(cancel) == [("CEB606Message", "120"), ("CEB606Message", "399")]
    leaving = [s for n, s in enumerate(everything) if n != 2]
    left = [num for n, num in enumerate(numbers) if n != 2]
    depart(zone, leaving, left, datetime(2026, 3, 5, 23, 0, tzinfo=SHANGHAI))
    # a partial return of the first retail parcel, then its tally (CEB213 → 214 120, CEB215 → 216 399 + 214 800)
    request = build_export_return(
        retail[0].inventory, numbers[0], [(1, Decimal(1))], at=datetime(2026, 3, 20, 9, 0, tzinfo=SHANGHAI)
    )
    assert statuses(send(zone, [request], XP.agent)) == [("CEB214Message", "120")]
    tally = send(zone, [build_tally(XP, request, at=datetime(2026, 3, 25, 9, 0, tzinfo=SHANGHAI))], XP.site_operator)
    assert statuses(tally) == [("CEB216Message", "399"), ("CEB214Message", "800")]
    assert export_inventory_detail(ctx, numbers[0]).lines[0]["returned_quantity"] == "1"

    # registry: the booking was linked to its registered warehouse, the other one kept unlinked (ruling 12)
    [registered] = list_warehouses(ctx)
    assert (registered.inventories, registered.inventories_by_currency) == (1, {"142": 1})

    # summary: the enterprise applies for a list of inventories, the platform summarises the rest of March
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.set(datetime(2026, 4, 10, 9, 0, tzinfo=SHANGHAI))
    apply = send(
        zone,
        [build_summary_application(XP, at=ctx.clock.now(), ref="SUM-2603", inventory_nos=left[:2], item_name_flag="1")],
        XP.agent,
    )
    assert statuses(apply) == [("CEB702Message", "120")]
    assert apply.receipts[0].summary_no == "46012026S000000001"
    overdue = reminders(ctx, today=date(2026, 4, 20))
    assert [(r.ecommerce_code, r.month, r.inventories, r.due_on, r.overdue) for r in overdue] == [
        (XP.ecommerce.code, "2026-03", 3, date(2026, 4, 15), True)
    ]
    run = summarise(ctx, "2026-03", include_unapplied=True)
    assert run.applications == ["46012026S000000001", "46012026S000000002"]
    assert [r.status for r in run.receipts] == ["399", "399"]
    first, *rest = run.results
    # item name flag 1: the retail lines (T恤 + 台灯) make two goods items in one declaration
    assert [(line.inventory_no, line.goods_seq_no, line.line_no) for line in first.lines] == [
        (left[0], 1, 1),
        (left[1], 1, 1),
        (left[0], 2, 2),
        (left[1], 2, 2),
    ]
    assert first.entry_id == "460120260000000001" and first.declaration_seq_no == "46012026D000000001"
    # the rest by consignor: B2B in USD and the bookings (same head) make one declaration, items by HS + currency
    assert len(rest) == 1
    assert sorted({(line.hs_code, line.inventory_no) for line in rest[0].lines}) == sorted(
        [("8517130000", left[2]), ("6109100011", left[3]), ("9405210000", left[4])]
    )
    assert reminders(ctx, today=date(2026, 4, 20)) == []
    assert [s["summary_no"] for s in summary_declarations(ctx, "2026-03")] == run.applications
    with ctx.uow() as uow:
        unsummarised = uow.session.scalar(
            select(func.count())
            .select_from(ExportInventoryRecord)
            .where(ExportInventoryRecord.status == "899", ExportInventoryRecord.declaration_id.is_(None))
        )
        assert unsummarised == 0

    # tax: the phone line has an invoice and the enterprise may claim refunds; retail lines are 103号-exempt
    set_tax_profile(ctx, XP.ecommerce.code, refund_qualified=True, employees=40, total_assets=Decimal("8000000"))
    register_invoice(
        ctx,
        ecommerce_code=XP.ecommerce.code,
        invoice_no="INV-0001",
        invoice_date=date(2026, 2, 20),
        inventory_no=left[2],
        line_no=1,
        amount=Decimal("80000.00"),
        vat_rate=Decimal("0.13"),
    )
    ledger = build_ledger(ctx, XP.ecommerce.code, "2026-03")
    assert ledger.reconciles and ledger.problems == []
    assert ledger.inventories == 5
    regimes = {(line.inventory_no, line.line_no): line.regime for line in ledger.lines}
    assert regimes[(left[0], 1)] == Regime.EXEMPT_WITHOUT_INVOICE
    assert regimes[(left[2], 1)] == Regime.REFUND
    assert regimes[(left[3], 1)] == Regime.TAXABLE  # 9810 is not a retail e-commerce export under 103号 [I]
    phone = next(line for line in ledger.lines if line.inventory_no == left[2])
    assert (phone.value, phone.rate_date, phone.value_cny) == (
        Decimal("15000"),
        date(2026, 2, 18),
        Decimal("106500.00"),
    )
    assert (phone.refund, phone.non_refundable) == (Decimal("10400.00"), Decimal("0.00"))
    # retail: 2 parcels × (2 × 59 + 120) = 476.00, less the returned T恤 59.00
    assert ledger.revenue_by_regime[Regime.EXEMPT_WITHOUT_INVOICE] == Decimal("417.00")
    [back] = ledger.returns
    assert (back.inventory_no, back.value_cny, back.relief) == (left[0], Decimal("59.00"), True)
    assert ledger.cit is not None and ledger.cit.tax == Decimal("0.83")  # 417 × 4 % × 25 % × 20 %
    assert ledger.fx_received_usd == Decimal("15080.00") and ledger.fx_must_register is False
    assert ledger_csv(ledger).startswith("\ufeffinventory_no,line_no".encode())
    workbook = ledger_xlsx(ledger)
    import zipfile
    from io import BytesIO

    names = zipfile.ZipFile(BytesIO(workbook)).namelist()
    assert "xl/worksheets/sheet3.xml" in names and "xl/workbook.xml" in names


def test_receipt_of_payment_needed_only_before_the_december_2024_simplification(zone: Zone) -> None:
    seed_export_reference(zone.ctx)
    old = build_export_set(
        XP,
        [(TEE, Decimal(1))],
        order_no="OLD-1",
        logistics_no="LOLD1",
        at=datetime(2024, 12, 10, 9, 0, tzinfo=SHANGHAI),
    )
    send(zone, [old.order], XP.platform)
    send(zone, [old.waybill], XP.logistics)
    waiting = send(zone, [old.inventory], XP.agent)
    assert waiting.documents[0].note == "payment_receipt"
    accepted = send(zone, [old.receipt_note], XP.payment)
    assert statuses(accepted) == [("CEB404Message", "120"), ("CEB604Message", "120")]
    new = build_export_set(
        XP,
        [(TEE, Decimal(1))],
        order_no="NEW-1",
        logistics_no="LNEW1",
        at=datetime(2024, 12, 16, 9, 0, tzinfo=SHANGHAI),
    )
    send(zone, [new.order], XP.platform)
    send(zone, [new.waybill], XP.logistics)
    assert statuses(send(zone, [new.inventory], XP.agent)) == [("CEB604Message", "2"), ("CEB604Message", "120")]
    wrong = replace(new.receipt_note, order_no="NEW-2", amount=Decimal("1"))
    assert statuses(send(zone, [wrong], XP.payment)) == [("CEB404Message", "120")]


def test_refusals_carry_rule_field_and_hint(zone: Zone) -> None:
    seed_export_reference(zone.ctx)
    s = build_export_set(XP, [(TEE, Decimal(1))], order_no="BAD-1", logistics_no="LBAD1", at=AT)
    send(zone, [s.order], XP.platform)  # a retail order (E) under a B2B inventory (9710)
    send(zone, [s.waybill], XP.logistics)
    result = send(zone, [replace(s.inventory, trade_mode="9710")], XP.agent)
    assert statuses(result) == [("CEB604Message", "2"), ("CEB604Message", "100")]
    assert "[Rule:CEB-E8;Field:inventory.trade_mode;Hint:" in result.receipts[1].info
    early = build_export_set(XP, [(TEE, Decimal(1))], order_no="EARLY-1", logistics_no="LEARLY1", at=AT)
    refused = send(
        zone,
        [
            build_departure(
                XP, [early.waybill.logistics_no], bill_no=BILL, voyage_no=FLIGHT, left_at=AT + timedelta(hours=1)
            )
        ],
        XP.logistics,
    )
    assert statuses(refused) == [("CEB510Message", "100")]
    assert [p.rule_id for p in refused.documents[0].problems] == ["CEB-E6"]
