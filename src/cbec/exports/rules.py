"""Pure export clearance rules (出口通关规则): checks within one document and across documents (E1-E9).

Each check returns Problems with a stable rule id (``CEB-R2``, ``CEB-E1`` ...), the official code where one
is known, a message in Chinese then English, and a fix hint (ceb-messages.md §9.1, §9.3). No I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cbec.clearance.rules import problem
from cbec.common.errors import Problem
from cbec.exports.codes import (
    B2B_DIRECT,
    CHINA,
    EXPORT_TRADE_MODES,
    OVERSEAS_WAREHOUSE,
)
from cbec.messages.export_documents import (
    Departure,
    ExportArrival,
    ExportCancel,
    ExportInventory,
    ExportOrder,
    ExportOrderType,
    ExportReturn,
    ExportWaybill,
    MasterBill,
    PaymentReceiptNote,
    StatisticsFlag,
    SummaryApplication,
)

TOTAL_PRICE_MARK = "3"  # fFlag / iFlag fixed 3 (总价) in the 202205 edition
ORDER_TYPE_FOR_TRADE_MODE = {
    "9610": ExportOrderType.RETAIL,
    "1210": ExportOrderType.RETAIL,
    B2B_DIRECT: ExportOrderType.B2B,
    OVERSEAS_WAREHOUSE: ExportOrderType.OVERSEAS_WAREHOUSE,
}


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


# --- across documents ----------------------------------------------------------------------------------


def match_order_type(inventory: ExportInventory, order: ExportOrder) -> list[Problem]:
    """E8: 9710 goes with a B2B order (B), 9810 with a booking (W), 9610/1210 with a retail order (E)."""
    expected = ORDER_TYPE_FOR_TRADE_MODE.get(inventory.trade_mode)
    if expected is None or order.order_type == expected:
        return []
    return [
        problem(
            "E8",
            "inventory.trade_mode",
            f"监管方式 {inventory.trade_mode} 须对应订单类型 {expected.value}，订单为 {order.order_type}",
            f"trade mode {inventory.trade_mode} needs order type {expected.value}, the order is {order.order_type}",
            "Declare 9710 against a B2B order (B), 9810 against an overseas-warehouse booking (W).",
        )
    ]


def match_inventory_order(inventory: ExportInventory, order: ExportOrder) -> list[Problem]:
    """E1: the inventory names the order's platform, consignor and lines one to one (by gnum)."""
    found = match_order_type(inventory, order)
    if inventory.ecommerce_code != order.ecommerce_code:
        found.append(
            problem(
                "E1",
                "inventory.ecommerce_code",
                "清单收发货人与订单电商企业不一致",
                "the inventory's consignor differs from the order's e-commerce enterprise",
                "Declare the inventory under the ebcCode of the order.",
            )
        )
    ordered = {line.line_no: line for line in order.lines}
    mismatch = len(ordered) != len(inventory.lines)
    for line in inventory.lines:
        match = ordered.get(line.line_no)
        if (
            match is None
            or match.item_no != line.item_no
            or match.quantity != line.quantity
            or match.total_price != line.total_price
            or match.currency != line.currency
        ):
            mismatch = True
    if mismatch:
        found.append(
            problem(
                "E1",
                "inventory.lines",
                "订单清单表体商品项不一致",
                "the inventory lines do not match the order lines one to one (gnum, item, quantity, total, currency)",
                "Declare one inventory line per order line with the same gnum, itemNo, qty, totalPrice and currency.",
                "1322",
            )
        )
    return found


def match_payment_receipt(order: ExportOrder, note: PaymentReceiptNote) -> list[Problem]:
    """E2: the receipt of payment names the order's consignor and is in its currency for its amount."""
    found: list[Problem] = []
    if note.ecommerce_code != order.ecommerce_code:
        found.append(
            problem(
                "E2",
                "payment_receipt.ecommerce_code",
                "收款单电商企业与订单不一致",
                "the receipt of payment names another e-commerce enterprise than the order",
                "Send the receipt of payment under the order's ebcCode.",
            )
        )
    expected = order.goods_value + order.freight
    if note.currency != order.currency or note.amount != expected:
        found.append(
            problem(
                "E2",
                "payment_receipt.amount",
                f"收款金额 {note.amount}（币制 {note.currency}）与订单金额 {expected}（币制 {order.currency}）不一致",
                f"received {note.amount} {note.currency} differs from the order's {expected} {order.currency}",
                "The charge must equal the order's goodsValue plus freight, in the order's currency (ruling 9).",
            )
        )
    return found


def match_inventory_waybill(inventory: ExportInventory, waybill: ExportWaybill) -> list[Problem]:
    """E3: the inventory's freight and insurance agree with the waybill's when priced in the same currency."""
    found: list[Problem] = []
    if waybill.currency == inventory.freight_currency and waybill.freight != inventory.freight:
        found.append(
            problem(
                "E3",
                "inventory.freight",
                f"清单运费 {inventory.freight} 与运单运费 {waybill.freight} 不一致",
                f"the inventory's freight {inventory.freight} differs from the waybill's {waybill.freight}",
                "Declare the freight on the waybill.",
            )
        )
    if waybill.currency == inventory.insurance_currency and waybill.insured_fee != inventory.insured_fee:
        found.append(
            problem(
                "E3",
                "inventory.insured_fee",
                "清单保费与运单不一致",
                "the inventory's insurance fee differs from the waybill's",
                "Declare the insurance fee on the waybill.",
            )
        )
    if waybill.ecommerce_code and waybill.ecommerce_code != inventory.ecommerce_code:
        found.append(
            problem(
                "E3",
                "inventory.ecommerce_code",
                "运单收发货人与清单不一致",
                "the waybill's consignor differs from the inventory's",
                "Name the same consignor (ebcCode) on the waybill and the inventory.",
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class TransportFacts:
    """Transport details of an inventory after master bills were applied (E5)."""

    bill_no: str | None
    voyage_no: str | None


def check_departure_parcel(
    line_no: int, logistics_no: str, status: str | None, transport: TransportFacts | None, departure: Departure
) -> list[Problem]:
    """E6: a departing parcel belongs to a released inventory on the departure's bill of lading (E5)."""
    field_name = f"departure.lines[{line_no}].logistics_no"
    if status is None or transport is None:
        return [
            problem(
                "E6",
                field_name,
                f"运单 {logistics_no} 无对应的出口清单",
                f"no export inventory for parcel {logistics_no}",
                "Declare and clear the inventory (CEB603) before the parcel leaves.",
            )
        ]
    if status != "800":
        return [
            problem(
                "E6",
                field_name,
                f"运单 {logistics_no} 的清单尚未放行（状态 {status}）",
                f"the inventory of parcel {logistics_no} is not released (status {status})",
                "Only released (800) parcels may leave; wait for release or remove the parcel.",
            )
        ]
    if not transport.bill_no:
        return [
            problem(
                "E5",
                field_name,
                f"运单 {logistics_no} 的清单未申报提运单号，须先申报清单总分单",
                f"the inventory of parcel {logistics_no} has no bill of lading yet",
                "Send the master/house bill (CEB607) that ties the parcel to its bill and voyage.",
            )
        ]
    if departure.bill_no and departure.bill_no != transport.bill_no:
        return [
            problem(
                "E6",
                field_name,
                f"离境单提运单号 {departure.bill_no} 与清单 {transport.bill_no} 不一致",
                f"the departure's bill {departure.bill_no} differs from the inventory's {transport.bill_no}",
                "Report the departure under the bill of lading the parcel was declared on.",
            )
        ]
    return []


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


def match_cancel(cancel: ExportCancel, inventory: ExportInventory) -> list[Problem]:
    """Compare a cancel request with the inventory it names (consignor)."""
    if cancel.ecommerce_code == inventory.ecommerce_code:
        return []
    return [
        problem(
            "E9",
            "cancel.ecommerce_code",
            "撤销申请单收发货人与原清单不一致",
            "the cancel request's consignor differs from the inventory's",
            "Repeat the ebcCode of the inventory.",
            "-623005",
        )
    ]


@dataclass(frozen=True, slots=True)
class OriginalLine:
    """An exported inventory line as the return rules see it."""

    line_no: int
    hs_code: str
    goods_name: str
    specification: str
    unit: str
    legal_unit: str
    second_unit: str | None
    quantity: Decimal
    legal_quantity: Decimal
    second_quantity: Decimal | None
    returned: Decimal  # quantity already returned or being returned


def match_export_return(request: ExportReturn, lines: Mapping[int, OriginalLine]) -> list[Problem]:
    """E9/R16: a return names original lines once, with the same goods and units, no more than was exported."""
    found: list[Problem] = []
    if request.country == CHINA:
        found.append(
            problem(
                "R16",
                "return.country",
                "退货申请单起运国（地区）不能为中国",
                "the country the goods come back from cannot be China (142)",
                "Give the country the returned goods are shipped from.",
            )
        )
    if request.direction != "I":
        found.append(
            problem(
                "R5",
                "return.direction",
                f"出口退货的进出口标志应为 I，实为 {request.direction}",
                f"an export return comes in: ieFlag must be I, got {request.direction}",
                "Set ieFlag to I.",
            )
        )
    seen: set[int] = set()
    for line in request.lines:
        original = lines.get(line.line_no)
        where = f"return.lines[{line.line_no}]"
        if original is None or line.line_no in seen:
            found.append(
                problem(
                    "E9",
                    where,
                    "关联清单中未找到表体序号",
                    f"line {line.line_no} is not in the original inventory (or is listed twice)",
                    "Name each returned line once by the gnum of the original inventory line.",
                    "-625209",
                )
            )
            continue
        seen.add(line.line_no)
        same = (
            line.hs_code == original.hs_code
            and line.goods_name == original.goods_name
            and line.specification == original.specification
            and line.unit == original.unit
            and line.legal_unit == original.legal_unit
            and (line.second_unit or None) == (original.second_unit or None)
        )
        if not same:
            found.append(
                problem(
                    "R16",
                    f"{where}.hs_code",
                    "退货商品编码、名称、规格型号或计量单位与原清单不一致",
                    "the returned line's HS code, name, model or units differ from the original line",
                    "Copy gcode, gname, gmodel, unit, unit1 and unit2 from the original inventory line.",
                    "-625012",
                )
            )
        left = original.quantity - original.returned
        legal_left = original.legal_quantity * left / original.quantity if original.quantity else Decimal(0)
        if line.quantity <= 0 or line.quantity > left or line.legal_quantity > legal_left:
            found.append(
                problem(
                    "R16",
                    f"{where}.quantity",
                    f"退货数量应大于0且不超过原清单可退数量 {left}",
                    f"returned quantity must be > 0 and at most the {left} exported and not yet returned",
                    "Return no more than was exported (qty and qty1), less earlier returns.",
                    "-625024",
                )
            )
        elif (
            line.second_quantity is not None
            and original.second_quantity is not None
            and line.second_quantity > original.second_quantity
        ):
            found.append(
                problem(
                    "R16",
                    f"{where}.second_quantity",
                    "退货第二数量不能大于原清单第二数量",
                    "the returned second quantity exceeds the original's",
                    "Return no more than the original qty2.",
                    "-625024",
                )
            )
    return found
