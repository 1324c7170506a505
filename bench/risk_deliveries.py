"""Deliveries in the labelled world (放行后投递, R2.4): where each parcel goes, who carries it, when it is signed for,
and the planted delivery fraud; and the delivery decisions the bench measures.

Applied by ``bench.risk_world.plan_world`` after the year is planned, with a random generator of its own (the
orders planned before are drawn exactly as without it). The zone releases at customs 4601 (its seat, by
``cbec.reference.geography``, Zhengzhou).

Honest traffic, near misses included:

* a household's consignee region: 60 % one of twenty large cities, 40 % any prefecture; 0.5 % of households none
  (no district, an address without a province or prefecture name); 0.3 % of orders declare a wrong prefecture
  (a stale district code) while the parcel goes to the household's own;
* the carrier: one of ten logistics enterprises per seller; **one of them reports signings for only 40 % of its
  parcels** (a reporting gap: its sellers look undelivered);
* the signing: released between 09:00 and 20:00 and signed for after ``max(3, lognormal(log(10 + km / 35), 0.35))``
  hours (about 10 h in the same city, 39 h at 1,000 km, 96 h at 3,000 km); 2 % of parcels within 100 km are
  delivered the same day in 1 to 3 hours (a bonded warehouse's own city); 0.2 % report a signing time 8 hours early
  (a clock in UTC); 0.5 % are never signed for (lost, refused);
* cancelled or returned within 48 hours (``undone``): no delivery judged.

Planted (``fake_order``, 0.12 % of orders and at least one shop of each kind, in turn): **false-signing shops**
(``fsign-…``: 30 to 60 parcels in a month to buyers of their own all over the country, each "signed for" 0.3 to
1.9 hours after release by a carrier of their own — the parcels near the zone are not told apart) and
**never-delivering shops** (``nodeliv-…``: 40 to 80 parcels in a month, 35 to 70 % of them never signed for: goods
diverted after release, or never sent).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from bench.risk_world import HS6, Line, Order, World, hs_code
from cbec.common.clock import SHANGHAI
from cbec.facts.queries import Parcel
from cbec.reference.geography import customs_place, distance_km, place, prefectures
from cbec.risk.book import CounterBook
from cbec.risk.deliveries import reads_deliveries, share, signed_fields
from cbec.risk.rules import CounterRef, Ruleset, SubjectKind, Typology
from cbec.risk.versions.compile import compile_ruleset

CUSTOMS = "4601"
START = date(2026, 1, 1)
DELIVERY_SHARE = 0.0012  # planted delivery fraud, orders
CARRIERS = 10
GAP_CARRIER = f"46019700{CARRIERS - 1:02d}"  # reports signings for 40 % of its parcels
COLLUDING = "4601979901"  # the false-signing shops' own carrier
BIG = (
    "310100", "110100", "440300", "440100", "330100", "320500", "320100", "510100", "500100", "420100",
    "610100", "370200", "120100", "350200", "430100", "410100", "330200", "441900", "440600", "210200",
)  # fmt: skip
DELIVERY_PATTERNS = ("fsign", "nodeliv")


def is_delivery(pattern: str | None) -> bool:
    """Tell whether a pattern is planted delivery fraud (measured on delivery decisions, not at entry)."""
    return (pattern or "").startswith(DELIVERY_PATTERNS)


def carrier_of(seller: str) -> str:
    """Return a seller's logistics enterprise (one of ten)."""
    return f"46019700{int(seller) % CARRIERS:02d}"


class Deliveries:
    """The delivery draws: regions per household, seats' distances, delays."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed * 104_729 + 3)
        self.codes = [p.code for p in prefectures()]
        self.origin = customs_place(CUSTOMS)
        self.regions: dict[str, str | None] = {}
        self.km: dict[str | None, float] = {}

    def region(self) -> str | None:
        """Draw a household's consignee prefecture (None: unknown)."""
        rng = self.rng
        if rng.random() < 0.005:
            return None
        return rng.choice(BIG) if rng.random() < 0.6 else rng.choice(self.codes)

    def distance(self, region: str | None) -> float:
        """Return the km from the release customs to a region's seat (0 when unknown)."""
        if region not in self.km:
            seat = place(region)
            self.km[region] = float(distance_km(self.origin, seat)) if seat is not None and self.origin else 0.0
        return self.km[region]

    def honest_delay(self, km: float) -> float:
        """Return the hours from release to an honest signing at a distance."""
        rng = self.rng
        if km < 100 and rng.random() < 0.02:
            return rng.uniform(1, 3)  # delivered within the city the same day
        hours = max(3.0, rng.lognormvariate(math.log(10 + km / 35), 0.35))
        return hours - 8 if rng.random() < 0.002 else hours  # a carrier's clock in UTC

    def honest(self, order: Order) -> Order:
        """Return an honest order with its region, carrier, release hour and signing."""
        rng = self.rng
        if order.address not in self.regions:
            self.regions[order.address] = self.region()
        region = self.regions[order.address]
        carrier = carrier_of(order.seller)
        delay: float | None = self.honest_delay(self.distance(region))
        if rng.random() < 0.005 or (carrier == GAP_CARRIER and rng.random() < 0.6):
            delay = None  # lost or refused; or signed but not reported by the gap carrier
        declared = rng.choice(self.codes) if rng.random() < 0.003 else region  # a stale district code
        return replace(order, region=declared, carrier=carrier, released_hour=rng.uniform(9, 20), signed_after=delay)


def _shop(world: World, draws: Deliveries, pattern: str, number: int, planted: list[Order]) -> int:
    rng = draws.rng
    false_signing = pattern.startswith("fsign")
    size = rng.randint(30, 60) if false_signing else rng.randint(40, 80)
    first = rng.randrange(max(world.days - 28, 1))
    seller = f"{'46016' if false_signing else '46015'}{number:05d}"
    unsigned = rng.uniform(0.35, 0.7)
    for member in range(size):
        band = rng.randrange(1, HS6)
        price = Decimal(str(round(float(world.medians[band]) * math.exp(rng.gauss(0, 0.25)), 2)))
        buyer = f"{pattern}m{member}"
        region = draws.region()
        delay: float | None
        if false_signing:
            delay = rng.uniform(0.3, 1.9)
        else:
            delay = None if rng.random() < unsigned else draws.honest_delay(draws.distance(region))
        order = Order(
            world.next_number(),
            min(first + rng.randrange(28), world.days - 1),
            buyer,
            buyer,
            f"ph-{buyer}",
            f"ad-{buyer}",
            seller,
            world.platform(),
            (Line(hs_code(band), f"商品{band:03d}", Decimal(1), price),),
            "fake_order",
            pattern,
            region=region,
            carrier=COLLUDING if false_signing else f"46019700{rng.randrange(CARRIERS - 1):02d}",
            released_hour=rng.uniform(9, 20),
            signed_after=delay,
        )
        planted.append(order)
    return size


def plant_deliveries(world: World, seed: int) -> None:
    """Give every planned order its delivery, then plant the delivery fraud at random places in its days."""
    draws = Deliveries(seed)
    for day in world.per_day:
        day[:] = [draws.honest(order) for order in day]
    planted: list[Order] = []
    target = round(world.orders * DELIVERY_SHARE)
    count = shops = 0
    while count < target or shops < 2:  # at least one shop of each kind
        shops += 1
        pattern = world.next_pattern(DELIVERY_PATTERNS[(shops - 1) % 2])
        count += _shop(world, draws, pattern, shops, planted)
    for order in planted:
        day = world.per_day[order.day]
        day.insert(draws.rng.randrange(len(day) + 1), order)


# --- the delivery decisions -------------------------------------------------------------------------------------

Delivered = tuple[Order, str, bool]  # the order, the rule that judged it (D1 signed, D2 unsigned), alerted


def _parcel(order: Order, released_at: datetime) -> Parcel:
    return Parcel(
        eport_no=f"E{order.number}",
        order_no=f"O{order.number}",
        inventory_no=None,
        tenant=None,
        platform_code=order.platform,
        ecommerce_code=order.seller,
        logistics_code=order.carrier,
        logistics_no=f"L{order.number}",
        agent_code="4601980001",
        customs_code=CUSTOMS,
        consignee_region=order.region,
        status="released",
        released_at=released_at,
    )


def decide_deliveries(world: World, ruleset: Ruleset) -> list[Delivered]:
    """Decide every parcel's delivery as the consumer (a signing) and the sweep (none, unsigned_days later) do, release
    day by release day, the sellers' and carriers' released and unsigned buckets in a book held in memory."""
    if not reads_deliveries(ruleset):
        return []
    compiled = compile_ruleset(ruleset, float)
    k = compiled.typologies.index(Typology.FAKE_ORDER)
    least = ruleset.parameter("unsigned_min_parcels")
    refs = [CounterRef(SubjectKind.ENTERPRISE, f, 30) for f in ("released", "unsigned")]
    book = CounterBook(None)
    out: list[Delivered] = []
    for index, day in enumerate(world.per_day):
        on = START + timedelta(days=index)
        midnight = datetime.combine(on, time(0), tzinfo=SHANGHAI)
        out_now: list[Order] = []
        for order in day:
            if order.undone:
                continue  # cancelled or returned: not delivered, not judged
            released_at = midnight + timedelta(hours=order.released_hour)
            for code in {order.seller, order.carrier}:
                book.add(SubjectKind.ENTERPRISE, code, "released", on, 1)
            if order.signed_after is None:
                out_now.append(order)
                for code in {order.seller, order.carrier}:
                    book.add(SubjectKind.ENTERPRISE, code, "unsigned", on, 1)
                continue
            fields = signed_fields(_parcel(order, released_at), released_at + timedelta(hours=order.signed_after))
            inputs = {name: float(v) if v is not None else None for name, v in fields.items()}
            out.append((order, "D1", compiled.decide(inputs)[1][k] >= 1))
        book.write()
        shares: dict[str, Decimal | None] = {}
        for code in {o.seller for o in out_now} | {o.carrier for o in out_now}:
            sums = book.windows(refs, {SubjectKind.ENTERPRISE: code}, on)
            shares[code] = share(sums[refs[1].name], sums[refs[0].name], least)
        for order in out_now:
            mine, carrier = shares[order.seller], shares[order.carrier]
            inputs = {
                "doc.unsigned": 1.0,
                "doc.unsigned_share": float(mine) if mine is not None else None,
                "doc.carrier_unsigned_share": float(carrier) if carrier is not None else None,
            }
            out.append((order, "D2", compiled.decide(inputs)[1][k] >= 1))
    return out


def delivery_lines(delivered: Sequence[Delivered]) -> list[str]:
    """Return the delivery figures: per rule, precision per alert, recall per planted shop and per parcel; and the
    sellers alerted (one case each), how many of them the planted shops."""
    lines = []
    for rule, prefix, what in (("D1", "fsign", "false signings"), ("D2", "nodeliv", "never signed")):
        judged = [(o, alerted) for o, r, alerted in delivered if r == rule]
        alerts = [o for o, alerted in judged if alerted]
        true = [o for o in alerts if (o.pattern or "").startswith(prefix)]
        planted = [o for o, _ in judged if (o.pattern or "").startswith(prefix)]
        shops = {o.pattern for o in planted}
        found = {o.pattern for o in true}
        sellers = {o.seller for o in alerts}
        shop_sellers = {o.seller for o in planted}
        causes = Counter(_cause(o) for o in alerts if o not in true)
        lines.append(
            f"fake_order delivery {rule} ({what}): precision {(len(true) / len(alerts) if alerts else 0):.4f} "
            f"({len(true):,} of {len(alerts):,} alerts; false: {dict(sorted(causes.items())) or 'none'}), recall per "
            f"shop {(len(found) / len(shops) if shops else 0):.4f} ({len(found)} of {len(shops)}), per parcel "
            f"{(len(true) / len(planted) if planted else 0):.4f} ({len(true):,} of {len(planted):,} judged); "
            f"{len(sellers)} sellers alerted, {len(sellers & shop_sellers)} of them planted shops"
        )
    return lines


def _cause(order: Order) -> str:
    """Return why an honest parcel alerted (for the false-positive tally)."""
    if order.typology:
        return f"planted {order.typology}"
    if order.carrier == GAP_CARRIER:
        return "gap carrier"
    return "honest"
