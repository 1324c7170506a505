"""Pure export clearance rules (出口通关规则): checks within one document (R2-R16).

Each check returns Problems with a stable rule id (``CEB-R2``, ``CEB-E1`` ...), the official code where one
is known, a message in Chinese then English, and a fix hint (ceb-messages.md §9.1, §9.3). No I/O, no clock.
The checks across documents (E1-E9) are in ``matching_rules``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from cbec.common.errors import Problem
from cbec.exports.codes import CHINA, EXPORT_TRADE_MODES
from cbec.intake import problem
from cbec.messages.export_documents import (
    ExportArrival,
    ExportInventory,
    ExportOrder,
    ExportOrderType,
    ExportWaybill,
    MasterBill,
    PaymentReceiptNote,
    StatisticsFlag,
    SummaryApplication,
)

TOTAL_PRICE_MARK = "3"  # fFlag / iFlag fixed 3 (总价) in the 202205 edition


def _line_numbers(numbers: Sequence[int], prefix: str, code: str) -> list[Problem]:
    """R4: line numbers start at 1, are consecutive and unique."""
    if list(numbers) == list(range(1, len(numbers) + 1)):
        return []
    return [
        problem(
            "R4",
            f"{prefix}.line_no",
            f"商品序号须从1开始连续且不重复，实为 {list(numbers)}",
            f"line numbers must run 1..n without gaps or repeats, got {list(numbers)}",
            "Number the lines 1, 2, 3 ... in the order they appear.",
            code,
        )
    ]


def _line_totals(lines: Iterable[tuple[int, Decimal, Decimal, Decimal]], prefix: str, code: str) -> list[Problem]:
    """R2: every line's total is its price times its quantity."""
    return [
        problem(
            "R2",
            f"{prefix}[{line_no}].total_price",
            f"总价应等于单价×数量 = {price * qty}，实为 {total}",
            f"total price must equal price x quantity = {price * qty}, got {total}",
            "Set totalPrice to price multiplied by qty.",
            code,
        )
        for line_no, price, qty, total in lines
        if price * qty != total
    ]


def _fixed(checks: Iterable[tuple[str, str, str]], why: str) -> list[Problem]:
    """R5: fields whose value the export regime fixes."""
    return [
        problem(
            "R5",
            field_name,
            f"该字段取值应为 {expected}，实为 {actual}",
            f"must be {expected}, got {actual}",
            f"Set this field to {expected} ({why}).",
        )
        for field_name, actual, expected in checks
        if actual != expected
    ]


# --- one document --------------------------------------------------------------------------------------


def check_export_order(order: ExportOrder) -> list[Problem]:
    """Check an export order or booking on its own (R2-R5)."""
    found: list[Problem] = []
    if order.order_type not in set(ExportOrderType):
        found.append(
            problem(
                "R5",
                "order.order_type",
                f"出口订单类型应为 E、B 或 W，实为 {order.order_type}",
                f"the export order type must be E, B or W, got {order.order_type}",
                "Send E for retail exports, B for B2B orders (9710), W for overseas-warehouse bookings (9810).",
                "-301008",
            )
        )
    found += _line_totals(
        ((ln.line_no, ln.unit_price, ln.quantity, ln.total_price) for ln in order.lines), "order.lines", "-301008"
    )
    lines_total = sum((line.total_price for line in order.lines), Decimal(0))
    if lines_total != order.goods_value:
        found.append(
            problem(
                "R3",
                "order.goods_value",
                f"商品金额应等于表体总价之和 {lines_total}，实为 {order.goods_value}",
                f"goods value (FOB) must equal the sum of line totals {lines_total}, got {order.goods_value}",
                "Make goodsValue the sum of the lines' totalPrice, excluding freight.",
                "-301008",
            )
        )
    found += _line_numbers([line.line_no for line in order.lines], "order.lines", "-301002")
    found += _fixed(
        ((f"order.lines[{ln.line_no}].currency", ln.currency, order.currency) for ln in order.lines),
        "every line is priced in the order's currency",
    )
    return found


def check_payment_receipt_note(note: PaymentReceiptNote) -> list[Problem]:
    """Check a receipt of payment on its own."""
    if note.amount > 0:
        return []
    return [
        problem(
            "R5",
            "payment_receipt.amount",
            f"收款金额应大于0，实为 {note.amount}",
            f"the amount received must be above 0, got {note.amount}",
            "Declare the amount the payment company received for the order.",
            "-401009",
        )
    ]


def check_export_waybill(waybill: ExportWaybill) -> list[Problem]:
    """Check an export waybill on its own."""
    found: list[Problem] = []
    if waybill.pack_count < 1:
        found.append(
            problem(
                "R5",
                "waybill.pack_count",
                "件数应至少为1",
                "the waybill must count at least one package",
                "Give the number of packages under this waybill.",
            )
        )
    if waybill.gross_weight <= 0:
        found.append(
            problem(
                "R9",
                "waybill.gross_weight",
                "毛重应大于0",
                "gross weight must be above 0",
                "Declare the parcel's gross weight in kilograms.",
            )
        )
    return found


def check_export_inventory(inventory: ExportInventory) -> list[Problem]:
    """Check an export inventory on its own (R2, R4, R5, R9, R15, E8 trade modes)."""
    found: list[Problem] = []
    found += _line_totals(
        ((ln.line_no, ln.unit_price, ln.quantity, ln.total_price) for ln in inventory.lines),
        "inventory.lines",
        "-621030",
    )
    found += _line_numbers([line.line_no for line in inventory.lines], "inventory.lines", "-621027")
    currency = inventory.lines[0].currency if inventory.lines else ""
    found += _fixed(
        [
            ("inventory.direction", inventory.direction, "E"),
            ("inventory.freight_mark", inventory.freight_mark, TOTAL_PRICE_MARK),
            ("inventory.insurance_mark", inventory.insurance_mark, TOTAL_PRICE_MARK),
            *((f"inventory.lines[{ln.line_no}].currency", ln.currency, currency) for ln in inventory.lines),
        ],
        "202205 export inventory",
    )
    if inventory.net_weight <= 0 or inventory.gross_weight < inventory.net_weight:
        found.append(
            problem(
                "R9",
                "inventory.gross_weight",
                f"毛重应不小于净重且净重大于0（毛重 {inventory.gross_weight}，净重 {inventory.net_weight}）",
                f"gross weight must be >= net weight > 0 (gross {inventory.gross_weight}, net {inventory.net_weight})",
                "Declare the parcel's gross weight and the goods' net weight in kilograms.",
            )
        )
    if inventory.trade_mode not in EXPORT_TRADE_MODES:
        found.append(
            problem(
                "E8",
                "inventory.trade_mode",
                f"监管方式 {inventory.trade_mode} 不属于跨境电商出口（9610/1210/9710/9810）",
                f"trade mode {inventory.trade_mode} is not a cross-border e-commerce export mode",
                "Use 9610 (retail), 1210 (special area), 9710 (B2B direct) or 9810 (overseas warehouse).",
            )
        )
    elif inventory.trade_mode == "1210":
        required = {
            "inventory.special_area_code": inventory.special_area_code,
            "inventory.special_area_name": inventory.special_area_name,
            "inventory.account_book_no": inventory.account_book_no,
        }
        required.update({f"inventory.lines[{ln.line_no}].item_record_no": ln.item_record_no for ln in inventory.lines})
        found += [
            problem(
                "R7",
                name,
                "特殊区域出口（1210）该字段必填",
                "required for special-area exports (1210)",
                "Give iacCode, iacName, emsNo and each line's itemRecordNo for 1210 exports.",
            )
            for name, value in required.items()
            if not value
        ]
    if inventory.statistics_flag not in set(StatisticsFlag):
        found.append(
            problem(
                "R15",
                "inventory.statistics_flag",
                f"申报业务类型应为 A 或 B，实为 {inventory.statistics_flag}",
                f"the statistics flag must be A (simplified) or B (summary), got {inventory.statistics_flag}",
                "Send A for 简化申报 or B for 汇总申报.",
            )
        )
    elif inventory.statistics_flag == StatisticsFlag.SIMPLIFIED and inventory.license_no:
        found.append(
            problem(
                "R15",
                "inventory.license_no",
                "简化申报（A）的商品不得涉及许可证",
                "simplified declarations (A) are only for goods without a licence",
                "Declare goods that need a licence with statisticsFlag B (汇总申报).",
            )
        )
    if inventory.destination_country == CHINA:
        found.append(
            problem(
                "R5",
                "inventory.destination_country",
                "运抵国不能为中国（142）",
                "the country of destination cannot be China (142)",
                "Give the country the goods are carried to.",
            )
        )
    return found


def check_split(field_prefix: str, message_count: int, message_seq_no: int) -> list[Problem]:
    """R13: a split message counts its parts and numbers them 1..msgCount."""
    if 1 <= message_seq_no <= max(message_count, 1):
        return []
    return [
        problem(
            "R13",
            f"{field_prefix}.message_seq_no",
            f"报文序号 {message_seq_no} 超出报文总数 {message_count}",
            f"message number {message_seq_no} is outside 1..{message_count}",
            "Number split messages 1..msgCount without gaps.",
        )
    ]


def check_summary_application(application: SummaryApplication) -> list[Problem]:
    """Check a summary application on its own (R13, R14, summaryFlag, itemNameFlag)."""
    found = check_split("summary", application.message_count, application.message_seq_no)
    start, end = application.start_time, application.end_time
    if (start is None) != (end is None):
        found.append(
            problem(
                "R14",
                "summary.end_time",
                "汇总开始时间与结束时间须成对填写",
                "start and end time go together",
                "Give both startTime and endTime, or neither and list the inventories.",
            )
        )
    elif start is not None and end is not None and end < start:
        found.append(
            problem(
                "R14",
                "summary.end_time",
                "汇总结束时间须大于等于开始时间",
                "the end time must not precede the start time",
                "Swap or correct startTime and endTime.",
            )
        )
    elif start is None and not application.inventory_nos:
        found.append(
            problem(
                "R14",
                "summary.inventory_nos",
                "未指定时间范围时须列出清单编号",
                "without a time range the application must list the inventories",
                "List the invtNo of each inventory to summarise, or give startTime and endTime.",
            )
        )
    if application.summary_flag not in ("1", "2"):
        found.append(
            problem(
                "R5",
                "summary.summary_flag",
                f"收发货人汇总标志应为1或2，实为 {application.summary_flag}",
                f"summaryFlag must be 1 or 2, got {application.summary_flag}",
                "Send 1 to summarise by consignor, 2 by consignor and producer.",
            )
        )
    if application.item_name_flag not in ("", "1"):
        found.append(
            problem(
                "R5",
                "summary.item_name_flag",
                f"按商品名汇总标志应为1或空，实为 {application.item_name_flag}",
                f"itemNameFlag must be 1 or empty, got {application.item_name_flag}",
                "Send 1 to group by the enterprise item name, leave empty to group by HS category.",
            )
        )
    return found


def in_window(application: SummaryApplication, at: datetime) -> bool:
    """Tell whether a moment falls within a summary application's time range (inclusive)."""
    assert application.start_time is not None and application.end_time is not None
    return application.start_time <= at <= application.end_time


def check_arrival(arrival: ExportArrival) -> list[Problem]:
    """Check an arrival on its own (R13, parcels listed once)."""
    found = check_split("arrival", arrival.message_count, arrival.message_seq_no)
    found += _duplicates([(ln.line_no, ln.logistics_no) for ln in arrival.lines], "arrival")
    return found


def check_master_bill(bill: MasterBill) -> list[Problem]:
    """Check a master bill on its own (R13, parcels listed once)."""
    found = check_split("master_bill", bill.message_count, bill.message_seq_no)
    found += _duplicates([(ln.line_no, ln.logistics_no) for ln in bill.lines], "master_bill")
    return found


def _duplicates(parcels: Sequence[tuple[int, str]], prefix: str) -> list[Problem]:
    seen: set[str] = set()
    found: list[Problem] = []
    for line_no, logistics_no in parcels:
        if logistics_no in seen:
            found.append(
                problem(
                    "R11",
                    f"{prefix}.lines[{line_no}].logistics_no",
                    f"运单 {logistics_no} 重复列出",
                    f"parcel {logistics_no} is listed twice",
                    "List each parcel once.",
                )
            )
        seen.add(logistics_no)
    return found
