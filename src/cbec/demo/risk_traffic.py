"""A seeded, labelled synthetic traffic plan for the risk system (风险样本): normal buyers plus planted patterns.

Pure planning (no database): the caller sends the sets through the real intake, each document declared by its
declaring party (orders by the e-commerce enterprise, payments by the payment company, waybills by the logistics
company, inventories by the declaring agent). Planted, with their labels:

* ``order_splitting`` (化整为零): a buyer places three inventories just under the 5,000 single limit on one day;
  and a "family" of three buyers at one address and phone, each just under the limit on one day.
* ``fake_order`` (刷单): six buyers sharing one consignee phone and address, each with one ordinary order, spread
  over the days.

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
    people = make_buyers(normal_buyers + splitters + 3 * families + rings * ring_size, seed=seed, today=start.date())
    normal, rest = people[:normal_buyers], people[normal_buyers:]
    split_buyers, rest = rest[:splitters], rest[splitters:]
    family_buyers, ring_buyers = rest[: 3 * families], rest[3 * families :]
    per_day: list[list[tuple[Buyer, list[tuple[Goods, Decimal]], str | None]]] = [[] for _ in range(days)]
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
            sets.append(build_set(parties, buyer, items, order_no=order_no, logistics_no=f"L{order_no}", at=at))
            if pattern is not None:
                typology = "fake_order" if pattern.startswith("ring") else "order_splitting"
                labels[order_no] = typology
                patterns.setdefault(pattern, (typology, []))[1].append(order_no)
        planned.append((day_start, sets))
    return RiskTraffic(planned, labels, patterns)
