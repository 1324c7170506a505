"""Assessment of a matched inventory (税款与额度): positive list, tax to the fen, the buyer's quotas (M11).

Reference data and filed products are looked up once per run (``ImportRun.memo``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cbec.clearance.models import InventoryRecord
from cbec.clearance.rules import TRADE_DIRECT
from cbec.clearance.service.run import ImportRun
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.intake import problem
from cbec.messages.documents import Inventory, InventoryLine
from cbec.products import ProductRef, find_product
from cbec.quota import QuantityClaim
from cbec.reference import GoodsRule, lookup_goods, tax_parameters
from cbec.tax import TaxLineInput, TaxParameters, TaxPath, assess_import


def goods_rule(run: ImportRun, hs_code: str, on: date) -> GoodsRule | None:
    """Return the positive-list and tariff rule of an HS code, looked up once per message."""
    key = ("goods", hs_code, on)
    if key not in run.memo:
        run.memo[key] = lookup_goods(run.session, hs_code, on)
    goods: GoodsRule | None = run.memo[key]
    return goods


def tax_parameters_on(run: ImportRun, on: date) -> dict[str, Decimal]:
    """Return the tax parameters in force on a date, looked up once per message."""
    key = ("tax_parameters", on)
    if key not in run.memo:
        run.memo[key] = tax_parameters(run.session, on)
    params: dict[str, Decimal] = run.memo[key]
    return params


def filed_product(run: ImportRun, owner_code: str, item_no: str) -> ProductRef | None:
    """Return a filed product, looked up once per message."""
    key = ("product", owner_code, item_no)
    if key not in run.memo:
        run.memo[key] = find_product(run.session, owner_code, item_no)
    product: ProductRef | None = run.memo[key]
    return product


def assess(run: ImportRun, row: InventoryRecord, inventory: Inventory) -> list[Problem]:
    """Check goods against the positive list, compute the tax and reserve the buyer's quota (M11)."""
    on = business_date(run.now)
    problems: list[Problem] = []
    lines: list[TaxLineInput] = []
    caps: dict[str, tuple[Decimal, Decimal, str]] = {}  # hs8 -> (total legal quantity, cap, unit)
    for line in inventory.lines:
        goods = goods_rule(run, line.hs_code, on)
        field_name = f"inventory.lines[{line.line_no}].hs_code"
        if goods is None:
            problems.append(
                problem(
                    "G1",
                    field_name,
                    f"商品编码 {line.hs_code} 未知",
                    f"HS code {line.hs_code} is unknown",
                    "Declare the 10-digit HS code of the goods.",
                    "-625010",
                )
            )
            continue
        if goods.bonded_only and inventory.trade_mode == TRADE_DIRECT:
            problems.append(
                problem(
                    "G2",
                    field_name,
                    f"{goods.description_zh} 仅限网购保税进口",
                    "these goods may only be imported bonded (1210)",
                    "Import these goods through a bonded warehouse under 1210.",
                )
            )
        if goods.qty_cap is not None and goods.qty_cap_unit:
            hs8 = line.hs_code[:8]
            earlier = caps.get(hs8, (Decimal(0), goods.qty_cap, goods.qty_cap_unit))[0]
            caps[hs8] = (earlier + line.legal_quantity, goods.qty_cap, goods.qty_cap_unit)
        content, threshold = content_and_threshold(run, inventory, line, goods)
        lines.append(
            TaxLineInput(
                line_no=line.line_no,
                hs_code=line.hs_code,
                goods_value=line.total_price,
                quantity=line.quantity,
                duty_rate=goods.duty_rate,
                vat_rate=goods.vat_rate,
                ct_kind=goods.ct_kind,
                ct_rate=goods.ct_rate,
                ct_threshold=threshold,
                net_content=content,
                on_positive_list=goods.on_positive_list,
            )
        )
    if problems:
        return problems
    params = tax_parameters_on(run, on)
    tax_params = TaxParameters(
        single_limit=params["single_limit"],
        annual_limit=params["annual_limit"],
        vat_ct_factor=params["vat_ct_factor"],
        duty_rate_within_limit=params["duty_rate_within_limit"],
        rounding_variant=run.ctx.settings.tax_rounding_variant,
    )
    year = on.year
    spent = run.quota.used(row.buyer_key)
    result = assess_import(
        lines, freight=inventory.freight, insurance=inventory.insured_fee, used_quota=spent, params=tax_params
    )
    errors = [p for p in result.problems if p.severity == "error"]
    if errors or result.path == TaxPath.REFUSED:
        return errors or [
            problem(
                "M11",
                "inventory",
                "不符合跨境电商零售进口条件",
                "outside the retail-import regime",
                "Import by general trade.",
            )
        ]
    problems = reserve_quotas(run, row, inventory, result.quota_amount, tax_params.annual_limit, caps)
    if problems:
        return problems
    row.tax_path, row.dutiable_value, row.quota_year = str(result.path), result.dutiable_value, year
    row.customs_duty, row.vat = result.totals.customs_duty, result.totals.vat
    row.consumption_tax = result.totals.consumption_tax
    row.tax_lines = [
        {
            "line_no": t.line_no,
            "hs_code": t.hs_code,
            "dutiable_value": str(t.dutiable_value),
            "customs_duty": str(t.customs_duty),
            "vat": str(t.vat),
            "consumption_tax": str(t.consumption_tax),
        }
        for t in result.lines
    ]
    return []


def reserve_quotas(
    run: ImportRun,
    row: InventoryRecord,
    inventory: Inventory,
    amount: Decimal,
    annual_limit: Decimal,
    caps: dict[str, tuple[Decimal, Decimal, str]],
) -> list[Problem]:
    """Reserve the annual value quota and every per-person quantity cap together, or none of them."""
    return run.quota.reserve(
        buyer_key=row.buyer_key,
        name_key=run.ctx.cipher.blind_index(inventory.buyer_name),
        amount=amount,
        annual_limit=annual_limit,
        caps={hs8: QuantityClaim(quantity, cap, unit) for hs8, (quantity, cap, unit) in caps.items()},
        inventory_ref=row.eport_no,
        order_no=inventory.order_no,
        platform_name=inventory.platform_name,
        declared_at=run.now,
        at=run.now,
    )


def content_and_threshold(
    run: ImportRun, inventory: Inventory, line: InventoryLine, goods: GoodsRule
) -> tuple[Decimal | None, Decimal | None]:
    """Return a line's net content and the consumption-tax threshold per unit of that content.

    The filed product's net content is preferred (its unit is the one the threshold is compared in);
    otherwise the declared legal quantity is used when its unit can be compared with the threshold.
    With neither, the content is unknown and the tax applies (conservative).
    """
    if goods.ct_threshold is None:
        return None, None
    if line.item_no:
        product = filed_product(run, inventory.ecommerce_code, line.item_no)
        if product is not None and product.net_content is not None and product.net_content_unit:
            try:
                threshold = goods.ct_threshold_in(product.net_content_unit)
            except ValueError:
                threshold = None
            if threshold is not None:
                return product.net_content * line.quantity, threshold
    try:
        return line.legal_quantity, goods.ct_threshold_in(line.legal_unit)
    except ValueError:
        return None, goods.ct_threshold
