"""Pure export rules: one document (R2-R16) and across documents (E1-E3, E8, E9)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from tests.integration.exports.export_zone import AT, LAMP, TEE, XP

from cbec.demo.exports import build_export_return, build_export_set, build_summary_application
from cbec.exports.matching_rules import OriginalLine, match_export_return, match_inventory_order, match_payment_receipt
from cbec.exports.rules import check_export_inventory, check_export_order, check_summary_application

S = build_export_set(XP, [(TEE, Decimal(2)), (LAMP, Decimal(1))], order_no="EO1", logistics_no="LE1", at=AT)


def rules(problems) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(p.rule_id, p.field) for p in problems]


def test_a_consistent_set_has_no_problems() -> None:
    assert check_export_order(S.order) == []
    assert check_export_inventory(S.inventory) == []
    assert match_inventory_order(S.inventory, S.order) == []
    assert match_payment_receipt(S.order, S.receipt_note) == []


def test_order_totals_and_line_numbers() -> None:
    first, second = S.order.lines
    bad = replace(
        S.order, goods_value=Decimal("1"), lines=(replace(first, total_price=Decimal("1")), replace(second, line_no=3))
    )
    assert rules(check_export_order(bad)) == [
        ("CEB-R2", "order.lines[1].total_price"),
        ("CEB-R3", "order.goods_value"),
        ("CEB-R4", "order.lines.line_no"),
    ]


def test_inventory_regime_fields() -> None:
    bad = replace(
        S.inventory, direction="I", statistics_flag="A", license_no="L1", trade_mode="0110", destination_country="142"
    )
    assert rules(check_export_inventory(bad)) == [
        ("CEB-R5", "inventory.direction"),
        ("CEB-E8", "inventory.trade_mode"),
        ("CEB-R15", "inventory.license_no"),
        ("CEB-R5", "inventory.destination_country"),
    ]


def test_e8_trade_mode_goes_with_order_type() -> None:
    b2b = replace(S.inventory, trade_mode="9710")
    assert rules(match_inventory_order(b2b, S.order)) == [("CEB-E8", "inventory.trade_mode")]
    assert match_inventory_order(b2b, replace(S.order, order_type="B")) == []
    assert rules(match_inventory_order(replace(S.inventory, trade_mode="9810"), replace(S.order, order_type="B"))) == [
        ("CEB-E8", "inventory.trade_mode")
    ]


def test_e1_lines_must_match_one_to_one() -> None:
    first, second = S.inventory.lines
    changed = replace(S.inventory, lines=(replace(first, quantity=Decimal(3), total_price=Decimal("177.00")), second))
    [problem] = match_inventory_order(changed, S.order)
    assert (problem.rule_id, problem.code) == ("CEB-E1", "1322")


def test_e2_amount_and_currency() -> None:
    assert rules(match_payment_receipt(S.order, replace(S.receipt_note, amount=Decimal("1")))) == [
        ("CEB-E2", "payment_receipt.amount")
    ]


def originals() -> dict[int, OriginalLine]:
    return {
        ln.line_no: OriginalLine(
            ln.line_no,
            ln.hs_code,
            ln.goods_name,
            ln.specification,
            ln.unit,
            ln.legal_unit,
            None,
            ln.quantity,
            ln.legal_quantity,
            None,
            Decimal(0),
        )
        for ln in S.inventory.lines
    }


def test_r16_return_quantity_goods_and_country() -> None:
    ok = build_export_return(S.inventory, "46012026E000000001", [(1, Decimal(1))], at=AT)
    assert match_export_return(ok, originals()) == []
    too_many = build_export_return(S.inventory, "46012026E000000001", [(1, Decimal(3))], at=AT, country="142")
    assert rules(match_export_return(too_many, originals())) == [
        ("CEB-R16", "return.country"),
        ("CEB-R16", "return.lines[1].quantity"),
    ]
    renamed = replace(ok, lines=(replace(ok.lines[0], goods_name="别的"), replace(ok.lines[0], line_no=9)))
    assert rules(match_export_return(renamed, originals())) == [
        ("CEB-R16", "return.lines[1].hs_code"),
        ("CEB-E9", "return.lines[9]"),
    ]


def test_r14_summary_window_and_flags() -> None:
    listed = build_summary_application(XP, at=AT, ref="S1", inventory_nos=["46012026E000000001"])
    assert check_summary_application(listed) == []
    empty = build_summary_application(XP, at=AT, ref="S2", summary_flag="3", item_name_flag="2")
    assert rules(check_summary_application(empty)) == [
        ("CEB-R14", "summary.inventory_nos"),
        ("CEB-R5", "summary.summary_flag"),
        ("CEB-R5", "summary.item_name_flag"),
    ]
    backwards = replace(listed, start_time=AT, end_time=AT.replace(day=1))
    assert rules(check_summary_application(backwards)) == [("CEB-R14", "summary.end_time")]
    half = replace(listed, start_time=AT)
    assert rules(check_summary_application(half)) == [("CEB-R14", "summary.end_time")]
