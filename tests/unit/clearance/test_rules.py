"""Clearance rules R1-R12 and M2-M17 on business-consistent documents and realistic faults."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from cbec.clearance.rules import (
    ReturnedSoFar,
    check_inventory,
    check_order,
    check_return_window,
    match_inventory_order,
    match_inventory_waybill,
    match_order_payment,
    match_order_waybill,
    match_return,
    return_deadlines,
)
from cbec.demo.builders import build_return
from tests.builders import AT, OTHER_BUYER, a_set


def rule_ids(problems: list) -> list[str]:
    return [p.rule_id for p in problems]


def test_consistent_set_passes_every_rule() -> None:
    s = a_set()
    assert check_order(s.order) == []
    assert check_inventory(s.inventory, signed=True) == []
    assert match_order_payment(s.order, s.payment, buyer_certified=False) == []
    assert match_order_waybill(s.order, s.waybill) == []
    assert match_inventory_order(s.inventory, s.order) == []
    assert match_inventory_waybill(s.inventory, s.waybill) == []


def test_r1_actual_paid_must_add_up() -> None:
    s = a_set()
    order = replace(s.order, actual_paid=s.order.actual_paid + Decimal("0.01"))
    problems = check_order(order)
    assert rule_ids(problems) == ["CEB-R1"]
    assert problems[0].field == "order.actual_paid"
    assert problems[0].code == "-301008"


def test_r2_r3_line_totals_and_goods_value() -> None:
    s = a_set()
    line = replace(s.order.lines[0], total_price=Decimal("500.00"))
    problems = check_order(replace(s.order, lines=(line,)))
    assert rule_ids(problems) == ["CEB-R2", "CEB-R3"]


def test_r4_line_numbers_consecutive() -> None:
    s = a_set()
    line = replace(s.inventory.lines[0], line_no=2)
    problems = check_inventory(replace(s.inventory, lines=(line,)), signed=True)
    assert rule_ids(problems) == ["CEB-R4"]
    assert problems[0].code == "-621027"


def test_r5_fixed_values_and_r6_guarantor() -> None:
    s = a_set()
    problems = check_inventory(replace(s.inventory, currency="502", guarantor_code="9999999999"), signed=True)
    assert rule_ids(problems) == ["CEB-R5", "CEB-R6"]


def test_r7_bonded_needs_account_book_and_direct_needs_bill() -> None:
    s = a_set()
    problems = check_inventory(replace(s.inventory, bill_no=None), signed=True)
    assert [(p.rule_id, p.field) for p in problems] == [("CEB-R7", "inventory.bill_no")]
    bonded = a_set(trade_mode="1210")
    problems = check_inventory(replace(bonded.inventory, account_book_no=None), signed=True)
    assert [(p.rule_id, p.field) for p in problems] == [
        ("CEB-R7", "inventory.account_book_no"),
        ("CEB-R7", "inventory.lines[1].item_record_no"),
    ]


def test_r7_trade_mode_outside_retail_import() -> None:
    s = a_set()
    problems = check_inventory(replace(s.inventory, trade_mode="0110"), signed=True)
    assert rule_ids(problems) == ["CEB-R7"]


def test_r8_second_quantity_and_unit_together() -> None:
    s = a_set()
    line = replace(s.inventory.lines[0], second_quantity=Decimal("2"))
    assert rule_ids(check_inventory(replace(s.inventory, lines=(line,)), signed=True)) == ["CEB-R8"]


def test_r9_weights_and_r10_signature() -> None:
    s = a_set()
    problems = check_inventory(replace(s.inventory, gross_weight=Decimal("0.1")), signed=False)
    assert rule_ids(problems) == ["CEB-R9", "CEB-R10"]
    assert problems[1].code == "-621029"


def test_m2_m3_m4_payment_against_order() -> None:
    s = a_set()
    payment = replace(
        s.payment, amount_paid=s.payment.amount_paid - 1, payer_name=OTHER_BUYER.name, payment_code="4601969999"
    )
    problems = match_order_payment(s.order, payment, buyer_certified=False)
    assert [(p.rule_id, p.code) for p in problems] == [("CEB-M2", "13035"), ("CEB-M3", None), ("CEB-M4", "1327")]
    certified = match_order_payment(s.order, replace(s.payment, payer_name=OTHER_BUYER.name), buyer_certified=True)
    assert certified == []


def test_m5_m6_waybill_against_order() -> None:
    s = a_set()
    waybill = replace(s.waybill, consignee_phone="13700000000", order_no="OTHER")
    assert rule_ids(match_order_waybill(s.order, waybill)) == ["CEB-M6", "CEB-M5"]


def test_m7_m8_m9_inventory_against_order() -> None:
    s = a_set()
    line = replace(s.inventory.lines[0], goods_name="奶粉")
    inventory = replace(s.inventory, ecommerce_code="4601969999", buyer_phone="13000000000", lines=(line,))
    problems = match_inventory_order(inventory, s.order)
    assert [(p.rule_id, p.code) for p in problems] == [("CEB-M7", None), ("CEB-M8", "13127"), ("CEB-M9", "1322")]


def test_m10_inventory_against_waybill() -> None:
    s = a_set()
    problems = match_inventory_waybill(replace(s.inventory, freight=Decimal("12"), bill_no="X"), s.waybill)
    assert [p.field for p in problems] == ["inventory.freight", "inventory.bill_no"]


def test_m16_return_lines_and_quantities() -> None:
    s = a_set()
    request = build_return(s.inventory, "46012026I000000001", [(1, Decimal(1))], at=AT)
    assert match_return(request, s.inventory, ReturnedSoFar({})) == []
    assert rule_ids(match_return(request, s.inventory, ReturnedSoFar({1: Decimal(2)}))) == ["CEB-M16"]
    unknown = build_return(s.inventory, "46012026I000000001", [(1, Decimal(1))], at=AT)
    unknown = replace(unknown, lines=(replace(unknown.lines[0], line_no=3),))
    problems = match_return(unknown, s.inventory, ReturnedSoFar({}))
    assert [(p.rule_id, p.code) for p in problems] == [("CEB-M16", "-625209")]


def test_m17_return_window_start_day_not_counted() -> None:
    assert return_deadlines(date(2025, 3, 1), apply_days=30, arrive_days=45) == (date(2025, 3, 31), date(2025, 4, 15))
    assert check_return_window(date(2025, 3, 1), date(2025, 3, 31), apply_days=30) == []
    problems = check_return_window(date(2025, 3, 1), date(2025, 4, 1), apply_days=30)
    assert [(p.rule_id, p.code) for p in problems] == [("CEB-M17", "-625014")]
