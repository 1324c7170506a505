"""Input and output shapes of the reference-data domain (参数/基础数据)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict


class LoadReport(BaseModel):
    """What a load or seed did: rows read, inserted, corrected, unchanged, and earlier rows closed."""

    model_config = ConfigDict(frozen=True)

    kind: str
    source: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    parts: tuple[LoadReport, ...] = ()

    @property
    def changed(self) -> bool:
        """Tell whether anything was written."""
        return bool(self.inserted or self.updated or self.closed)


class ReferencePage(BaseModel):
    """One page of a reference table."""

    table: str
    on: date | None
    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]


class GoodsRead(BaseModel):
    """The goods rule of an HS code on a date, as the API returns it."""

    hs_code: str
    on: date
    hs8: str
    description_zh: str
    on_positive_list: bool
    bonded_only: bool
    remark: str | None
    qty_cap: Decimal | None
    qty_cap_unit: str | None
    named_goods: str | None
    tariff_prefix: str | None
    duty_rate: Decimal
    vat_rate: Decimal
    ct_kind: str
    ct_rate: Decimal
    ct_threshold: Decimal | None
    ct_threshold_piece: Decimal | None
    ct_threshold_basis: str | None
    source: str
