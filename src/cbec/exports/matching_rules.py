"""Pure export rules across documents (出口单证比对): a document against the documents it names (E1-E9).

An inventory against its order, receipt of payment and waybill (E1-E3, E8); a departing parcel against its
inventory and bill of lading (E5, E6); a cancel or a return against the inventory it names (E9, R16). Problems
take the same form as in ``rules``. No I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from cbec.common.errors import Problem
from cbec.exports.codes import B2B_DIRECT, CHINA, OVERSEAS_WAREHOUSE
from cbec.intake import problem
from cbec.messages.export_documents import (
    Departure,
    ExportCancel,
    ExportInventory,
    ExportOrder,
    ExportOrderType,
    ExportReturn,
    ExportWaybill,
    PaymentReceiptNote,
)

ORDER_TYPE_FOR_TRADE_MODE = {
    "9610": ExportOrderType.RETAIL,
    "1210": ExportOrderType.RETAIL,
    B2B_DIRECT: ExportOrderType.B2B,
    OVERSEAS_WAREHOUSE: ExportOrderType.OVERSEAS_WAREHOUSE,
}


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
