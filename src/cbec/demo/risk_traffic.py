"""A seeded, labelled synthetic traffic plan for the risk system (风险样本): normal buyers plus planted patterns.

Pure planning (no database): the caller sends the sets through the real intake, each document declared by its
declaring party (orders by the e-commerce enterprise, payments by the payment company, waybills by the logistics
company, inventories by the declaring agent). Planted, with their labels:

* ``order_splitting`` (化整为零): a buyer places three inventories just under the 5,000 single limit on one day;
  and a "family" of three buyers at one address and phone, each just under the limit on one day.
* ``fake_order`` (刷单): six buyers sharing one consignee phone and address, each with one ordinary order, spread
  over the days.
* ``laundering`` (洗钱 / 非真实贸易): one payer (not the buyer) pays for four buyers' orders of whole-hundred totals
  (gift boxes at 1,000), spread over the days. Clearance takes a payer other than the buyer only on a platform
  that certified its buyers' identity (M4, ``identity_certified_platforms``): the sender must configure that.
* ``id_misuse`` (身份冒用): one operator orders in the names of six ID holders, all on the operator's phone and paid
  by the operator, spread over the days (opt-in: ``id_misusers=1``; the same certified platform as laundering).
* ``ip_infringement`` (侵权): two buyers each buy goods named after a brand recorded in the shipped synthetic IPR
  list (``NORDLYS``), from a seller the recordation does not authorise; a second pattern with a look-alike name
  (``N0RDLYS``).
* ``quality`` (质量安全): two orders of a recalled milk powder (``KIWIMILK``, whose seller is authorised for the
  brand, so no IP alert), one order of goods with a prohibited keyword (穿山甲).
* ``undervaluation`` (低报价格): buyers each declaring one unit of the cheap goods at ``undervalued_share`` of its
  price, on the last day (opt-in: ``undervalued=1``). A rule compares the price with its HS6's band, which
  ``cbec.risk.service.refresh_bands`` computes from the facts already stored: the caller refreshes the bands before
  sending the last day, as a zone's nightly job would, and needs about 30 earlier lines of the cheap goods
  (``band_min_lines``).

The laundering and list patterns are opt-in (``launderers=2, list_patterns=True``; the defaults plan the traffic
of earlier rounds unchanged, draw for draw): the list patterns need the shipped sample lists loaded
(``cbec.risk.lists.load_samples``) — without them no rule of those typologies has an input (``insufficient``), as
in a zone that loaded no list —, and the mules need a certified platform (below).

A pattern is a group of orders; ``labels`` maps every planted order to its typology and ``patterns`` each pattern
to its orders, so precision can be measured per alert and recall per pattern.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from cbec.demo.builders import Buyer, DocumentSet, Goods, Parties, build_set
from cbec.demo.people import make_buyers

Entry = tuple[Buyer, list[tuple[Goods, Decimal]], str | None]  # buyer, goods lines, pattern (None: normal)
PLANTED = {  # pattern name prefix -> typology
    "split": "order_splitting",
    "family": "order_splitting",
    "ring": "fake_order",
    "launder": "laundering",
    "misuse": "id_misuse",
    "ipr": "ip_infringement",
    "recall": "quality",
    "prohibited": "quality",
    "underval": "undervaluation",
}


def planted_goods(cheap: Goods, dear: Goods) -> dict[str, Goods]:
    """Return the goods of the list and laundering patterns, made from the caller's (same HS codes, new names)."""
    return {
        "gift": replace(dear, item_no="SKU-GIFT-1000", name="精华液礼盒", unit_price=Decimal("1000.00")),
        "ipr-exact": replace(dear, item_no="SKU-NORDLYS-30", name="NORDLYS 诺德丽丝精华液30毫升"),
        "ipr-alike": replace(dear, item_no="SKU-N0RDLYS-30", name="N0RDLYS 精华液30毫升"),
        "recall": replace(cheap, item_no="SKU-KIWIMILK-800", name="KIWIMILK 奇异牧场婴幼儿配方奶粉800克"),
        "prohibited": replace(cheap, item_no="SKU-PANGOLIN-100", name="穿山甲鳞片粉100克"),
    }


@dataclass(frozen=True, slots=True)
class RiskTraffic:
    """Sets to send per day, and the planted labels."""

    days: list[tuple[datetime, list[DocumentSet]]]
    labels: dict[str, str]  # order number -> planted typology
    patterns: dict[str, tuple[str, list[str]]]  # pattern id -> (typology, order numbers)

    @property
    def orders(self) -> int:
        """How many sets in all."""
        return sum(len(sets) for _, sets in self.days)


def plan_risk_traffic(
    parties: Parties,
    goods: tuple[Goods, Goods],
    *,
    seed: int,
    start: datetime,
    days: int = 3,
    normal_buyers: int = 60,
    splitters: int = 4,
    families: int = 1,
    rings: int = 3,
    ring_size: int = 6,
    launderers: int = 0,
    mule_buyers: int = 4,
    list_patterns: bool = False,
    id_misusers: int = 0,
    misuse_ids: int = 6,
    undervalued: int = 0,
    undervalued_share: Decimal = Decimal("0.3"),
) -> RiskTraffic:
    """Return a plan over ``days`` days from ``start`` (declaration times a minute apart from ``start``'s time).

    ``goods``: a cheap item (normal orders, several per line allowed) and a dear one; near-limit orders take as
    many units of the dear one as fit in [4,500, 5,000].
    """
    rng = random.Random(seed)
    cheap, dear = goods
    near_qty = Decimal(int(Decimal(5000) // dear.unit_price))
    if not Decimal(4500) <= near_qty * dear.unit_price <= Decimal(5000):
        raise ValueError("the dear goods cannot make a near-limit order")
    listed = 7 if list_patterns else 0  # buyers of the list patterns: 2 + 2 exact and look-alike, 2 recall, 1
    crowd = normal_buyers + splitters + 3 * families + rings * ring_size
    misused = id_misusers * (misuse_ids + 1)  # an operator and the ID holders, drawn last (earlier draws unchanged)
    drawn = crowd + launderers * (mule_buyers + 1) + listed + misused
    people = make_buyers(drawn + undervalued, seed=seed, today=start.date())
    people, under_people = people[:drawn], people[drawn:]  # the under-declarers after everyone else
    people, misuse_people = people[: len(people) - misused], people[len(people) - misused :]
    normal, rest = people[:normal_buyers], people[normal_buyers:]
    split_buyers, rest = rest[:splitters], rest[splitters:]
    family_buyers, rest = rest[: 3 * families], rest[3 * families :]
    ring_buyers, rest = rest[: rings * ring_size], rest[rings * ring_size :]
    mule_people, list_buyers = rest[: launderers * (mule_buyers + 1)], rest[launderers * (mule_buyers + 1) :]
    per_day: list[list[Entry]] = [[] for _ in range(days)]
    payers: dict[tuple[str, str], Buyer] = {}  # (pattern, buyer's ID number) -> a payer who is not the buyer
    patterns: dict[str, tuple[str, list[str]]] = {}

    for buyer in normal:
        for _ in range(rng.choice((1, 1, 2))):
            item = rng.choice((cheap, dear))
            per_day[rng.randrange(days)].append((buyer, [(item, Decimal(rng.randint(1, 3)))], None))
    for n, buyer in enumerate(split_buyers):
        day = rng.randrange(days)
        for _ in range(3):
            per_day[day].append((buyer, [(dear, near_qty)], f"split-{n}"))
    for f in range(families):
        phone, address = family_buyers[3 * f].phone, family_buyers[3 * f].address
        day = rng.randrange(days)
        for buyer in family_buyers[3 * f : 3 * f + 3]:
            per_day[day].append((replace(buyer, phone=phone, address=address), [(dear, near_qty)], f"family-{f}"))
    for r in range(rings):
        members = ring_buyers[r * ring_size : (r + 1) * ring_size]
        phone, address = members[0].phone, members[0].address
        for buyer in members:
            line = (cheap, Decimal(rng.randint(1, 2)))
            per_day[rng.randrange(days)].append((replace(buyer, phone=phone, address=address), [line], f"ring-{r}"))
    special = planted_goods(cheap, dear)
    for m in range(launderers):
        group = mule_people[m * (mule_buyers + 1) : (m + 1) * (mule_buyers + 1)]
        mule, buyers = group[0], group[1:]
        for buyer in buyers:
            per_day[rng.randrange(days)].append(
                (buyer, [(special["gift"], Decimal(rng.randint(1, 2)))], f"launder-{m}")
            )
            payers[(f"launder-{m}", buyer.id_number)] = mule
    for m in range(id_misusers):
        group = misuse_people[m * (misuse_ids + 1) : (m + 1) * (misuse_ids + 1)]
        operator, holders = group[0], group[1:]
        for holder in holders:
            line = (cheap, Decimal(rng.randint(1, 2)))
            entry = (replace(holder, phone=operator.phone), [line], f"misuse-{m}")
            per_day[rng.randrange(days)].append(entry)
            payers[(f"misuse-{m}", holder.id_number)] = operator
    if list_patterns:
        plan = [
            ("ipr-0", "ipr-exact"),
            ("ipr-0", "ipr-exact"),
            ("ipr-1", "ipr-alike"),
            ("ipr-1", "ipr-alike"),
            ("recall-0", "recall"),
            ("recall-0", "recall"),
            ("prohibited-0", "prohibited"),
        ]
        for buyer, (name, goods_key) in zip(list_buyers, plan, strict=True):
            per_day[rng.randrange(days)].append((buyer, [(special[goods_key], Decimal(1))], name))
    low = replace(cheap, unit_price=(cheap.unit_price * undervalued_share).quantize(Decimal("0.01")))
    for u, buyer in enumerate(under_people):
        per_day[-1].append((buyer, [(low, Decimal(1))], f"underval-{u}"))

    planned: list[tuple[datetime, list[DocumentSet]]] = []
    labels: dict[str, str] = {}
    serial = 0
    for d, entries in enumerate(per_day):
        rng.shuffle(entries)
        day_start = start + timedelta(days=d)
        sets = []
        for minute, (buyer, items, pattern) in enumerate(entries):
            serial += 1
            order_no = f"RSK{day_start:%Y%m%d}{seed % 100:02d}{serial:05d}"
            at = day_start + timedelta(seconds=20 * minute)
            built = build_set(parties, buyer, items, order_no=order_no, logistics_no=f"L{order_no}", at=at)
            payer = payers.get((pattern or "", buyer.id_number))
            if payer is not None:  # someone else pays: the payment names the payer, not the buyer
                paid = replace(
                    built.payment, payer_id_number=payer.id_number, payer_name=payer.name, payer_phone=payer.phone
                )
                built = replace(built, payment=paid)
            sets.append(built)
            if pattern is not None:
                typology = PLANTED[pattern.split("-")[0]]
                labels[order_no] = typology
                patterns.setdefault(pattern, (typology, []))[1].append(order_no)
        planned.append((day_start, sets))
    return RiskTraffic(planned, labels, patterns)
