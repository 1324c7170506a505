"""Fields of an inventory's goods (商品特征), pure: the same item bought again and again by one buyer (R1.2, order
splitting) and a parcel's declared gross weight against its goods' filed weights (R2.3, fake orders). Ruleset 2026.6.

* **R1.2 the same item in 30 days.** An item is one e-commerce enterprise's item number (企业商品货号: two sellers'
  ``SKU-1`` are two items). Its counters are kept per buyer and item, subject kind ``buyer_item``, keyed by a digest
  of the buyer key, the enterprise and the item number (a pseudonym of a pseudonym: no personal data):
  ``inventories`` (one per inventory holding the item, however many lines or units) and ``value`` (the item's lines'
  value in CNY, kept in fen). ``doc.item_repeat`` is, over the inventory's items, the most of the buyer's inventories
  of the 30 days ending on the inventory's day that hold one item (this one included); ``doc.item_repeat_value`` is
  that item's value over them (of two items with the same count, the larger value). Unknown (None) without a buyer
  key or when no line carries an item number.
* **R2.3 gross weight off the filing (空包).** The inventory's declared gross weight G (kg, on each of its fact lines)
  against W = Σ quantity × the filed unit gross weight of the line's item (``cbec.products.filed_goods``, by the
  e-commerce enterprise's code and the item number). Only when G is declared and **every** line's item is filed with
  a weight; else unknown, never a guess. A parcel lighter than its goods gives ``d = G / W − 1`` (−0.82: 82 % light);
  a heavier one is first allowed its own carton and filling, ``weight_tare`` kg: ``d = max(G − tare − W, 0) / W``.
  Four places, half up.

Every window is summed from day buckets the batch's counter book already holds (no raw-history scan).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from cbec.facts.queries import InventoryLine
from cbec.risk.book import CounterBook
from cbec.risk.rules import CounterRef, Ruleset, SubjectKind

PLACES = Decimal("0.0001")
REPEAT_DAYS = 30  # six-systems R1.2: "same SKU ≥ 4× in 30 d"
_REFS = (
    CounterRef(SubjectKind.BUYER_ITEM, "inventories", REPEAT_DAYS),
    CounterRef(SubjectKind.BUYER_ITEM, "value", REPEAT_DAYS),
)
UNKNOWN_REPEAT: dict[str, Decimal | None] = {"doc.item_repeat": None, "doc.item_repeat_value": None}


def item_key(buyer_key: str, ecommerce_code: str, item_no: str) -> str:
    """Return the ``buyer_item`` subject key of one buyer's item: a SHA-256 digest (64 hex characters)."""
    return hashlib.sha256("\x1f".join((buyer_key, ecommerce_code, item_no)).encode("utf-8")).hexdigest()


def item_values(lines: Sequence[InventoryLine]) -> tuple[tuple[str, Decimal], ...]:
    """Return the ``buyer_item`` key and the value in CNY of each distinct item of an inventory, in line order;
    none without a buyer key (lines without an item number are left out)."""
    buyer = lines[0].buyer_key
    if not buyer:
        return ()
    values: dict[str, Decimal] = {}
    for line in lines:
        item = (line.item_no or "").strip()
        if item:
            key = item_key(buyer, line.ecommerce_code, item)
            values[key] = values.get(key, Decimal(0)) + (line.value_cny or Decimal(0))
    return tuple(values.items())


def repeat_fields(book: CounterBook, items: Sequence[tuple[str, Decimal]], day: date) -> dict[str, Decimal | None]:
    """Return ``doc.item_repeat`` and ``doc.item_repeat_value`` from the book (the inventory already counted)."""
    best: tuple[Decimal, Decimal] | None = None
    for key, _ in items:
        got = book.windows(_REFS, {SubjectKind.BUYER_ITEM: key}, day)
        pair = (got[_REFS[0].name] or Decimal(0), got[_REFS[1].name] or Decimal(0))
        best = pair if best is None or pair > best else best
    if best is None:
        return dict(UNKNOWN_REPEAT)
    return {"doc.item_repeat": best[0], "doc.item_repeat_value": best[1]}


def weight_deviation(gross: Decimal | None, goods: Decimal, tare: Decimal) -> Decimal | None:
    """Return how far a declared gross weight lies off its goods' filed weight W (``goods``), as a share of W:
    below W ``G / W − 1``, above it ``max(G − tare − W, 0) / W``; None without a positive G or W."""
    if gross is None or gross <= 0 or goods <= 0:
        return None
    off = gross - goods if gross < goods else max(gross - tare - goods, Decimal(0))
    return (off / goods).quantize(PLACES, ROUND_HALF_UP)


def weight_fields(
    lines: Sequence[InventoryLine], filed: Mapping[tuple[str, str], Decimal], ruleset: Ruleset
) -> dict[str, Decimal | None]:
    """Return ``doc.weight_deviation`` of an inventory: its gross weight against Σ quantity × filed unit gross
    weight (``filed``: by enterprise code and item number).

    With every line's item filed with a weight, both sides are judged. With some lines unfiled, the filed lines alone
    are a lower bound of what the parcel must weigh (the others only add to it): a parcel lighter than that bound is
    judged against it (how light, at least), one at or above it is unknown (None), since its heaviness needs every
    line. With no line filed it is unknown.
    """
    goods = Decimal(0)
    complete = True
    for line in lines:
        weight = filed.get((line.ecommerce_code.strip(), (line.item_no or "").strip())) if line.item_no else None
        if weight is None:
            complete = False
            continue
        goods += line.quantity * weight
    gross = lines[0].gross_weight if lines else None
    if not complete and (gross is None or goods <= 0 or gross >= goods):
        return {"doc.weight_deviation": None}
    return {"doc.weight_deviation": weight_deviation(gross, goods, ruleset.parameter("weight_tare"))}


def weight_keys(lines: Sequence[InventoryLine]) -> set[tuple[str, str]]:
    """Return the (enterprise code, item number) of every line that carries an item number: the filings to read."""
    return {
        (line.ecommerce_code.strip(), line.item_no.strip()) for line in lines if line.item_no and line.item_no.strip()
    }
