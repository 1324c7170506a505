"""Pure clearance rules (通关规则): checks within one document (R1-R12) and across documents (M1-M16).

Each check returns Problems with a stable rule id (``CEB-R1``, ``CEB-M3`` ...), the official customs
receipt code where one is known, a message in Chinese then English, and a fix hint. No I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from cbec.common.errors import Problem
from cbec.intake import problem
from cbec.messages.documents import (
    AppStatus,
    CancelRequest,
    ImportOrder,
    Inventory,
    Payment,
    ReturnRequest,
    Waybill,
)

CNY = "142"
ID_CARD = "1"
TRADE_DIRECT = "9610"
TRADE_BONDED = ("1210", "1239")
RETAIL_IMPORT_TRADE_MODES = (TRADE_DIRECT, *TRADE_BONDED)


# --- R-rules: within one document ----------------------------------------------------------------


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


def check_order(order: ImportOrder) -> list[Problem]:
    """Check an import order on its own (R1-R5)."""
    found: list[Problem] = []
    expected = order.goods_value + order.freight + order.tax_total - order.discount
    if order.actual_paid != expected:
        found.append(
            problem(
                "R1",
                "order.actual_paid",
                f"实际支付金额应等于商品价格+运杂费+代扣税款-非现金抵扣金额 = {expected}，实为 {order.actual_paid}",
                f"actual paid must equal goods + freight + tax - discount = {expected}, got {order.actual_paid}",
                "Recompute acturalPaid from goodsValue, freight, taxTotal and discount.",
                "-301008",
            )
        )
    for line in order.lines:
        if line.unit_price * line.quantity != line.total_price:
            found.append(
                problem(
                    "R2",
                    f"order.lines[{line.line_no}].total_price",
                    f"总价应等于单价×数量 = {line.unit_price * line.quantity}，实为 {line.total_price}",
                    f"total price must equal price x quantity = {line.unit_price * line.quantity}",
                    "Set totalPrice to price multiplied by qty.",
                    "-301008",
                )
            )
    lines_total = sum((line.total_price for line in order.lines), Decimal(0))
    if lines_total != order.goods_value:
        found.append(
            problem(
                "R3",
                "order.goods_value",
                f"商品价格应等于表体总价之和 {lines_total}，实为 {order.goods_value}",
                f"goods value must equal the sum of line totals {lines_total}, got {order.goods_value}",
                "Make goodsValue the sum of the lines' totalPrice (gifts at price 0).",
                "-301008",
            )
        )
    found += _line_numbers([line.line_no for line in order.lines], "order.lines", "-301002")
    found += _fixed_values(
        [
            ("order.order_type", order.order_type, "I"),
            ("order.currency", order.currency, CNY),
            ("order.buyer_id_type", order.buyer_id_type, ID_CARD),
            *((f"order.lines[{ln.line_no}].currency", ln.currency, CNY) for ln in order.lines),
        ]
    )
    return found


def check_payment(payment: Payment) -> list[Problem]:
    """Check a payment voucher on its own (R5)."""
    return _fixed_values(
        [("payment.currency", payment.currency, CNY), ("payment.payer_id_type", payment.payer_id_type, ID_CARD)]
    )


def check_waybill(waybill: Waybill) -> list[Problem]:
    """Check a waybill on its own (R5)."""
    return _fixed_values(
        [("waybill.currency", waybill.currency, CNY), ("waybill.pack_count", str(waybill.pack_count), "1")]
    )


def check_inventory(inventory: Inventory, *, signed: bool) -> list[Problem]:
    """Check an import inventory on its own (R2, R4-R10)."""
    found: list[Problem] = []
    for line in inventory.lines:
        if line.unit_price * line.quantity != line.total_price:
            found.append(
                problem(
                    "R2",
                    f"inventory.lines[{line.line_no}].total_price",
                    f"总价应等于单价×数量 = {line.unit_price * line.quantity}，实为 {line.total_price}",
                    f"total price must equal price x quantity = {line.unit_price * line.quantity}",
                    "Set totalPrice to price multiplied by qty.",
                    "-621030",
                )
            )
        if (line.second_unit is None) != (line.second_quantity is None) or (
            line.second_quantity is not None and line.second_quantity <= 0
        ):
            found.append(
                problem(
                    "R8",
                    f"inventory.lines[{line.line_no}].second_quantity",
                    "第二数量与第二单位须同时填写（数量大于0）或同时为空",
                    "second quantity and second unit must both be set (quantity > 0) or both be empty",
                    "Fill qty2 and unit2 together when the goods have a second legal unit, else leave both out.",
                    "-625009",
                )
            )
    found += _line_numbers([line.line_no for line in inventory.lines], "inventory.lines", "-621027")
    found += _fixed_values(
        [
            ("inventory.direction", inventory.direction, "I"),
            ("inventory.currency", inventory.currency, CNY),
            ("inventory.buyer_id_type", inventory.buyer_id_type, ID_CARD),
            ("inventory.pack_count", str(inventory.pack_count), "1"),
            *((f"inventory.lines[{ln.line_no}].currency", ln.currency, CNY) for ln in inventory.lines),
        ]
    )
    allowed_guarantors = {inventory.agent_code, inventory.ecommerce_code, inventory.logistics_code}
    if inventory.guarantor_code not in allowed_guarantors:
        found.append(
            problem(
                "R6",
                "inventory.guarantor_code",
                "担保企业只能是申报企业、电商企业或物流企业",
                "the tax guarantor must be the declaring agent, the e-commerce enterprise or the logistics company",
                f"Set assureCode to one of {sorted(allowed_guarantors)}.",
            )
        )
    found += _trade_mode_fields(inventory)
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
    if inventory.declaration.app_status == AppStatus.DECLARED and not signed:
        found.append(
            problem(
                "R10",
                "message.signature",
                "申报状态的清单必须加签",
                "a declared inventory (appStatus 2) must carry a digital signature",
                "Sign the message with the declaring enterprise's certificate before sending.",
                "-621029",
            )
        )
    return found


def _trade_mode_fields(inventory: Inventory) -> list[Problem]:
    """R7: bonded inventories need account book and warehouse; direct purchase needs transport details."""
    found: list[Problem] = []
    if inventory.trade_mode not in RETAIL_IMPORT_TRADE_MODES:
        return [
            problem(
                "R7",
                "inventory.trade_mode",
                f"监管方式 {inventory.trade_mode} 不属于跨境电商零售进口（9610/1210/1239）",
                f"trade mode {inventory.trade_mode} is not a retail-import mode (9610/1210/1239)",
                "Use 9610 for direct purchase or 1210/1239 for bonded imports; other goods go by general trade.",
            )
        ]
    if inventory.trade_mode in TRADE_BONDED:
        required = {
            "inventory.account_book_no": inventory.account_book_no,
            "inventory.warehouse_code": inventory.warehouse_code,
            "inventory.warehouse_name": inventory.warehouse_name,
        }
        required.update({f"inventory.lines[{ln.line_no}].item_record_no": ln.item_record_no for ln in inventory.lines})
        hint = "Bonded (1210) inventories need emsNo, areaCode, areaName and each line's itemRecordNo."
        if inventory.departure_country != CNY:
            found.append(
                problem(
                    "R7",
                    "inventory.departure_country",
                    "保税进口清单的起运国应为142（中国）",
                    "a bonded inventory must declare country 142",
                    "Set the head country to 142 for 1210 imports.",
                )
            )
    else:
        required = {
            "inventory.transport_no": inventory.transport_no,
            "inventory.voyage_no": inventory.voyage_no,
            "inventory.bill_no": inventory.bill_no,
        }
        hint = "Direct-purchase (9610) inventories need trafNo, voyageNo and billNo."
    for field_name, value in required.items():
        if not value:
            found.append(
                problem(
                    "R7",
                    field_name,
                    f"监管方式 {inventory.trade_mode} 下该字段必填",
                    f"required for trade mode {inventory.trade_mode}",
                    hint,
                )
            )
    return found


def _fixed_values(checks: Iterable[tuple[str, str, str]]) -> list[Problem]:
    """R5: fields whose value the import regime fixes."""
    return [
        problem(
            "R5",
            field_name,
            f"该字段取值应为 {expected}，实为 {actual}",
            f"must be {expected}, got {actual}",
            f"Set this field to {expected} for retail imports.",
        )
        for field_name, actual, expected in checks
        if actual != expected
    ]


# --- M-rules: across documents ("三单对碰" + inventory) --------------------------------------------


def match_order_payment(order: ImportOrder, payment: Payment, *, buyer_certified: bool) -> list[Problem]:
    """Compare an order with its payment (M2, M3, M4)."""
    found: list[Problem] = []
    if order.payment_code and order.payment_code != payment.payment_code:
        found.append(
            problem(
                "M2",
                "payment.payment_code",
                f"支付企业不一致：订单 {order.payment_code}，支付单 {payment.payment_code}",
                f"payment company differs: order {order.payment_code}, payment {payment.payment_code}",
                "Send the payment from the payment company named in the order (payCode).",
                "13035",
            )
        )
    if order.payment_transaction_id and order.payment_transaction_id != payment.payment_transaction_id:
        found.append(
            problem(
                "M2",
                "payment.payment_transaction_id",
                "支付交易编号与订单不一致",
                "payment transaction id differs from the order's",
                "Use the same payTransactionId in the order and the payment.",
                "13035",
            )
        )
    if order.actual_paid != payment.amount_paid:
        found.append(
            problem(
                "M3",
                "payment.amount_paid",
                f"支付金额 {payment.amount_paid} 与订单实际支付金额 {order.actual_paid} 不一致",
                f"amount paid {payment.amount_paid} differs from the order's actual paid {order.actual_paid}",
                "The payment's amountPaid must equal the order's acturalPaid exactly (ruling 9).",
            )
        )
    if not buyer_certified and (
        order.buyer_name != payment.payer_name or order.buyer_id_number.upper() != payment.payer_id_number.upper()
    ):
        found.append(
            problem(
                "M4",
                "payment.payer_id_number",
                "订单购买人与支付单支付人名字或身份证号码不一致",
                "the order's buyer and the payment's payer differ in name or ID number",
                "The buyer must pay personally unless the platform certified the buyer's identity.",
                "1327",
            )
        )
    return found


def match_order_waybill(order: ImportOrder, waybill: Waybill) -> list[Problem]:
    """Compare an order with its waybill (M5, M6)."""
    found: list[Problem] = []
    if waybill.order_no != order.order_no:
        found.append(
            problem(
                "M6",
                "waybill.order_no",
                f"运单的订单编号 {waybill.order_no} 与清单订单 {order.order_no} 不一致",
                f"the waybill's order number {waybill.order_no} differs from {order.order_no}",
                "Send the waybill with the orderNo of the order it carries.",
            )
        )
    pairs = [
        ("consignee", order.consignee, waybill.consignee),
        ("consignee_phone", order.consignee_phone, waybill.consignee_phone),
        ("consignee_address", order.consignee_address, waybill.consignee_address),
    ]
    for name, in_order, in_waybill in pairs:
        if in_order != in_waybill:
            found.append(
                problem(
                    "M5",
                    f"waybill.{name}",
                    "运单收货人信息与订单不一致",
                    f"the waybill's {name.replace('_', ' ')} differs from the order's",
                    "Copy consignee, consigneeTelephone and consigneeAddress from the order to the waybill.",
                )
            )
    return found


def match_inventory_order(inventory: Inventory, order: ImportOrder) -> list[Problem]:
    """Compare an inventory with its order (M7, M8, M9)."""
    found: list[Problem] = []
    if inventory.ecommerce_code != order.ecommerce_code:
        found.append(
            problem(
                "M7",
                "inventory.ecommerce_code",
                "清单电商企业与订单不一致",
                "the inventory's e-commerce enterprise differs from the order's",
                "Declare the inventory under the ebcCode of the order.",
            )
        )
    buyer = [
        ("buyer_name", inventory.buyer_name, order.buyer_name),
        ("buyer_id_number", inventory.buyer_id_number.upper(), order.buyer_id_number.upper()),
        ("buyer_phone", inventory.buyer_phone, order.buyer_phone),
    ]
    if any(a != b for _, a, b in buyer):
        found.append(
            problem(
                "M8",
                "inventory.buyer_id_number",
                "清单订购人和订单不一致，修改订购人后重新申报",
                "the inventory's buyer differs from the order's buyer",
                "Copy buyerName, buyerIdNumber and buyerTelephone from the order, then declare again.",
                "13127",
            )
        )
    order_lines = {line.line_no: line for line in order.lines}
    mismatch = len(order_lines) != len(inventory.lines)
    for line in inventory.lines:
        ordered = order_lines.get(line.line_no)
        if (
            ordered is None
            or ordered.item_name != line.goods_name
            or ordered.quantity != line.quantity
            or ordered.total_price != line.total_price
        ):
            mismatch = True
    if mismatch:
        found.append(
            problem(
                "M9",
                "inventory.lines",
                "订单清单表体商品项不一致",
                "the inventory lines do not match the order lines one to one (number, name, quantity, total)",
                "Declare one inventory line per order line with the same gnum, gname = itemName, qty and totalPrice.",
                "1322",
            )
        )
    return found


def match_inventory_waybill(inventory: Inventory, waybill: Waybill) -> list[Problem]:
    """Compare an inventory with its waybill (M10)."""
    found: list[Problem] = []
    if waybill.freight is not None and waybill.freight != inventory.freight:
        found.append(
            problem(
                "M10",
                "inventory.freight",
                f"清单运费 {inventory.freight} 与运单运费 {waybill.freight} 不一致",
                f"the inventory's freight {inventory.freight} differs from the waybill's {waybill.freight}",
                "Declare the freight the logistics company actually charged, as on the waybill.",
            )
        )
    if waybill.insured_fee is not None and waybill.insured_fee != inventory.insured_fee:
        found.append(
            problem(
                "M10",
                "inventory.insured_fee",
                "清单保费与运单不一致",
                "the inventory's insurance fee differs from the waybill's",
                "Declare the insurance fee as on the waybill.",
            )
        )
    if inventory.trade_mode == TRADE_DIRECT and waybill.bill_no and inventory.bill_no != waybill.bill_no:
        found.append(
            problem(
                "M10",
                "inventory.bill_no",
                "清单提运单号与运单不一致",
                "the inventory's bill of lading differs from the waybill's",
                "Use the master bill (billNo) of the waybill.",
            )
        )
    return found


def match_cancel(cancel: CancelRequest, inventory: Inventory) -> list[Problem]:
    """Compare a cancel request with the inventory it names (M15)."""
    pairs = [
        ("order_no", cancel.order_no, inventory.order_no),
        ("logistics_no", cancel.logistics_no, inventory.logistics_no),
        ("buyer_id_number", cancel.buyer_id_number.upper(), inventory.buyer_id_number.upper()),
        ("buyer_name", cancel.buyer_name, inventory.buyer_name),
    ]
    return [
        problem(
            "M15",
            f"cancel.{name}",
            "撤销申请单与原清单信息不一致",
            f"the cancel request's {name.replace('_', ' ')} differs from the inventory's",
            "Repeat orderNo, logisticsNo and the buyer exactly as in the inventory.",
            "-623005",
        )
        for name, a, b in pairs
        if a != b
    ]


@dataclass(frozen=True, slots=True)
class ReturnedSoFar:
    """Quantities already returned per inventory line."""

    by_line: dict[int, Decimal]


def match_return(request: ReturnRequest, inventory: Inventory, returned: ReturnedSoFar) -> list[Problem]:
    """Compare a return with the released inventory (M16)."""
    found: list[Problem] = []
    if request.buyer_id_number.upper() != inventory.buyer_id_number.upper() or request.order_no != inventory.order_no:
        found.append(
            problem(
                "M16",
                "return.buyer_id_number",
                "退货申请单与原清单订购人或订单不一致",
                "the return's buyer or order differs from the inventory's",
                "Repeat the buyer and orderNo exactly as in the inventory.",
            )
        )
    lines = {line.line_no: line for line in inventory.lines}
    seen: set[int] = set()
    for line in request.lines:
        original = lines.get(line.line_no)
        if original is None or line.line_no in seen:
            found.append(
                problem(
                    "M16",
                    f"return.lines[{line.line_no}]",
                    "关联清单中未找到表体序号",
                    f"line {line.line_no} is not in the inventory (or is listed twice)",
                    "Name each returned line once by the gnum of the original inventory line.",
                    "-625209",
                )
            )
            continue
        seen.add(line.line_no)
        if line.hs_code != original.hs_code or line.goods_name != original.goods_name:
            found.append(
                problem(
                    "M16",
                    f"return.lines[{line.line_no}].hs_code",
                    "退货商品编码或名称与原清单不一致",
                    "the returned line's HS code or goods name differs from the inventory line",
                    "Copy gcode and gname from the inventory line.",
                    "-625012",
                )
            )
        left = original.quantity - returned.by_line.get(line.line_no, Decimal(0))
        if line.quantity <= 0 or line.quantity > left:
            found.append(
                problem(
                    "M16",
                    f"return.lines[{line.line_no}].quantity",
                    f"退货数量应大于0且不超过可退数量 {left}",
                    f"returned quantity must be > 0 and at most the {left} not yet returned",
                    "Return no more than was released, less earlier returns.",
                    "-625024",
                )
            )
    return found


# --- timing ---------------------------------------------------------------------------------------


def return_deadlines(released_on: date, *, apply_days: int, arrive_days: int) -> tuple[date, date]:
    """Return the last day to apply for and to bring back a return (ruling 6: start day not counted)."""
    return released_on + timedelta(days=apply_days), released_on + timedelta(days=arrive_days)


def check_return_window(released_on: date, applied_on: date, *, apply_days: int) -> list[Problem]:
    """M17: a return must be applied within the window after release."""
    last_day, _ = return_deadlines(released_on, apply_days=apply_days, arrive_days=apply_days)
    if applied_on <= last_day:
        return []
    return [
        problem(
            "M17",
            "return.app_time",
            f"退货申请已超过放行之日起{apply_days}日（截止 {last_day.isoformat()}）",
            f"the return was applied after the {apply_days}-day window that ended {last_day.isoformat()}",
            "Returns after the window are not accepted; the tax stands and the quota is not restored.",
            "-625014",
        )
    ]
