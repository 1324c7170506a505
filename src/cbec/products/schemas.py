"""Input and output shapes of product filing (商品备案)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ProductCreate(BaseModel):
    """A new product filing; the rules check every field and report every problem at once."""

    model_config = ConfigDict(extra="forbid")

    owner_code: str = Field(description="Customs code (or credit code) of the e-commerce enterprise (电商企业).")
    item_no: str = Field(description="The enterprise's SKU (商品货号), unique per owner, at most 20 characters.")
    name: str
    hs_code: str = Field(description="10-digit 商品编号, e.g. 3304990099.")
    specification: str = Field(description="规格型号 (gmodel).")
    brand: str | None = None
    origin_country: str = Field(description="3-digit 国别(地区)代码, e.g. 116 Japan.")
    transaction_unit: str = Field(description="3-digit unit code of the transaction unit, e.g. 142 瓶.")
    legal_unit: str = Field(description="First legal unit (法定第一计量单位), e.g. 035 千克.")
    legal_unit_2: str | None = None
    net_content: Decimal = Field(description="Net content of one transaction unit in net_content_unit.")
    net_content_unit: str = Field(description="Unit of the net content: 096 毫升, 036 克, 020 片, 008 只...")
    barcode: str | None = None
    unit_gross_weight: Decimal | None = Field(
        default=None,
        description=(
            "Gross weight of one transaction unit in kg, packed (毛重), e.g. 1.15 for a 900 g tin; optional, above 0,"
            " at most 1000, at most 5 decimals. Risk compares an import inventory's gross weight with it (R2.3)."
        ),
    )
    actor: str = Field(default="api", description="Who files (recorded in the audit trail).")


class ProductRead(BaseModel):
    """A product filing as shown to users."""

    id: int
    owner_code: str
    owner_name: str
    item_no: str
    name: str
    hs_code: str
    specification: str
    brand: str | None
    origin_country: str
    transaction_unit: str
    legal_unit: str
    legal_unit_2: str | None
    net_content: Decimal
    net_content_unit: str
    barcode: str | None
    unit_gross_weight: Decimal | None = Field(description="Gross weight of one transaction unit in kg, if filed.")
    status: str
    filed_at: datetime
    updated_at: datetime


class ProductPage(BaseModel):
    """One page of product filings."""

    items: list[ProductRead]
    total: int
    limit: int
    offset: int


class ProductImportReport(BaseModel):
    """What a product import did."""

    source: str
    rows: int
    created: int
    updated: int
    unchanged: int
    warnings: list[dict[str, Any]] = Field(default_factory=list)


class AuditRead(BaseModel):
    """One audit record of a product filing."""

    id: int
    at: datetime
    actor: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
