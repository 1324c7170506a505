"""Pure rules of the monthly summary declaration (清单核放、汇总申报): grouping, weights, due date.

海关总署公告2018年第194号 (text recalled, wording not re-verified; same rule as ceb-messages.md §9.3 E7): by
the 15th of each month (rolled to the next working day) the enterprise summarises last month's closed
(结关) inventories "依据清单表头同一收发货人、同一运输方式、同一生产销售单位、同一运抵国、同一出境关别，以及清单
表体同一最终目的国、同一10位海关商品编码、同一币制的规则进行归并" into export customs declarations. We read it
on two levels: the head attributes make one declaration (报关单); the line attributes make its goods items
(商品项, gseqno). The producer counts only when the CEB701 summaryFlag is 2; itemNameFlag 1 adds the
enterprise item name to the item key. A declaration holds at most ``max_items`` goods items (50 by default,
the customs declaration limit [unverified]); more are split into further declarations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

WEIGHT_PLACES = Decimal("0.00001")  # CEB N19,5


@dataclass(frozen=True, slots=True)
class SummaryLine:
    """One released inventory line as the summary sees it."""

    inventory_line_id: int
    inventory_no: str
    logistics_no: str
    line_no: int
    ecommerce_code: str
    owner_code: str
    transport_mode: str
    destination_country: str  # 运抵国 (head)
    port_code: str  # 出境关别 (head)
    final_country: str  # 最终目的国 (line)
    hs_code: str
    item_name: str
    currency: str
    quantity: Decimal
    value: Decimal
    gross_weight: Decimal
    net_weight: Decimal


@dataclass(frozen=True, slots=True)
class HeadKey:
    """What makes one declaration (报关单)."""

    ecommerce_code: str
    owner_code: str | None  # only with summaryFlag 2
    transport_mode: str
    destination_country: str
    port_code: str

    def as_dict(self) -> dict[str, str]:
        """Return the key as JSON-ready text."""
        return {
            "ecommerce_code": self.ecommerce_code,
            "owner_code": self.owner_code or "",
            "transport_mode": self.transport_mode,
            "destination_country": self.destination_country,
            "port_code": self.port_code,
        }


@dataclass(frozen=True, slots=True)
class ItemKey:
    """What makes one goods item (商品项) of a declaration."""

    final_country: str
    hs_code: str
    currency: str
    item_name: str | None  # only with itemNameFlag 1

    def as_dict(self) -> dict[str, str]:
        """Return the key as JSON-ready text."""
        return {
            "final_country": self.final_country,
            "hs_code": self.hs_code,
            "currency": self.currency,
            "item_name": self.item_name or "",
        }


@dataclass(frozen=True, slots=True)
class GoodsItem:
    """A goods item of a generated declaration with the inventory lines it summarises."""

    seq_no: int
    key: ItemKey
    lines: tuple[SummaryLine, ...]

    @property
    def value(self) -> Decimal:
        """Return the item's total value in its currency."""
        return sum((line.value for line in self.lines), Decimal(0))

    @property
    def quantity(self) -> Decimal:
        """Return the item's total declared quantity."""
        return sum((line.quantity for line in self.lines), Decimal(0))


@dataclass(frozen=True, slots=True)
class DeclarationGroup:
    """One declaration the summary produces."""

    key: HeadKey
    items: tuple[GoodsItem, ...]

    @property
    def gross_weight(self) -> Decimal:
        """Return the summed gross weight of the member lines."""
        return sum((line.gross_weight for item in self.items for line in item.lines), Decimal(0))

    @property
    def net_weight(self) -> Decimal:
        """Return the summed net weight of the member lines."""
        return sum((line.net_weight for item in self.items for line in item.lines), Decimal(0))

    @property
    def lines(self) -> tuple[SummaryLine, ...]:
        """Return every member line in goods-item order."""
        return tuple(line for item in self.items for line in item.lines)


def group_for_summary(
    lines: Iterable[SummaryLine], *, summary_flag: str, item_name_flag: str, max_items: int = 50
) -> list[DeclarationGroup]:
    """Group released inventory lines into declarations and goods items (deterministic order)."""
    heads: dict[HeadKey, dict[ItemKey, list[SummaryLine]]] = {}
    for line in sorted(lines, key=lambda x: (x.inventory_no, x.line_no)):
        head = HeadKey(
            line.ecommerce_code,
            line.owner_code if summary_flag == "2" else None,
            line.transport_mode,
            line.destination_country,
            line.port_code,
        )
        item = ItemKey(
            line.final_country, line.hs_code, line.currency, line.item_name if item_name_flag == "1" else None
        )
        heads.setdefault(head, {}).setdefault(item, []).append(line)
    groups: list[DeclarationGroup] = []
    for head in sorted(heads, key=lambda k: tuple(k.as_dict().values())):
        items = sorted(heads[head].items(), key=lambda kv: tuple(kv[0].as_dict().values()))
        for start in range(0, len(items), max_items):
            chunk = items[start : start + max_items]
            groups.append(
                DeclarationGroup(
                    head,
                    tuple(GoodsItem(number, key, tuple(members)) for number, (key, members) in enumerate(chunk, 1)),
                )
            )
    return groups


def share_by_value(total: Decimal, values: Sequence[Decimal]) -> list[Decimal]:
    """Split an inventory's weight over its lines pro rata by value, half-up, remainder to the last line."""
    if not values:
        return []
    whole = sum(values, Decimal(0))
    if whole == 0:
        shares = [Decimal(0)] * (len(values) - 1)
    else:
        shares = [(total * value / whole).quantize(WEIGHT_PLACES, rounding=ROUND_HALF_UP) for value in values[:-1]]
    shares.append(total - sum(shares, Decimal(0)))
    return shares


def month_bounds(month: str) -> tuple[date, date]:
    """Return the first and last day of a YYYY-MM month."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + (number == 12), number % 12 + 1, 1)
    return first, following - timedelta(days=1)


def summary_due(month: str, *, due_day: int = 15, holidays: frozenset[date] = frozenset()) -> date:
    """Return the day a month's summary is due: the due day of the next month, rolled past rest days."""
    _, last = month_bounds(month)
    due = date(last.year + (last.month == 12), last.month % 12 + 1, due_day)
    while due.weekday() >= 5 or due in holidays:
        due += timedelta(days=1)
    return due
