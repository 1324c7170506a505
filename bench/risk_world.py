"""A labelled synthetic year of import orders for the risk benchmark (风险样本世界): normal buyers with realistic
near misses, and planted patterns of every typology with their labels.

Pure and seeded: ``plan_world(orders, days, seed)`` returns the orders of each day. An order is what the risk
consumer reads of an inventory (its subject keys, lines, seller and parties), with the planted typology and pattern
(None for normal traffic) and, for under-valued lines, the revenue truly lost. The proportions are the issue's:
about 2 % planted, under-valuation the largest share (it is ranked under a 1 % inspection budget, so it must be
near 1 % of orders for a precision of 0.9 to be possible at all).

Normal traffic carries the near misses a zone sees every day, each below the rule it resembles:

* households of one to three buyers at one address, some sharing one phone; offices of four colleagues at one
  address (below the five buyers of F2);
* a buyer paid for by another member of the household (a gift, 3 %);
* one order in a hundred near the 5,000 single limit (in [4,500, 5,000]) and one and a half in a hundred just below
  it (in [4,000, 4,500): a falling density of order values, so a platform's ratio of the two is about 0.67), goods
  whose price is a whole hundred (0.5 %);
* platforms of unequal size (three carry 50 %, 25 % and 10 % of the orders, seventeen share the rest);
* cancels and returns within 48 hours of release: 2 % of a seller's orders, 6 % at one seller in ten (below the
  20 % of R2.5);
* unit prices spread around the band's median with a log standard deviation of 0.25 (a band per HS6 stands for
  the HS6/origin/brand band of the issue: real HS6-only bands spread wider);
* **parcel weights** (R2.3): every line is an item of its seller (``SKU<band>``), the parcel's declared gross
  weight is its units' own packed weight (the band's unit weight, log-uniform 0.05–2.5 kg, each unit within a log
  spread of 0.03) plus a carton of 0.1–0.6 kg, to 10 g; a seller files an item's unit gross weight for 80 % of its
  items (the field is optional), within a log spread of 0.05 of the true weight, 5 % of them the net weight instead
  (10–20 % light), to 10 g;
* **regulars** (R1.2): 3 % of the orders come from buyers who order one cheap item of one seller (a band's median at
  most 250) every 5 to 10 days, one or two units (four or more times in 30 days, mostly under 5,000 in all).

Planted, each as a pattern of orders: order splitting (one buyer, three to five near-limit orders in a day; three
buyers of one household each near the limit on one day; one pattern in four a **same-item split** (R1.2): one buyer
buys 4 to 6 inventories of one item of one seller within 20 days, each under 4,500 and together over 5,000; from
200,000 orders on, one **bunched platform-week** per 500,000 (at least one) — a calendar week of the two largest
platforms in turn in which four to seven times as many buyers as its honest lower-band orders each place one order
just under the limit, a platform splitting baskets: R1.5), fake orders (rings of six to twelve buyer IDs at one
phone and address within a month; one pattern in seven a **brushing shop**, a seller of 40 to 80 orders in a month
from buyers of their own, 30 to 50 % of them cancelled or returned within 48 hours: R2.5; one in seven an
**empty-parcel shop**, a seller shipping 15 to 40 parcels of one to three of its items in a month to buyers of their
own, each parcel weighing 0.05 to 0.4 kg, the carton and a filler: R2.3), ID misuse (six to ten buyer IDs on one
phone, each order paid by the one operator, each to the ID holder's own address), laundering (one payer paying four
to eight buyers' whole-hundred orders within a month; one pattern in four a **self-dealing shop**, two to four
orders of different consumer IDs shipped to the seller's own filed contact phone: R5.1), IP infringement (a recorded
brand, exact or look-alike, sold by an unauthorised seller), quality (a recalled product or a prohibited keyword)
and under-valuation (one line declared at 15–45 % of its price). Deliveries (where each parcel goes, when it is
signed for) and the planted delivery fraud of R2.4 are drawn afterwards by ``bench.risk_deliveries``.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HS6 = 400  # bands
SELLERS = 300
PLATFORMS = 20
PLATFORM_WEIGHTS = (50.0, 25.0, 10.0, *([15.0 / 17] * 17))  # percent of orders: three large platforms
BUNCH_FROM = 200_000  # bunched platform-weeks from this many orders on (a smaller world's weeks hold too few counts)
BUNCH_PER = 500_000  # one bunched platform-week per this many orders (at least one from BUNCH_FROM on)
BELOW_SHARE = 0.015  # normal orders in [4,000, 4,500)
BUNCH_FROM_DAY = 70  # a bunched week has at least 8 whole weeks before it (R1.5's baseline)
WATCHED_SELLER = "4601969901"  # on the shipped watch-list sample (quality, Q3 only: below review alone)
IPR_SELLER = "4601960077"  # not authorised for NORDLYS
RECALL_SELLER = "4601960002"  # authorised for KIWIMILK (no IP alert on the recalled milk powder)
REGULAR_SHARE = 0.03  # orders of regulars: one cheap item of one seller every 5 to 10 days (R1.2's near miss)
FILED_SHARE = 0.8  # items whose seller filed a unit gross weight (optional)
NET_FILED_SHARE = 0.05  # of the filed items: the net weight filed instead of the gross (10-20 % light)
GRAMS = Decimal("0.01")
SPECIAL_WEIGHTS = {"KIWI800": 1.02, "PANG100": 0.16}  # kg: an 800 g tin of formula, a 100 g pouch
PLANTED_SHARES = {  # typology -> share of all orders (about 2 % in all)
    "undervaluation": 0.0110,
    "order_splitting": 0.0021,
    "fake_order": 0.0015,
    "id_misuse": 0.0012,
    "laundering": 0.0010,
    "ip_infringement": 0.0008,
    "quality": 0.0006,
}


@dataclass(frozen=True, slots=True)
class Line:
    """A goods line: HS code, name, quantity, value in CNY."""

    hs_code: str
    name: str
    quantity: Decimal
    value: Decimal
    item_no: str = ""  # the seller's item number (企业商品货号)


@dataclass(frozen=True, slots=True)
class Order:
    """One inventory as the risk consumer reads it, with its label."""

    number: int
    day: int
    buyer: str
    payer: str
    phone: str
    address: str
    seller: str
    platform: str
    lines: tuple[Line, ...]
    typology: str | None = None
    pattern: str | None = None
    lost: Decimal = Decimal(0)  # tax truly lost by under-declaration (under-valuation only)
    undone: bool = False  # cancelled or returned within 48 hours of release (R2.5)
    gross_weight: Decimal | None = None  # the parcel's declared gross weight in kg (R2.3)
    # the delivery (R2.4, bench.risk_deliveries): the consignee's prefecture, the carrier, the hour of release on its
    # day and the hours from release to the signing (None: never signed for)
    region: str | None = None
    carrier: str = "4601970000"
    released_hour: float = 12.0
    signed_after: float | None = None


def band_medians(seed: int) -> list[Decimal]:
    """Return each band's median unit price (CNY), log-uniform from 20 to 2,000."""
    rng = random.Random(seed * 7919 + 1)
    return [Decimal(str(round(math.exp(rng.uniform(math.log(20), math.log(2000))), 2))) for _ in range(HS6)]


def band_weights(seed: int) -> list[float]:
    """Return each band's packed weight of one unit (kg), log-uniform from 0.05 to 2.5."""
    rng = random.Random(seed * 7919 + 2)
    return [math.exp(rng.uniform(math.log(0.05), math.log(2.5))) for _ in range(HS6)]


def _unit(*parts: object) -> float:
    """Return a uniform draw in [0, 1) fixed by its parts (a filing does not change from order to order)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def hs_code(band: int) -> str:
    """Return the 10-digit HS code of a band (its first six digits are the band's HS6)."""
    return f"{330000 + band:06d}0000" if band else "3304990000"


class World:
    """The generator's state: the seeded draws, the buyer pool and the orders planned per day."""

    def __init__(self, orders: int, days: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.orders = orders
        self.days = days
        self.seed = seed
        self.medians = band_medians(seed)
        self.weights = band_weights(seed)
        self.buyers = max(orders // 6, 10)  # about six orders a year each
        self.per_day: list[list[Order]] = [[] for _ in range(days)]
        self.serial = 0
        self.pattern_no = 0

    def add(self, order: Order) -> None:
        """Plan an order on its day."""
        self.per_day[order.day].append(order)

    def next_number(self) -> int:
        """Return the next order number."""
        self.serial += 1
        return self.serial

    def next_pattern(self, prefix: str) -> str:
        """Return a new pattern id."""
        self.pattern_no += 1
        return f"{prefix}-{self.pattern_no}"

    def line(self, band: int, quantity: int, factor: float = 1.0, name: str = "") -> Line:
        """Return a line of a band at a price drawn around its median (times ``factor``)."""
        price = float(self.medians[band]) * math.exp(self.rng.gauss(0, 0.25)) * factor
        unit = Decimal(str(round(max(price, 0.5), 2)))
        return Line(hs_code(band), name or f"商品{band:03d}", Decimal(quantity), unit * quantity, item(band))

    def near_limit_line(self) -> Line:
        """Return one line whose value lies in [4,500, 5,000]."""
        band = self.rng.randrange(1, HS6)
        value = Decimal(self.rng.randint(450_000, 500_000)) / 100
        return Line(hs_code(band), f"商品{band:03d}", Decimal(1), value, item(band))

    def below_limit_line(self) -> Line:
        """Return one line whose value lies in [4,000, 4,500)."""
        band = self.rng.randrange(1, HS6)
        value = Decimal(self.rng.randint(400_000, 449_999)) / 100
        return Line(hs_code(band), f"商品{band:03d}", Decimal(1), value, item(band))

    def unit_weight(self, item_no: str) -> float:
        """Return an item's true packed weight of one unit (kg): its band's (``SKU<band>``) or a named item's."""
        return SPECIAL_WEIGHTS.get(item_no) or self.weights[int(item_no[3:])]

    def parcel(self, lines: tuple[Line, ...]) -> Decimal:
        """Return an honest parcel's declared gross weight: its units' packed weights (each within a log spread of
        0.03) and a carton of 0.1 to 0.6 kg, to 10 g."""
        rng = self.rng
        goods = sum(float(ln.quantity) * self.unit_weight(ln.item_no) * math.exp(rng.gauss(0, 0.03)) for ln in lines)
        return Decimal(str(goods + rng.uniform(0.1, 0.6))).quantize(GRAMS, ROUND_HALF_UP)

    def filed_weight(self, seller: str, item_no: str) -> Decimal | None:
        """Return the unit gross weight the seller filed for an item (None for the 20 % not filed): the true weight
        within a log spread of 0.05, or for 5 % the net weight (10-20 % light), to 10 g (at least 10 g)."""
        if _unit(self.seed, "filed", seller, item_no) >= FILED_SHARE:
            return None
        true = self.unit_weight(item_no)
        if _unit(self.seed, "net", seller, item_no) < NET_FILED_SHARE:
            weight = true * (0.8 + 0.1 * _unit(self.seed, "net-share", seller, item_no))
        else:
            a, b = _unit(self.seed, "spread-a", seller, item_no), _unit(self.seed, "spread-b", seller, item_no)
            weight = true * math.exp(0.05 * math.sqrt(-2 * math.log(1 - a)) * math.cos(2 * math.pi * b))
        return max(Decimal(str(weight)).quantize(GRAMS, ROUND_HALF_UP), GRAMS)

    def platform(self) -> str:
        """Return a platform code, drawn by the platforms' sizes."""
        return f"46018{self.rng.choices(range(PLATFORMS), PLATFORM_WEIGHTS)[0]:05d}"

    def household(self, buyer: int) -> tuple[str, str, str]:
        """Return a normal buyer's key, phone and address (households of 1-3; a fifth of offices of 4)."""
        home = buyer // 3
        shared_phone = home % 4 == 0
        address = f"office-{buyer // 4}" if home % 5 == 0 else f"home-{home}"
        return f"b{buyer}", (f"ph-h{home}" if shared_phone else f"ph-b{buyer}"), address


def item(band: int) -> str:
    """Return the item number of a band's goods (an item is a seller's: two sellers' SKU001 are two items)."""
    return f"SKU{band:03d}"


def _normal(world: World, count: int) -> None:
    rng = world.rng
    for _ in range(count):
        buyer = rng.randrange(world.buyers)
        key, phone, address = world.household(buyer)
        payer = key
        if rng.random() < 0.03:  # a gift paid by the household
            payer = f"b{(buyer // 3) * 3 + (buyer + 1) % 3}"
        pick = rng.random()
        if pick < 0.01:
            lines: tuple[Line, ...] = (world.near_limit_line(),)
        elif pick < 0.01 + BELOW_SHARE:
            lines = (world.below_limit_line(),)
        elif pick < 0.03:
            band = rng.randrange(1, HS6)
            gift = Decimal(rng.choice((1000, 1200, 1500)))
            lines = (Line(hs_code(band), f"礼盒{band:03d}", Decimal(1), gift, item(band)),)
        else:
            lines = tuple(
                world.line(rng.randrange(1, HS6), rng.randint(1, 3)) for _ in range(rng.choice((1, 1, 1, 2, 3)))
            )
        seller = rng.randrange(SELLERS)
        undo_rate = 0.06 if seller % 10 == 0 else 0.02  # honest cancels and returns within 48 hours
        world.add(
            Order(
                world.next_number(),
                rng.randrange(world.days),
                key,
                payer,
                phone,
                address,
                f"46019{seller:05d}",
                world.platform(),
                lines,
                undone=rng.random() < undo_rate,
                gross_weight=world.parcel(lines),
            )
        )


def _regulars(world: World, count: int) -> None:
    """Plan ``count`` orders of regulars: a normal buyer who orders one or two units of one cheap item of one seller
    (a band's median at most 250) every 5 to 10 days from early in the year (R1.2's honest near miss)."""
    rng = world.rng
    cheap = [band for band in range(1, HS6) if world.medians[band] <= 250]
    planned = 0
    while planned < count:
        key, phone, address = world.household(rng.randrange(world.buyers))
        band = rng.choice(cheap)
        unit = Decimal(str(round(float(world.medians[band]) * math.exp(rng.gauss(0, 0.25)), 2)))
        seller, platform = f"46019{rng.randrange(SELLERS):05d}", world.platform()
        day = rng.randrange(10)
        while day < world.days and planned < count:
            quantity = Decimal(rng.randint(1, 2))
            lines = (Line(hs_code(band), f"商品{band:03d}", quantity, unit * quantity, item(band)),)
            number = world.next_number()
            world.add(
                Order(
                    number,
                    day,
                    key,
                    key,
                    phone,
                    address,
                    seller,
                    platform,
                    lines,
                    None,
                    None,
                    Decimal(0),
                    False,
                    world.parcel(lines),
                )
            )
            planned += 1
            day += rng.randint(5, 10)


def _planted(world: World, typology: str, pattern: str, day: int, buyer: str, lines: tuple[Line, ...], **kw) -> None:
    world.add(
        Order(
            world.next_number(),
            day,
            buyer,
            kw.get("payer", buyer),
            kw.get("phone", f"ph-{buyer}"),
            kw.get("address", f"ad-{buyer}"),
            kw.get("seller", f"46019{world.rng.randrange(SELLERS):05d}"),
            kw.get("platform") or world.platform(),
            lines,
            typology,
            pattern,
            kw.get("lost", Decimal(0)),
            kw.get("undone", False),
            kw["gross"] if "gross" in kw else world.parcel(lines),
        )
    )


def _window_day(world: World, span: int) -> tuple[int, int]:
    """Return a first day and a span of at most ``span`` days that fit in the year."""
    first = world.rng.randrange(max(world.days - span, 1))
    return first, min(span, world.days - first)


def _bunched_weeks(world: World) -> int:
    """Plant the bunched platform-weeks on the two largest platforms in turn (R1.5: a smaller one has too few
    inventories in the two bands for a weekly ratio); return the orders.

    A platform splitting baskets under the limit: in one calendar week (Monday to Sunday of the world's days, day 0
    being 2026-01-01, a Thursday) four to seven times as many buyers as the week's honest orders in [4,000, 4,500)
    each place one order in [4,500, 5,000], each on its own phone and address (so no buyer, phone or address rule
    can see them: only the platform's ratio, B about 5 to 8 instead of 0.67)."""
    rng = world.rng
    planted = 0
    weeks = max(1, world.orders // BUNCH_PER) if world.orders >= BUNCH_FROM else 0
    for n in range(weeks):
        pattern = world.next_pattern("bunch")
        platform = f"46018{n % 2:05d}"
        below = world.orders * BELOW_SHARE * PLATFORM_WEIGHTS[n % 2] / 100 / 52  # the week's honest lower band
        monday = 4 + 7 * rng.randrange((BUNCH_FROM_DAY - 4) // 7 + 1, (world.days - 4) // 7)  # day 4 is a Monday
        for member in range(round(rng.uniform(4, 7) * below)):
            day = min(monday + rng.randrange(7), world.days - 1)
            line = (world.near_limit_line(),)
            _planted(world, "order_splitting", pattern, day, f"w{pattern}m{member}", line, platform=platform)
            planted += 1
    return planted


def _brushing_shop(world: World, pattern: str) -> int:
    """Plant a brushing shop (刷单店铺, R2.5): 40 to 80 orders in a month from buyers of its own, 30 to 50 % of them
    cancelled or returned within 48 hours; return the orders."""
    rng = world.rng
    first, span = _window_day(world, 28)
    seller = f"46017{world.pattern_no:05d}"
    rate = rng.uniform(0.3, 0.5)
    size = rng.randint(40, 80)
    for member in range(size):
        line = (world.line(rng.randrange(1, HS6), 1),)
        kw = {"seller": seller, "undone": rng.random() < rate}
        _planted(world, "fake_order", pattern, first + rng.randrange(span), f"y{pattern}m{member}", line, **kw)
    return size


def _empty_parcel_shop(world: World, pattern: str) -> int:
    """Plant an empty-parcel shop (空包刷单, R2.3): 15 to 40 parcels in a month of one to three of its items, to buyers
    of its own (each with a phone and address of their own), each parcel 0.05 to 0.4 kg — a carton and a filler;
    return the orders. Its filings are as any seller's: a fifth of its items carry no filed weight."""
    rng = world.rng
    first, span = _window_day(world, 28)
    seller = f"46016{world.pattern_no:05d}"
    bands = [rng.randrange(1, HS6) for _ in range(rng.randint(1, 3))]
    size = rng.randint(15, 40)
    for member in range(size):
        line = (world.line(rng.choice(bands), 1),)
        empty = Decimal(str(round(rng.uniform(0.05, 0.4), 2)))
        kw = {"seller": seller, "gross": empty}
        _planted(world, "fake_order", pattern, first + rng.randrange(span), f"e{pattern}m{member}", line, **kw)
    return size


def contact_phone(seller: str) -> str:
    """Return the subject key of a seller's filed contact phone (``enterprise.contact_phone_key``)."""
    return f"ph-seller-{seller}"


def _self_dealing_shop(world: World, pattern: str) -> int:
    """Plant a self-dealing shop (自买自卖, R5.1): two to four orders in a month, each paid by a different consumer ID
    for goods shipped to the seller's own filed contact phone (at an address of each order's own), fewer than
    F1's five buyers to a phone; return the orders."""
    rng = world.rng
    first, span = _window_day(world, 28)
    seller = f"46015{world.pattern_no:05d}"
    size = rng.randint(2, 4)
    for member in range(size):
        lines = (world.line(rng.randrange(1, HS6), rng.randint(1, 2)),)
        kw = {"seller": seller, "phone": contact_phone(seller)}
        _planted(world, "laundering", pattern, first + rng.randrange(span), f"c{pattern}m{member}", lines, **kw)
    return size


def _item_split(world: World, pattern: str) -> int:
    """Plant a same-item split (R1.2): one buyer buys one item of one seller (a band's median 300 to 2,000) in 4 to 6
    inventories within 20 days, each under 4,500, together over 5,000; return the orders."""
    rng = world.rng
    band = rng.choice([b for b in range(1, HS6) if 300 <= world.medians[b] <= 2000])
    unit = Decimal(str(round(float(world.medians[band]) * math.exp(rng.gauss(0, 0.25)), 2)))
    seller = f"46019{rng.randrange(SELLERS):05d}"
    first, span = _window_day(world, 20)
    buyer = f"s{pattern}"
    parts = rng.randint(4, 6)
    quantities = []
    for _ in range(parts):
        quantity = max(1, round(rng.uniform(1300, 4000) / float(unit)))
        while quantity > 1 and quantity * unit >= 4500:
            quantity -= 1
        quantities.append(quantity)
    while sum(quantities) * unit <= 5000:  # under the limit in all is no splitting: one more inventory
        quantities.append(quantities[0])
    for quantity in quantities:
        line = (Line(hs_code(band), f"商品{band:03d}", Decimal(quantity), unit * quantity, item(band)),)
        _planted(world, "order_splitting", pattern, first + rng.randrange(span), buyer, line, seller=seller)
    return len(quantities)


def plant(world: World, typology: str, orders: int) -> None:
    """Plant about ``orders`` orders of one typology, pattern by pattern."""
    rng = world.rng
    planted = 0
    if typology == "order_splitting":
        planted += _bunched_weeks(world)
    while planted < orders:
        pattern = world.next_pattern(typology)
        pick = rng.random()
        if typology == "fake_order" and pick < 1 / 7:
            planted += _brushing_shop(world, pattern)
        elif typology == "fake_order" and pick < 2 / 7:
            planted += _empty_parcel_shop(world, world.next_pattern("empty"))
        elif typology == "order_splitting" and pick < 0.25:
            planted += _item_split(world, world.next_pattern("item"))
        elif typology == "laundering" and pick < 0.25:
            planted += _self_dealing_shop(world, world.next_pattern("self"))
        elif typology == "order_splitting":
            day = rng.randrange(world.days)
            if rng.random() < 0.7:  # one buyer splits a purchase
                buyer = f"s{pattern}"
                for _ in range(rng.randint(3, 5)):
                    _planted(world, typology, pattern, day, buyer, (world.near_limit_line(),))
                    planted += 1
            else:  # a household splits it over its members
                for member in range(3):
                    buyer = f"s{pattern}m{member}"
                    shared = {"phone": f"ph-{pattern}", "address": f"ad-{pattern}"}
                    _planted(world, typology, pattern, day, buyer, (world.near_limit_line(),), **shared)
                    planted += 1
        elif typology in ("fake_order", "id_misuse", "laundering"):
            first, span = _window_day(world, 28)
            size = rng.randint(6, 12) if typology == "fake_order" else rng.randint(6, 10)
            if typology == "laundering":
                size = rng.randint(4, 8)
            for member in range(size):
                buyer = f"x{pattern}m{member}"
                day = first + rng.randrange(span)
                if typology == "fake_order":
                    kw = {"phone": f"ph-{pattern}", "address": f"ad-{pattern}"}
                    lines = (world.line(rng.randrange(1, HS6), 1),)
                elif typology == "id_misuse":
                    kw = {"phone": f"ph-{pattern}", "payer": f"op-{pattern}"}
                    lines = (world.line(rng.randrange(1, HS6), rng.randint(1, 2)),)
                else:
                    kw = {"payer": f"mule-{pattern}"}
                    band = rng.randrange(1, HS6)
                    gift = Decimal(rng.randint(10, 30) * 100)
                    lines = (Line(hs_code(band), f"礼盒{band:03d}", Decimal(1), gift, item(band)),)
                _planted(world, typology, pattern, day, buyer, lines, **kw)
                planted += 1
        elif typology == "ip_infringement":
            name = rng.choice(("NORDLYS 诺德丽丝精华液30毫升", "N0RDLYS 精华液30毫升", "诺德丽丝面霜50克"))
            line = world.line(0, 1, name=name)
            _planted(world, typology, pattern, rng.randrange(world.days), f"i{pattern}", (line,), seller=IPR_SELLER)
            planted += 1
        elif typology == "quality":
            day = rng.randrange(46, world.days)  # the recall is in force from 2026-02-15
            if rng.random() < 0.6:
                line = Line(
                    "1901101000", "KIWIMILK 奇异牧场婴幼儿配方奶粉800克", Decimal(2), Decimal("398.00"), "KIWI800"
                )
                seller = RECALL_SELLER
            else:
                line = Line("0508009000", "穿山甲鳞片粉100克", Decimal(1), Decimal("260.00"), "PANG100")
                seller = f"46019{rng.randrange(SELLERS):05d}"
            _planted(world, typology, pattern, day, f"q{pattern}", (line,), seller=seller)
            planted += 1
        elif typology == "undervaluation":
            band = rng.randrange(1, HS6)
            quantity = rng.randint(1, 3)
            true = world.line(band, quantity)
            share = Decimal(str(round(rng.uniform(0.15, 0.45), 4)))
            declared = Line(
                true.hs_code, true.name, true.quantity, (true.value * share).quantize(Decimal("0.01")), true.item_no
            )
            lost = ((true.value - declared.value) * Decimal("0.091")).quantize(Decimal("0.01"))
            buyer = f"b{rng.randrange(world.buyers)}"
            _planted(world, typology, pattern, rng.randrange(world.days), buyer, (declared,), lost=lost)
            planted += 1
        else:
            raise ValueError(f"unknown typology {typology}")


def plan_world(orders: int, days: int, seed: int, *, deliveries: bool = True) -> World:
    """Return a world of about ``orders`` orders over ``days`` days, planted at the shares above; with
    ``deliveries``, each order's delivery and the planted delivery fraud (``bench.risk_deliveries``), drawn after
    the rest so that the orders above are the same either way."""
    world = World(orders, days, seed)
    planted = {t: round(orders * share) for t, share in PLANTED_SHARES.items()}
    for typology, count in planted.items():
        plant(world, typology, count)
    _regulars(world, round(orders * REGULAR_SHARE))
    _normal(world, max(orders - world.serial, 0))
    for day in world.per_day:
        world.rng.shuffle(day)
    if deliveries:
        from bench.risk_deliveries import plant_deliveries  # it reads this module's orders

        plant_deliveries(world, seed)
    return world
