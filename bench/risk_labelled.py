"""The labelled-set benchmark of the risk rules (风险规则标注集基准): a year of ≥ 1,000,000 orders, ~2 % planted.

    .venv/bin/python -m bench.risk_labelled [--orders 1000000] [--days 365] [--seed 18] [--ruleset FILE]
        [--no-record]

Each order of ``bench.risk_world``'s labelled year is decided, day by day in arrival order, the way the live
consumer decides an inventory (``cbec.risk.service``), with the day-bucket counters held in memory
(``cbec.risk.book.CounterBook`` without a session) instead of the database:

* ``cbec.risk.service.observe`` gives the subjects, total, near-limit and whole-hundred flags, and the consumer's
  own ``count`` adds them to a ``CounterBook`` held in memory (no session);
* the ruleset's counters are read as exact window sums; ``cbec.risk.valuation.value_fields`` scores the lines
  against bands made by ``band_of`` from the whole year's unit values (as ``refresh_bands`` makes them); the shipped
  external-list samples are screened by ``cbec.risk.lists.screen``;
* ``cbec.risk.patterns.pattern_fields`` reads the platform's bunching (R1.5) and the seller's share of quick
  cancels and returns (R2.5) from the same book; an order the world marks ``undone`` (cancelled or returned within
  48 hours of release) then adds one to its seller's ``quick_undo`` bucket of its day, as the consumer counts an
  accepted cancel or return receipt;
* ``cbec.risk.items`` reads the same item bought again by the buyer (R1.2, from the book's ``buyer_item`` buckets)
  and the parcel's gross weight against its goods' filed unit gross weights (R2.3, the sellers' filings as the world
  draws them, looked up as ``cbec.products.filed_weights`` answers: by seller and item number);
* the compiled ruleset gives every typology's score and band.

**Party alerts** (ruleset 2026.5) are measured per party, as an officer meets them (one case per pivot): an
order-splitting alert that S7 alone gives (without it the order would not reach review) is a *platform alert*,
counted once per platform and calendar week — true when the world bunched that platform-week (the honest
near-limit orders of a bunched week are indistinguishable from the split ones and are part of that alert) —
and left out of the per-order figures of order splitting, whose patterns are then the buyers' and households'.
Fake orders' seller alerts (F4 alone) are listed per seller beside the per-order figures. For ruleset 2026.6 the
same-item splits and the empty-parcel shops are measured as kinds of their typology: the alerts that need their rule
(S8, W1: without its input the typology would not reach review) and how many are on that kind's planted orders, the
kind's recall per pattern and per order, and the honest parcels W1 scored light or heavy.

**Delivery decisions** (ruleset 2026.6, R2.4; ``bench.risk_deliveries``): every parcel not cancelled or returned is
judged again after release — on its signing (D1: hours and km from the release customs) or, never signed, as the
sweep judges it ``unsigned_days`` later (D2: its seller's and carrier's 30-day shares of unsigned parcels, from
their ``released`` and ``unsigned`` buckets counted release day by release day). The planted delivery fraud
(false-signing and never-delivering shops) is measured there only: precision per alert, recall per shop and per
parcel, and the sellers alerted (one case each); honest false alerts are tallied by cause.

Measured against the labels, per typology at the review threshold: **precision per alert** (an alert of typology
T on an order planted as T; an alert on an order planted as another typology is counted apart, as "planted
elsewhere", and is a false positive for T), **recall per pattern** (a pattern is found when one of its orders
raises its typology: the consumer decides an order when it arrives, so the first orders of a ring cannot be
caught before the ring exists) and recall per order. Under-valuation is inspected as the officers' queue holds it:
its review-band alerts (since 2026.4: P(illicit) ≥ 0.5) ranked by the revenue expected lost (``value_fields``),
under an inspection budget of 1 % of orders: precision of the inspected, and the share of the planted revenue
truly lost that they recover (with, for comparison, the budget spent on every order with a revenue expected lost).
Targets (issue 18): rule typologies recall ≥ 0.98 and precision ≥ 0.95; under-valuation precision ≥ 0.90 with
revenue recall ≥ 0.50.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bench.env import fmt, print_header, record
from bench.risk_deliveries import decide_deliveries, delivery_lines, is_delivery
from bench.risk_world import Order, World, contact_phone, plan_world
from cbec.facts.queries import InventoryLine
from cbec.risk.book import CounterBook
from cbec.risk.items import repeat_fields, weight_fields, weight_keys
from cbec.risk.lists import GoodsLine, ListKind, parse_list, sample_text, screen
from cbec.risk.patterns import pattern_fields
from cbec.risk.rules import Ruleset, SubjectKind, Typology, parse_ruleset, shipped_ruleset
from cbec.risk.service import count, counted_subjects, met_links, observe
from cbec.risk.valuation import UnitBand, band_of, value_fields
from cbec.risk.versions.compile import Compiled, compile_ruleset

START = date(2026, 1, 1)
BUDGET = Decimal("0.01")
LOGISTICS, AGENT = "4601970001", "4601980001"


def lines_of(order: Order) -> list[InventoryLine]:
    """Return the order as the fact lines the consumer reads."""
    eport = f"E{order.number}"
    day = START + timedelta(days=order.day)
    return [
        InventoryLine(
            eport_no=eport,
            inventory_no=None,
            order_no=f"O{order.number}",
            line_no=k,
            hs_code=line.hs_code,
            quantity=line.quantity,
            value_cny=line.value,
            platform_code=order.platform,
            ecommerce_code=order.seller,
            logistics_code=LOGISTICS,
            agent_code=AGENT,
            tenant=None,
            declared_on=day,
            status="800",
            buyer_key=order.buyer,
            payer_key=order.payer,
            phone_key=order.phone,
            address_key=order.address,
            goods_name=line.name,
            item_no=line.item_no or None,
            gross_weight=order.gross_weight,
        )
        for k, line in enumerate(order.lines, 1)
    ]


def bands_of(world: World) -> dict[str, UnitBand]:
    """Return the year's bands (every line's unit value, as ``refresh_bands`` reads them)."""
    units: dict[str, list[Decimal]] = defaultdict(list)
    for day in world.per_day:
        for order in day:
            for line in order.lines:
                units[line.hs_code[:6]].append(line.value / line.quantity)
    return {hs6: band_of(values) for hs6, values in units.items()}


Decided = tuple[Order, tuple[int, ...], Decimal, tuple[bool, bool], tuple[bool, ...], float | None]


def _party_alerts(compiled: Compiled, inputs: dict[str, float | None], banded: tuple[int, ...]) -> tuple[bool, bool]:
    """Return whether the order-splitting alert needs S7's input (a platform alert) and the fake-order alert F4's
    (a seller alert): without it the typology would not reach review."""
    out = []
    for typology, name in (("order_splitting", "doc.platform_bunching_z"), ("fake_order", "doc.quick_undo_share")):
        k = compiled.typologies.index(Typology(typology)) if Typology(typology) in compiled.typologies else -1
        if k < 0 or banded[k] < 1 or inputs.get(name) is None:
            out.append(False)
            continue
        out.append(compiled.decide({**inputs, name: None})[1][k] < 1)
    return out[0], out[1]


def _needs(compiled: Compiled, inputs: dict[str, float | None], banded: tuple[int, ...]) -> tuple[bool, ...]:
    """Return whether the order-splitting alert needs S8's input (the same item again, R1.2), the fake-order alert
    W1's (the parcel's weight, R2.3) and the laundering alert L5's (a party's own phone, R5.1): without it the
    typology would not reach review."""
    out = []
    for typology, name in (
        ("order_splitting", "doc.item_repeat"),
        ("fake_order", "doc.weight_deviation"),
        ("laundering", "doc.party_consignee"),
    ):
        k = compiled.typologies.index(Typology(typology)) if Typology(typology) in compiled.typologies else -1
        if k < 0 or banded[k] < 1 or inputs.get(name) is None:
            out.append(False)
            continue
        out.append(compiled.decide({**inputs, name: None})[1][k] < 1)
    return tuple(out)


def decide_all(world: World, ruleset: Ruleset) -> tuple[list[Decided], float]:
    """Decide every order in arrival order; return (order, band per typology, revenue expected lost, party alerts,
    alerts needing S8 and W1) and seconds."""
    compiled = compile_ruleset(ruleset, float)
    refs = ruleset.counters()
    bands = bands_of(world)
    entries = [e for kind in ListKind for e in parse_list(sample_text(kind), kind).entries]
    book = CounterBook(None)
    filed: dict[tuple[str, str], Decimal] = {}  # the sellers' filed unit gross weights, as products.filed_weights
    out: list[Decided] = []
    started = time.perf_counter()
    for day_index, day in enumerate(world.per_day):
        on = START + timedelta(days=day_index)
        for order in day:
            lines = lines_of(order)
            seen = observe(lines, ruleset)
            book.load(counted_subjects(seen), met_links(seen), seen.day)
            count(book, seen)  # the consumer's own counting, in a book held in memory
            book.write()
            inputs = {
                name: float(v) if v is not None else None
                for name, v in book.windows(refs, seen.subjects, seen.day).items()
            }
            for name, value in pattern_fields(book, seen.subjects, seen.day, ruleset).items():
                inputs[name] = float(value) if value is not None else None
            for key in weight_keys(lines):
                if key not in filed and (weight := world.filed_weight(*key)) is not None:
                    filed[key] = weight
            fields = {**repeat_fields(book, seen.items, seen.day), **weight_fields(lines, filed, ruleset)}
            for name, value in fields.items():  # R1.2, R2.3
                inputs[name] = float(value) if value is not None else None
            z_min, ratio_min, chance, revenue = value_fields(lines, bands, ruleset)
            listed = screen(
                entries,
                [GoodsLine(line.hs_code, line.goods_name) for line in lines],
                seller=order.seller,
                parties=(order.platform, order.seller, LOGISTICS, AGENT),
                day=on,
            )
            for name, value in listed.items():
                inputs[name] = float(value) if value is not None else None
            inputs["doc.value_cny"] = float(seen.total)
            inputs["doc.lines"] = float(len(lines))
            inputs["doc.near_limit"] = float(seen.near_limit)
            inputs["doc.payer_differs"] = float(order.payer != order.buyer)
            inputs["doc.robust_z_min"] = float(z_min) if z_min is not None else None
            inputs["doc.value_ratio_min"] = float(ratio_min) if ratio_min is not None else None
            inputs["doc.illicit_chance"] = float(chance) if chance is not None else None
            inputs["doc.round_value"] = float(seen.round_value)
            inputs["doc.party_consignee"] = float(order.phone == contact_phone(order.seller))  # L5 (R5.1)
            _, banded = compiled.decide(inputs)
            party, needs = _party_alerts(compiled, inputs, banded), _needs(compiled, inputs, banded)
            out.append((order, banded, revenue, party, needs, inputs["doc.weight_deviation"]))
            if order.undone:  # cancelled or returned within 48 hours: the seller's quick_undo of the day
                book.add(SubjectKind.ENTERPRISE, order.seller, "quick_undo", seen.day, 1)
                book.write()
    return out, time.perf_counter() - started


def _week(order: Order) -> tuple[str, int, int]:
    """Return an order's platform and ISO calendar week."""
    year, week, _ = (START + timedelta(days=order.day)).isocalendar()
    return order.platform, year, week


def _party_lines(decided: list[Decided]) -> list[str]:
    """Return the platform alerts (S7 alone) per platform-week and the seller alerts (F4 alone) per seller."""
    bunched = {_week(o): o.pattern for o, *_ in decided if (o.pattern or "").startswith("bunch")}
    weeks: dict[tuple[str, int, int], int] = defaultdict(int)
    on_planted = 0
    sellers: set[str] = set()
    shops = {o.seller for o, *_ in decided if o.typology == "fake_order" and o.seller.startswith("46017")}
    for order, _, _, (platform, seller), _, _ in decided:
        if platform:
            weeks[_week(order)] += 1
            on_planted += (order.pattern or "").startswith("bunch")
        if seller:
            sellers.add(order.seller)
    true_weeks = [w for w in weeks if w in bunched]
    found = {bunched[w] for w in true_weeks}
    return [
        f"order_splitting platform alerts (S7 alone, one per platform and calendar week): precision "
        f"{(len(true_weeks) / len(weeks) if weeks else 0):.4f} ({fmt(len(true_weeks))} of {fmt(len(weeks))} "
        f"platform-weeks bunched), recall per pattern {(len(found) / len(bunched) if bunched else 0):.4f} "
        f"({fmt(len(found))} of {fmt(len(bunched))} bunched weeks); {fmt(sum(weeks.values()))} alerts on orders, "
        f"{fmt(on_planted)} of them on the planted orders",
        f"fake_order seller alerts (F4 alone, one per seller): {fmt(len(sellers))} sellers, "
        f"{fmt(len(sellers & shops))} of them brushing shops; shops found {fmt(len(sellers & shops))} of "
        f"{fmt(len(shops))}",
    ]


KINDS = (  # planted kinds of 2026.6 (pattern prefix), their typology, the rule that must find them, its index
    ("item", "order_splitting", "S8 (R1.2, the same item again)", 0),
    ("empty", "fake_order", "W1 (R2.3, a parcel lighter than its goods)", 1),
    ("self", "laundering", "L5 (R5.1, the seller's own phone as consignee)", 2),
)


def _kind_lines(decided: list[Decided], typologies: tuple[str, ...]) -> list[str]:
    """Return, for the same-item splits and the empty-parcel shops, the alerts that need their rule (precision:
    on orders of that kind) and the kind's recall per pattern and per order; and the honest parcels W1 scored as
    heavy (15 points, below review)."""
    lines = []
    for kind, typology, rule, needs in KINDS:
        if typology not in typologies:
            continue
        k = typologies.index(typology)
        of_kind = [d for d in decided if (d[0].pattern or "").startswith(f"{kind}-")]
        patterns = {d[0].pattern for d in of_kind}
        found = [d for d in of_kind if d[1][k] >= 1]
        needed = [d for d in decided if d[4][needs]]
        true = sum(1 for d in needed if (d[0].pattern or "").startswith(f"{kind}-"))
        lines.append(
            f"{kind} ({typology}): alerts needing {rule}: {fmt(len(needed))}, {fmt(true)} of them on planted "
            f"{kind} orders (precision {(true / len(needed) if needed else 0):.4f}); recall per pattern "
            f"{(len({d[0].pattern for d in found}) / len(patterns) if patterns else 0):.4f} "
            f"({fmt(len({d[0].pattern for d in found}))} of {fmt(len(patterns))}), per order "
            f"{(len(found) / len(of_kind) if of_kind else 0):.4f} ({fmt(len(found))} of {fmt(len(of_kind))})"
        )
    honest = [d[5] for d in decided if not d[0].typology]
    weighed = [v for v in honest if v is not None]
    lines.append(
        f"parcel weights: {fmt(len(weighed))} of {fmt(len(honest))} honest orders compared with their filings "
        f"(every line filed with a weight, or lighter than its filed lines); "
        f"{fmt(sum(1 for v in weighed if v < -0.3))} more than 30 % light (W1 40), "
        f"{fmt(sum(1 for v in weighed if v >= 0.3))} 30 % or more heavy after the carton allowance (W1 15)"
    )
    return lines


def measure(decided: list[Decided], typologies: tuple[str, ...]) -> list[str]:
    """Return the result lines: per typology precision and recall, the party alerts, and the under-valuation
    budget."""
    alerts: Counter[str] = Counter()
    true: Counter[str] = Counter()
    elsewhere: Counter[str] = Counter()
    orders_found: Counter[str] = Counter()
    planted_orders: Counter[str] = Counter()
    patterns: dict[str, set[str]] = defaultdict(set)
    found: dict[str, set[str]] = defaultdict(set)
    for order, banded, _, (platform_alert, _), _, _ in decided:
        bunch = (order.pattern or "").startswith("bunch")  # measured per platform-week (_party_lines)
        later = is_delivery(order.pattern)  # delivery fraud: measured on the delivery decisions (R2.4)
        if order.typology and not bunch and not later:
            planted_orders[order.typology] += 1
            patterns[order.typology].add(order.pattern or "")
        for k, typology in enumerate(typologies):
            if banded[k] < 1 or (platform_alert and typology == "order_splitting"):
                continue
            alerts[typology] += 1
            if order.typology == typology:
                true[typology] += 1
                if not later:
                    orders_found[typology] += 1
                    found[typology].add(order.pattern or "")
            elif order.typology:
                elsewhere[typology] += 1
    lines = []
    for typology in typologies:
        if typology == "undervaluation":
            continue
        precision = true[typology] / alerts[typology] if alerts[typology] else 0.0
        recall = len(found[typology]) / len(patterns[typology]) if patterns[typology] else 0.0
        per_order = orders_found[typology] / planted_orders[typology] if planted_orders[typology] else 0.0
        lines.append(
            f"{typology}: precision {precision:.4f} ({fmt(true[typology])} of {fmt(alerts[typology])} alerts; "
            f"{fmt(elsewhere[typology])} on orders planted as another typology), recall per pattern {recall:.4f} "
            f"({fmt(len(found[typology]))} of {fmt(len(patterns[typology]))}), per order {per_order:.4f}"
        )
    if "order_splitting" in typologies:
        lines.extend(_party_lines(decided))
    lines.extend(_kind_lines(decided, typologies))
    budget = int(len(decided) * BUDGET)
    k = typologies.index("undervaluation")
    queued = [d for d in decided if d[1][k] >= 1]  # the review band's alerts, as the officers' queue holds them
    ranked = sorted(queued, key=lambda d: (-d[2], d[0].number))[:budget]
    hits = sum(1 for order, *_ in ranked if order.typology == "undervaluation")
    lost_all = sum((order.lost for order, *_ in decided if order.typology == "undervaluation"), Decimal(0))
    lost_found = sum((order.lost for order, *_ in ranked if order.typology == "undervaluation"), Decimal(0))
    anywhere = sorted((d for d in decided if d[2] > 0), key=lambda d: (-d[2], d[0].number))[:budget]
    any_hits = sum(1 for order, *_ in anywhere if order.typology == "undervaluation")
    lines.append(
        f"undervaluation: budget {fmt(budget)} inspections (1 % of orders), {fmt(len(ranked))} used on the "
        f"{fmt(len(queued))} review-band alerts ranked by revenue expected lost; precision "
        f"{(hits / len(ranked) if ranked else 0):.4f}, revenue recall {(lost_found / lost_all if lost_all else 0):.4f} "
        f"({lost_found:,.2f} of {lost_all:,.2f} CNY), {fmt(planted_orders['undervaluation'])} planted orders; "
        f"the budget spent on every order with a revenue expected lost instead: precision "
        f"{(any_hits / len(anywhere) if anywhere else 0):.4f}"
    )
    return lines


def main() -> None:
    """Plan, decide, measure, print and record."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--ruleset", type=Path, help="a ruleset document (default: the shipped one)")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    machine = print_header("risk labelled set")
    ruleset = parse_ruleset(args.ruleset.read_text(encoding="utf-8")) if args.ruleset else shipped_ruleset()
    started = time.perf_counter()
    world = plan_world(args.orders, args.days, args.seed)
    planned = time.perf_counter() - started
    decided, seconds = decide_all(world, ruleset)
    planted = sum(1 for order, *_ in decided if order.typology)
    data = (
        f"{fmt(len(decided))} orders over {args.days} days, {fmt(planted)} planted "
        f"({planted / len(decided):.2%}), seed {args.seed}, ruleset {ruleset.version}; planned in {planned:.1f} s, "
        f"decided in {seconds:.1f} s ({fmt(round(len(decided) / seconds))} orders/s)"
    )
    print(data)
    results = measure(decided, tuple(t.value for t in ruleset.typologies))
    started = time.perf_counter()
    delivered = decide_deliveries(world, ruleset)  # R2.4: each parcel again after release (2026.6 on)
    if delivered:
        results += delivery_lines(delivered)
        results.append(f"delivery decisions: {fmt(len(delivered))} in {time.perf_counter() - started:.1f} s")
    for line in results:
        print(line)
    record("risk labelled set", machine, data, results, enabled=not args.no_record)


if __name__ == "__main__":
    main()
