"""Pydantic shapes of the exports API and CLI (出口接口模型): overseas warehouses, invoices, tax profiles."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field


class WarehouseCreate(BaseModel):
    """An overseas warehouse to add to the zone registry (海外仓登记)."""

    name: str = Field(min_length=1, max_length=100)
    operator_code: str = Field(min_length=10, max_length=18, description="Filed enterprise operating it.")
    country: str = Field(pattern=r"^\d{3}$", description="国别(地区)代码, e.g. 502 (USA).")
    address: str = Field(min_length=1, max_length=300)
    area_m2: Decimal = Field(gt=0)
    services: list[str] = Field(default_factory=list, description="e.g. storage, fulfilment, returns, after-sales")


class WarehouseRead(BaseModel):
    """A registered overseas warehouse with its 9810 export activity."""

    code: str
    name: str
    operator_code: str
    country: str
    address: str
    area_m2: Decimal
    services: list[str]
    status: str
    inventories: int
    inventories_by_currency: dict[str, int]


class InvoiceLinkIn(BaseModel):
    """A purchase VAT invoice backing an exported inventory line."""

    ecommerce_code: str
    invoice_no: str = Field(min_length=1, max_length=40)
    invoice_date: date
    inventory_no: str
    line_no: int = Field(ge=1)
    amount: Decimal = Field(gt=0, description="Invoice amount excluding VAT.")
    vat_rate: Decimal = Field(gt=0, lt=1)


class TaxProfileIn(BaseModel):
    """What the export tax ledgers need to know about an enterprise."""

    refund_qualified: bool = False
    tax_registered: bool = True
    employees: int | None = Field(default=None, ge=0)
    total_assets: Decimal | None = Field(default=None, ge=0)
    restricted_industry: bool = False
