"""A seeded, labelled export traffic plan for the risk system (非真实贸易出口样本): normal exporters plus planted
non-genuine export patterns (docs/risk.md, "Non-genuine export").

Pure planning (no database): the caller sends each set through the real intake — the order by the platform, the
waybill by the logistics company, the inventory by the declaring agent, the arrival by the site operator, and the
receipt of payment (收款单) by the payment company, before the inventory (``"before"``, where matching checks it
equals goods + freight) or after its release (``"after"``, at ``receipt_factor`` × the order's charge).

* normal exporters (one shop each): 9610 and 9710 exports whose receipt of payment equals the charge, sent before
  or after release; a few (at most ``normal_missing`` per shop, under the rule's threshold of three) never get one.
* ``inflate`` (R5.3, laundering): a shop whose every receipt of payment, sent after release, is 1.5 × the charge.
* ``silent`` (R5.4, laundering): a shop none of whose released exports ever gets a receipt of payment.
* ``netting`` (not planted: **9810**, netting allowed): overseas-warehouse bookings with receipts 1.5 × the
  charge; they must raise no alert.

``labels`` maps each planted order to ``laundering``; ``patterns`` maps each planted shop to its orders.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from cbec.demo.exports import ExportGoods, ExportParties, ExportParty, ExportSet, build_export_set
from cbec.messages.export_documents import PaymentReceiptNote


@dataclass(frozen=True, slots=True)
class PlannedExport:
    """One export set and how its receipt of payment is sent."""

    parties: ExportParties
    set: ExportSet
    receipt: str | None  # "before" | "after" | None (never sent)
    receipt_factor: Decimal = Decimal(1)
    pattern: str | None = None  # the planted pattern (shop) it belongs to

    @property
    def receipt_note(self) -> PaymentReceiptNote:
        """Return the receipt of payment to send (its charge scaled by the factor)."""
        note = self.set.receipt_note
        if self.receipt_factor == 1:
            return note
        return replace(note, amount=(note.amount * self.receipt_factor).quantize(Decimal("0.01")))


@dataclass(frozen=True, slots=True)
class ExportTraffic:
    """The planned exports, the label of each planted order and the orders of each planted pattern."""

    exports: list[PlannedExport]
    labels: dict[str, str] = field(default_factory=dict)
    patterns: dict[str, list[str]] = field(default_factory=dict)


def plan_export_traffic(
    parties: ExportParties,
    shops: Sequence[ExportParty],
    goods: Sequence[ExportGoods],
    *,
    seed: int,
    at: datetime,
    normal_exports: int = 6,
    normal_missing: int = 2,
    planted_exports: int = 5,
) -> ExportTraffic:
    """Plan exports: ``shops[0:-3]`` normal, then an inflating, a silent and a 9810 netting shop (at least four)."""
    if len(shops) < 4:
        raise ValueError("give at least four shops: normal ones, then inflate, silent and netting")
    draw = random.Random(seed)
    exports: list[PlannedExport] = []
    labels: dict[str, str] = {}
    patterns: dict[str, list[str]] = {}
    n = 0

    def one(shop: ExportParty, mode: str, receipt: str | None, factor: Decimal, pattern: str | None) -> None:
        nonlocal n
        n += 1
        who = replace(parties, ecommerce=shop)
        items = [(draw.choice(list(goods)), Decimal(draw.randint(1, 4)))]
        order_no = f"EXR{seed:02d}{n:05d}"
        built = build_export_set(
            who,
            items,
            order_no=order_no,
            logistics_no=f"LEXR{seed:02d}{n:05d}",
            at=at + timedelta(minutes=n),
            trade_mode=mode,
        )
        exports.append(PlannedExport(who, built, receipt, factor, pattern))
        if pattern is not None and mode != "9810":
            labels[order_no] = "laundering"
            patterns.setdefault(pattern, []).append(order_no)

    *normal, inflate, silent, netting = shops
    for shop in normal:
        missing = draw.randint(0, normal_missing)
        for i in range(normal_exports):
            mode = "9710" if i % 3 == 2 else "9610"
            receipt = None if i < missing else draw.choice(("before", "after"))
            one(shop, mode, receipt, Decimal(1), None)
    for i in range(planted_exports):
        one(inflate, "9710" if i % 2 else "9610", "after", Decimal("1.5"), f"inflate:{inflate.code}")
        one(silent, "9610", None, Decimal(1), f"silent:{silent.code}")
        one(netting, "9810", "after", Decimal("1.5"), None)
    return ExportTraffic(exports, labels, patterns)
