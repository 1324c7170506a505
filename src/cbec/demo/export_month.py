"""A month of zone exports for the demo (出口演示月): run through the platform, summarised and checked.

``run_export_demo`` sends a realistic month through the platform as signed CEB messages built by
``cbec.demo.exports``: retail parcels (9610), B2B orders (9710) and overseas-warehouse bookings (9810), with a
cancel and a partial return; then summarises the month (CEB701 → CEB792) and builds the export tax ledgers.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from typing import Any

from cbec.common.clock import SHANGHAI, FixedClock
from cbec.demo.exports import (
    MESSAGE_TYPES,
    ExportGoods,
    ExportParties,
    ExportParty,
    ExportSet,
    build_departure,
    build_export_arrival,
    build_export_cancel,
    build_export_message,
    build_export_return,
    build_export_set,
    build_master_bill,
    build_summary_application,
    build_tally,
)
from cbec.messages.export_documents import ExportDocument, ExportInventory, ExportOrder

CATALOGUE = (
    ExportGoods("XP-TEE-01", "棉制针织T恤", "6109100011", Decimal("59.00"), weight_kg=Decimal("0.25")),
    ExportGoods(
        "XP-SHOE-02", "运动鞋", "6404110090", Decimal("199.00"), unit="025", legal_unit="025", weight_kg=Decimal("0.9")
    ),
    ExportGoods("XP-BAG-03", "手提包", "4202220000", Decimal("159.00"), weight_kg=Decimal("0.7")),
    ExportGoods("XP-LAMP-04", "LED台灯", "9405210000", Decimal("120.00"), weight_kg=Decimal("1.2")),
    ExportGoods(
        "XP-DRYER-05", "电吹风", "8516310000", Decimal("239.00"), unit="001", legal_unit="001", weight_kg=Decimal("0.8")
    ),
    ExportGoods("XP-TOY-06", "积木玩具", "9503008900", Decimal("89.00"), weight_kg=Decimal("0.6")),
)
PHONE = ExportGoods(
    "XP-PHONE-07", "智能手机", "8517130000", Decimal("210.00"), unit="001", legal_unit="001", weight_kg=Decimal("0.4")
)
COUNTRIES = ("502", "303", "304", "116", "601")
WAREHOUSE_NAME = "洛杉矶安大略海外仓"
FOREIGN_PLATFORM = ExportParty("无", "Overseas Marketplace Inc.")
DEMO_USD_PER_DAY = Decimal("7.1000")  # DEMO value, not an official CFETS central parity


@dataclass(frozen=True, slots=True)
class ExportDemoOptions:
    """How big the export month is, its seed and month (default: last month), and where to write messages."""

    seed: int = 20260302
    month: str | None = None
    parcels: int = 60
    b2b_orders: int = 6
    bookings: int = 3
    out: Path | None = None


@dataclass(slots=True)
class ExportDemoReport:
    """What the export month did and whether every self-check held."""

    month: str
    messages: int = 0
    receipts: int = 0
    inventories_by_status: dict[str, int] = field(default_factory=dict)
    by_trade_mode: dict[str, int] = field(default_factory=dict)
    declarations: int = 0
    applications: list[str] = field(default_factory=list)
    ledgers: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether every self-check held."""
        return not self.failures


@dataclass(slots=True)
class _Sender:
    """Renders export documents as CEB messages and ingests them, keeping count and writing files."""

    ctx: Any
    out: Path | None
    report: ExportDemoReport
    results: list[Any] = field(default_factory=list)

    def send(self, documents: Sequence[ExportDocument], sender: ExportParty, label: str) -> list[Any]:
        from cbec.intake import ingest_message
        from cbec.messages import render_message

        answers = []
        for start in range(0, len(documents), 100):
            chunk = list(documents[start : start + 100])
            if not chunk:
                continue
            raw = render_message(build_export_message(chunk, sender))
            self.report.messages += 1
            name = f"{self.report.messages:04d}_{MESSAGE_TYPES[type(chunk[0])].value}_{label}.xml"
            if self.out is not None:
                folder = self.out / "export-messages"
                folder.mkdir(parents=True, exist_ok=True)
                (folder / name).write_bytes(raw)
            result = ingest_message(self.ctx, raw, source_name=f"demo:{name}")
            self.report.receipts += len(result.receipts)
            answers.append(result)
        return answers


def _month(ctx: Any, options: ExportDemoOptions) -> str:
    if options.month:
        return options.month
    today = ctx.clock.now().astimezone(SHANGHAI).date()
    last = today.replace(day=1) - timedelta(days=1)
    return last.strftime("%Y-%m")


def run_export_demo(
    ctx: Any, options: ExportDemoOptions | None = None, *, progress: Callable[[str], None] | None = None
) -> ExportDemoReport:
    """Run a month of zone exports through the platform, summarise it, build the tax ledgers and check them."""
    from cbec.demo.filing import set_up_zone
    from cbec.demo.zone import BY_KEY
    from cbec.exports.schemas import WarehouseCreate
    from cbec.exports.service.reference import seed_export_reference
    from cbec.exports.service.registry import list_warehouses, register_warehouse

    options = options or ExportDemoOptions()
    say = progress or (lambda _text: None)
    month = _month(ctx, options)
    first = date.fromisoformat(f"{month}-01")
    clock = FixedClock(datetime.combine(first, clock_time(8, 0), SHANGHAI))
    settings = ctx.settings.model_copy(update={"random_inspection_rate": 0.0, "random_review_rate": 0.0})
    demo = replace(ctx, clock=clock, settings=settings)
    report = ExportDemoReport(month)
    say(f"出口演示 {month} / export month: seeding export parameters, rates and the warehouse registry")
    set_up_zone(demo)
    seed_export_reference(demo)
    _load_demo_rates(demo, first)
    if not any(w.name == WAREHOUSE_NAME for w in list_warehouses(demo)):
        register_warehouse(
            demo,
            WarehouseCreate(
                name=WAREHOUSE_NAME,
                operator_code=BY_KEY["logistics"].customs_code,
                country="502",
                address="4000 E Airport Dr, Ontario, CA 91761, USA (demo)",
                area_m2=Decimal("18000"),
                services=["storage", "fulfilment", "returns", "relabelling"],
            ),
        )
    shops = {key: _parties(BY_KEY, key) for key in ("shop_a", "shop_b")}
    rng = random.Random(options.seed)
    tag = f"{options.seed % 10000:04d}{month.replace('-', '')[2:]}"
    sets: list[tuple[ExportParties, ExportSet]] = []
    for n in range(options.parcels):
        shop = shops["shop_a" if n % 3 else "shop_b"]
        items = [(goods, Decimal(rng.randint(1, 3))) for goods in rng.sample(CATALOGUE, rng.randint(1, 2))]
        day = first + timedelta(days=n * 25 // max(options.parcels, 1))
        at = datetime.combine(day, clock_time(9 + n % 8, 0), SHANGHAI)
        sets.append(
            (
                shop,
                build_export_set(
                    shop,
                    items,
                    order_no=f"XE{tag}{n:05d}",
                    logistics_no=f"XL{tag}{n:05d}",
                    at=at,
                    country=rng.choice(COUNTRIES),
                    freight=Decimal("25.00"),
                ),
            )
        )
    for n in range(options.b2b_orders):
        shop = shops["shop_a"]
        at = datetime.combine(first + timedelta(days=2 + n * 3), clock_time(10, 0), SHANGHAI)
        sets.append(
            (
                shop,
                build_export_set(
                    shop,
                    [(PHONE, Decimal(50 + 10 * n))],
                    order_no=f"XB{tag}{n:05d}",
                    logistics_no=f"XLB{tag}{n:04d}",
                    at=at,
                    trade_mode="9710",
                    currency="502",
                    freight=Decimal("120.00"),
                    platform=FOREIGN_PLATFORM,
                ),
            )
        )
    warehouse = ExportParty(BY_KEY["platform"].customs_code, WAREHOUSE_NAME)
    for n in range(options.bookings):
        shop = shops["shop_b"]
        at = datetime.combine(first + timedelta(days=5 + n * 7), clock_time(11, 0), SHANGHAI)
        goods = CATALOGUE[n % len(CATALOGUE)]
        sets.append(
            (
                shop,
                build_export_set(
                    shop,
                    [(goods, Decimal(300))],
                    order_no=f"XW{tag}{n:05d}",
                    logistics_no=f"XLW{tag}{n:04d}",
                    at=at,
                    trade_mode="9810",
                    platform=warehouse,
                    freight=Decimal("1800.00"),
                    transport_mode="2",
                ),
            )
        )
    sender = _Sender(demo, options.out, report)
    _send_month(sender, sets, BY_KEY, clock, rng, report)
    _summarise_and_check(demo, sender, sets, shops, month, clock, report, say)
    return report


def _parties(by_key: Any, shop: str) -> ExportParties:
    def party(key: str) -> ExportParty:
        enterprise = by_key[key]
        return ExportParty(enterprise.customs_code, enterprise.name, enterprise.dxp_id)

    return ExportParties(
        platform=party("platform"),
        ecommerce=party(shop),
        payment=party("payment"),
        logistics=party("logistics"),
        agent=party("agent"),
        site_operator=party("site"),
    )


def _load_demo_rates(ctx: Any, first: date) -> None:
    """Load DEMO USD central parities for every weekday of the month before (the 272号 rule looks there)."""
    import tempfile

    from cbec.exports.service.reference import load_export_rates

    start = (first.replace(day=1) - timedelta(days=1)).replace(day=1)
    rows = ["currency,rate_date,cny_per_unit,source,note"]
    day = start
    while day < first:
        if day.weekday() < 5:
            rows.append(f"502,{day.isoformat()},{DEMO_USD_PER_DAY},cbec demo,DEMO value - not an official CFETS rate")
        day += timedelta(days=1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo-rates.csv"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        load_export_rates(ctx, path, "exchange")


def _foreign(s: ExportSet) -> bool:
    return s.order.platform_code == FOREIGN_PLATFORM.code


def _b2b_orders_by_shop(batch: list[tuple[ExportParties, ExportSet]]) -> list[tuple[ExportParties, list[ExportOrder]]]:
    """Return the orders of foreign platforms, grouped by the shop that sends them."""
    grouped: dict[str, tuple[ExportParties, list[ExportOrder]]] = {}
    for shop, s in batch:
        if _foreign(s):
            grouped.setdefault(shop.ecommerce.code, (shop, []))[1].append(s.order)
    return list(grouped.values())


def _send_month(
    sender: _Sender,
    sets: list[tuple[ExportParties, ExportSet]],
    by_key: Any,
    clock: FixedClock,
    rng: random.Random,
    report: ExportDemoReport,
) -> None:
    """Send the month in weekly rounds: some inventories first, then orders, waybills, inventories, arrivals,
    master bills and departures; one parcel is cancelled before it leaves and one is partly returned."""
    cast = _parties(by_key, "shop_a")
    rounds: dict[int, list[tuple[ExportParties, ExportSet]]] = {}
    for shop, s in sets:
        rounds.setdefault((s.order.declaration.app_time.day - 1) // 7, []).append((shop, s))
    cancelled: str | None = None
    for number, batch in sorted(rounds.items()):
        clock.set(max(s.order.declaration.app_time for _, s in batch) + timedelta(hours=1))
        early = [s for _, s in batch if rng.random() < 0.2]
        sender.send([s.inventory for s in early], cast.agent, f"inventories-first-{number}")
        sender.send([s.order for _, s in batch if not _foreign(s)], cast.platform, f"orders-{number}")
        # A foreign platform ("无") declares nothing here: the e-commerce enterprise sends its own B2B orders.
        for shop, orders in _b2b_orders_by_shop(batch):
            sender.send(orders, shop.ecommerce, f"orders-{number}-{shop.ecommerce.code}")
        sender.send([s.waybill for _, s in batch], cast.logistics, f"waybills-{number}")
        sender.send([s.inventory for _, s in batch if s not in early], cast.agent, f"inventories-{number}")
        parcels = [s.waybill.logistics_no for _, s in batch]
        arrival = build_export_arrival(cast, parcels, at=clock.now(), ref=f"ARR-{number}-{parcels[0]}")
        sender.send([arrival], cast.site_operator, f"arrival-{number}")
        numbers = _numbers(sender.ctx, [s.inventory for _, s in batch])
        if cancelled is None and batch:
            victim = batch[0][1]
            cancelled = numbers[victim.inventory.order_no]
            sender.send([build_export_cancel(victim.inventory, cancelled, at=clock.now())], cast.agent, "cancel")
            batch = batch[1:]
        leaving = batch
        bill_no, voyage = f"999-{number:02d}{parcels[0][-6:]}", f"CA98{number}"
        bill = build_master_bill(
            cast,
            [(s.waybill.logistics_no, numbers[s.order.order_no]) for _, s in leaving],
            bill_no=bill_no,
            voyage_no=voyage,
            at=clock.now(),
        )
        sender.send([bill], cast.agent, f"master-bill-{number}")
        left_at = clock.now() + timedelta(hours=8)
        departure = build_departure(
            cast, [s.waybill.logistics_no for _, s in leaving], bill_no=bill_no, voyage_no=voyage, left_at=left_at
        )
        sender.send([departure], cast.logistics, f"departure-{number}")
    retail = [s for _, s in sets if s.inventory.trade_mode == "9610"]
    numbers = _numbers(sender.ctx, [s.inventory for s in retail])
    first_retail = next(s for s in retail if numbers.get(s.order.order_no) not in (None, cancelled))
    number_of = numbers[first_retail.order.order_no]
    clock.advance(timedelta(days=2))
    request = build_export_return(first_retail.inventory, number_of, [(1, Decimal(1))], at=clock.now())
    sender.send([request], cast.agent, "return")
    clock.advance(timedelta(days=3))
    sender.send([build_tally(cast, request, at=clock.now())], cast.site_operator, "return-tally")


def _numbers(ctx: Any, inventories: Sequence[ExportInventory]) -> dict[str, str]:
    """Return the customs numbers of stored inventories by order number."""
    from cbec.exports.queries import search_export_inventories

    found: dict[str, str] = {}
    for inventory in inventories:
        rows, _ = search_export_inventories(ctx, order_no=inventory.order_no, limit=1)
        if rows and rows[0].inventory_no:
            found[inventory.order_no] = rows[0].inventory_no
    return found


def _summarise_and_check(
    ctx: Any,
    sender: _Sender,
    sets: list[tuple[ExportParties, ExportSet]],
    shops: dict[str, ExportParties],
    month: str,
    clock: FixedClock,
    report: ExportDemoReport,
    say: Callable[[str], None],
) -> None:
    """Apply for and run the month's summary, build the ledgers, and check every outcome."""
    from cbec.exports.queries import search_export_inventories, summary_declarations
    from cbec.exports.service.summary import reminders, summarise
    from cbec.exports.service.tax import build_ledger

    first = date.fromisoformat(f"{month}-01")
    following = (first + timedelta(days=32)).replace(day=1)
    clock.set(datetime.combine(following + timedelta(days=9), clock_time(9, 0), SHANGHAI))
    rows, _ = search_export_inventories(ctx, limit=10000)
    ours = {s.order.order_no for _, s in sets}
    mine = [r for r in rows if r.order_no in ours]
    for row in mine:
        bucket = "cancelled" if row.cancelled else row.status
        report.inventories_by_status[bucket] = report.inventories_by_status.get(bucket, 0) + 1
        report.by_trade_mode[row.trade_mode] = report.by_trade_mode.get(row.trade_mode, 0) + 1
    if report.inventories_by_status.get("cancelled") != 1:
        report.failures.append(f"expected one cancelled inventory, got {report.inventories_by_status}")
    if report.inventories_by_status.get("899", 0) != len(sets) - 1:
        report.failures.append(f"expected {len(sets) - 1} closed (899) inventories, got {report.inventories_by_status}")
    closed_a = [
        r.inventory_no or ""
        for r in mine
        if r.status == "899"
        and not r.cancelled
        and r.ecommerce_code == shops["shop_a"].ecommerce.code
        and r.trade_mode == "9610"
    ]
    say("汇总申报 / CEB701 from shop A, platform summary for the rest (CEB792)")
    application = build_summary_application(
        shops["shop_a"],
        at=clock.now(),
        ref=f"SUM-{month}-{closed_a[0][-6:] if closed_a else 'A'}",
        inventory_nos=closed_a,
        item_name_flag="1",
    )
    sender.send([application], shops["shop_a"].agent, "summary-application")
    run = summarise(ctx, month, include_unapplied=True)
    report.declarations, report.applications = len(run.results), list(run.applications)
    leftovers = reminders(ctx, today=clock.now().date())
    if any(r.month == month for r in leftovers):
        report.failures.append(f"closed inventories of {month} left unsummarised: {leftovers}")
    by_no = {r.inventory_no: r for r in mine}
    for summary in summary_declarations(ctx, month):
        for declaration in summary["declarations"]:
            heads = {
                (by_no[line["inventory_no"]].ecommerce_code, by_no[line["inventory_no"]].destination_country)
                for line in declaration["lines"]
                if line["inventory_no"] in by_no
            }
            if len(heads) > 1:
                report.failures.append(f"declaration {declaration['entry_id']} mixes consignors or countries: {heads}")
    for key, shop in shops.items():
        ledger = build_ledger(ctx, shop.ecommerce.code, month)
        report.ledgers[key] = {
            "inventories": ledger.inventories,
            "revenue_by_regime": {str(k): str(v) for k, v in ledger.revenue_by_regime.items()},
            "returns": len(ledger.returns),
            "cit": str(ledger.cit.tax) if ledger.cit else "-",
            "reconciles": ledger.reconciles,
        }
        if not ledger.reconciles or ledger.problems:
            report.failures.append(f"ledger of {key} does not reconcile or has problems: {ledger.problems}")
        # The ledger is the shop's whole month: earlier demo runs (another --seed) exported in it too.
        expected = sum(
            1
            for r in rows
            if r.ecommerce_code == shop.ecommerce.code and not r.cancelled and first <= r.export_date < following
        )
        if ledger.inventories != expected:
            report.failures.append(f"ledger of {key} counts {ledger.inventories} inventories, the month has {expected}")
