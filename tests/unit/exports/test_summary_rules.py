"""Summary grouping (清单核放、汇总申报): head groups make declarations, line groups make goods items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cbec.exports.summary_rules import SummaryLine, group_for_summary, share_by_value, summary_due


def line(n: int, inventory: str, **kw: object) -> SummaryLine:
    values: dict[str, object] = {
        "inventory_line_id": n,
        "inventory_no": inventory,
        "logistics_no": f"L{inventory}",
        "line_no": 1,
        "ecommerce_code": "4601960002",
        "owner_code": "4601960002",
        "transport_mode": "5",
        "destination_country": "502",
        "port_code": "4601",
        "final_country": "502",
        "hs_code": "6109100011",
        "item_name": "T恤",
        "currency": "142",
        "quantity": Decimal(1),
        "value": Decimal("59"),
        "gross_weight": Decimal("0.5"),
        "net_weight": Decimal("0.3"),
    }
    values.update(kw)
    return SummaryLine(**values)  # type: ignore[arg-type]


def test_head_attributes_split_declarations_and_line_attributes_split_items() -> None:
    lines = [
        line(1, "A"),
        line(2, "B"),
        line(3, "C", hs_code="9405210000"),
        line(4, "D", destination_country="303"),
        line(5, "E", currency="502"),
        line(6, "F", owner_code="4601960009"),
    ]
    groups = group_for_summary(lines, summary_flag="1", item_name_flag="")
    assert [(g.key.destination_country, g.key.owner_code, len(g.items)) for g in groups] == [
        ("303", None, 1),
        ("502", None, 3),
    ]
    main = groups[1]
    assert [(i.seq_no, i.key.hs_code, i.key.currency, [x.inventory_no for x in i.lines]) for i in main.items] == [
        (1, "6109100011", "142", ["A", "B", "F"]),
        (2, "6109100011", "502", ["E"]),
        (3, "9405210000", "142", ["C"]),
    ]
    assert (main.gross_weight, main.net_weight) == (Decimal("2.5"), Decimal("1.5"))
    by_producer = group_for_summary(lines, summary_flag="2", item_name_flag="")
    assert len(by_producer) == 3


def test_item_name_flag_and_item_limit() -> None:
    lines = [line(1, "A"), line(2, "B", item_name="背心")]
    assert len(group_for_summary(lines, summary_flag="1", item_name_flag="")[0].items) == 1
    assert len(group_for_summary(lines, summary_flag="1", item_name_flag="1")[0].items) == 2
    many = [line(n, f"I{n:03d}", hs_code=f"{6109100000 + n}") for n in range(1, 52)]
    split = group_for_summary(many, summary_flag="1", item_name_flag="", max_items=50)
    assert [len(g.items) for g in split] == [50, 1]


def test_weights_are_shared_by_value_with_the_remainder_on_the_last_line() -> None:
    assert share_by_value(Decimal("1"), [Decimal(1), Decimal(1), Decimal(1)]) == [
        Decimal("0.33333"),
        Decimal("0.33333"),
        Decimal("0.33334"),
    ]
    assert share_by_value(Decimal("2"), [Decimal(0), Decimal(0)]) == [Decimal(0), Decimal(2)]


def test_due_on_the_15th_rolled_past_the_weekend() -> None:
    assert summary_due("2026-02") == date(2026, 3, 16)  # 2026-03-15 is a Sunday
    assert summary_due("2026-03") == date(2026, 4, 15)
    assert summary_due("2026-12") == date(2027, 1, 15)
    assert summary_due("2026-03", holidays=frozenset({date(2026, 4, 15)})) == date(2026, 4, 16)
