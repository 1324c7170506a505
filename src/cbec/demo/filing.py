"""Set up the demo zone through the domains' own use cases: reference data, enterprises, products (备案)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cbec.common.errors import DomainError
from cbec.demo.zone import BY_KEY, ENTERPRISES, PRODUCTS, SHOPS
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import approve_enterprise, file_enterprise, get_enterprise, list_enterprises
from cbec.products.schemas import ProductCreate
from cbec.products.service import approve_product, file_product
from cbec.reference import seed_builtin
from cbec.storage.context import Context

ACTOR = "demo"


@dataclass(slots=True)
class FilingReport:
    """What the set-up filed, and what was there already."""

    reference_rows_inserted: int = 0
    enterprises_filed: int = 0
    enterprises_existing: int = 0
    products_filed: int = 0
    products_existing: int = 0
    products_refused: list[str] = field(default_factory=list)


def zone_has_enterprises(ctx: Context) -> bool:
    """Tell whether any enterprise is filed (`cbec demo --if-empty` does nothing then)."""
    return list_enterprises(ctx, limit=1).total > 0


def set_up_zone(ctx: Context) -> FilingReport:
    """Seed reference data, file and approve the zone's enterprises, file and approve the shops' products."""
    report = FilingReport(reference_rows_inserted=seed_builtin(ctx).inserted)
    for enterprise in ENTERPRISES:
        try:
            existing = get_enterprise(ctx, enterprise.customs_code)
        except DomainError:
            existing = None
        if existing is None:
            filed = file_enterprise(
                ctx,
                EnterpriseCreate(
                    uscc=enterprise.uscc,
                    customs_code=enterprise.customs_code,
                    name=enterprise.name,
                    name_en=enterprise.name_en,
                    dxp_id=enterprise.dxp_id,
                    roles=list(enterprise.roles),
                    contact_name=enterprise.contact_name,
                    contact_phone=enterprise.contact_phone,
                    actor=ACTOR,
                ),
            )
            report.enterprises_filed += 1
            status = filed.status
        else:
            report.enterprises_existing += 1
            status = existing.status
        if status == "pending":
            approve_enterprise(ctx, enterprise.customs_code, reason="演示数据：资料齐全，准予备案", actor=ACTOR)
    for shop in SHOPS:
        owner = BY_KEY[shop].customs_code
        for product in PRODUCTS:
            if not product.on_positive_list:
                continue  # a shop cannot file goods that are not on the positive list
            goods = product.goods
            try:
                filed_product = file_product(
                    ctx,
                    ProductCreate(
                        owner_code=owner,
                        item_no=goods.item_no,
                        name=goods.name,
                        hs_code=goods.hs_code,
                        specification=goods.specification,
                        brand=product.brand or None,
                        origin_country=goods.origin_country,
                        transaction_unit=goods.unit,
                        legal_unit=goods.legal_unit,
                        net_content=product.net_content,
                        net_content_unit=product.net_content_unit,
                        unit_gross_weight=goods.unit_gross_weight,
                        actor=ACTOR,
                    ),
                )
            except DomainError as exc:
                if exc.code == "already_exists":
                    report.products_existing += 1
                else:
                    report.products_refused.append(
                        f"{owner}/{goods.item_no}: " + "; ".join(f"{p.rule_id} {p.message}" for p in exc.problems)
                    )
                continue
            report.products_filed += 1
            approve_product(ctx, filed_product.id, reason="演示数据：商品信息核对无误", actor=ACTOR)
    return report
