"""Builders for filing tests: valid credit codes, enterprises and products with explicit overrides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cbec.common.ids import make_uscc, org_code_check_char
from cbec.enterprises.schemas import EnterpriseCreate, EnterpriseRead
from cbec.enterprises.service import approve_enterprise, file_enterprise
from cbec.products.schemas import ProductCreate
from cbec.storage.context import Context

ENTERPRISE_CSV_HEADER = "uscc,customs_code,name,name_en,dxp_id,roles,contact_name,contact_phone,zone"
PRODUCT_CSV_HEADER = (
    "owner_code,item_no,name,hs_code,specification,brand,origin_country,transaction_unit,legal_unit,"
    "legal_unit_2,net_content,net_content_unit,barcode"
)


def uscc_for(n: int, *, authority: str = "91") -> str:
    """Return a valid credit code (GB 32100 and GB 11714 checks pass) numbered n."""
    body = f"MA5T{n:04d}"
    return make_uscc(f"{authority}460100{body}{org_code_check_char(body)}")


def customs_code_for(n: int) -> str:
    """Return a customs code numbered n."""
    return f"46019{n:05d}"


def enterprise(n: int = 1, **overrides: Any) -> EnterpriseCreate:
    """Return a filing of an e-commerce enterprise numbered n."""
    fields: dict[str, Any] = {
        "uscc": uscc_for(n),
        "customs_code": customs_code_for(n),
        "name": f"海口测试电子商务有限公司{n}",
        "name_en": None,
        "dxp_id": f"DXPENT{n:010d}",
        "roles": ["ecommerce_enterprise"],
        "contact_name": "王芳",
        "contact_phone": "13800138000",
        "zone": "hub",
        "actor": "tester",
    }
    fields.update(overrides)
    return EnterpriseCreate(**fields)


def approved(ctx: Context, n: int = 1, **overrides: Any) -> EnterpriseRead:
    """File and approve an enterprise numbered n."""
    filed = file_enterprise(ctx, enterprise(n, **overrides))
    return approve_enterprise(ctx, filed.id, reason="资料齐全", actor="officer")


def enterprise_csv_row(n: int, **overrides: str) -> str:
    """Return one CSV line of the enterprise import format."""
    fields = {
        "uscc": uscc_for(n),
        "customs_code": customs_code_for(n),
        "name": f"海口测试电子商务有限公司{n}",
        "name_en": "",
        "dxp_id": f"DXPENT{n:010d}",
        "roles": "ecommerce_enterprise;ecommerce_platform",
        "contact_name": "王芳",
        "contact_phone": "13800138000",
        "zone": "hub",
    }
    fields.update(overrides)
    return ",".join(fields[name] for name in ENTERPRISE_CSV_HEADER.split(","))


def product(owner_code: str, **overrides: Any) -> ProductCreate:
    """Return a filing of a 50 ml serum (3304990099, consumption-tax threshold per ml)."""
    fields: dict[str, Any] = {
        "owner_code": owner_code,
        "item_no": "SKU-SERUM-50",
        "name": "精华液50毫升",
        "hs_code": "3304990099",
        "specification": "50毫升/瓶",
        "brand": "雪肌",
        "origin_country": "116",
        "transaction_unit": "142",
        "legal_unit": "035",
        "legal_unit_2": None,
        "net_content": Decimal("50"),
        "net_content_unit": "096",
        "barcode": "4901234567894",
        "actor": "tester",
    }
    fields.update(overrides)
    return ProductCreate(**fields)


def product_csv_row(owner_code: str, item_no: str, **overrides: str) -> str:
    """Return one CSV line of the product import format (a 900 g tin of infant formula)."""
    fields = {
        "owner_code": owner_code,
        "item_no": item_no,
        "name": "婴幼儿配方奶粉900克",
        "hs_code": "1901101090",
        "specification": "900克/罐",
        "brand": "爱他美",
        "origin_country": "609",
        "transaction_unit": "122",
        "legal_unit": "035",
        "legal_unit_2": "",
        "net_content": "0.9",
        "net_content_unit": "035",
        "barcode": "",
    }
    fields.update(overrides)
    return ",".join(fields[name] for name in PRODUCT_CSV_HEADER.split(","))
