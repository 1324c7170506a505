"""Reference-data tables (参数/基础数据): code tables, positive list, tariff rates and tax parameters.

Every row is effective-dated: it applies from ``valid_from`` to ``valid_to`` inclusive (``None`` = open),
and names its ``source`` (notice, repository or file) so the law behind a value can be traced.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Amount, Base, BigId


class CodeEntry(Base):
    """One code of a customs parameter table (国别, 币制, 计量单位, 运输方式, 监管方式, 包装种类, 税则号列)."""

    __tablename__ = "code_entry"
    __table_args__ = (
        UniqueConstraint("table_name", "code", "valid_from"),
        Index("ix_code_entry_table_code", "table_name", "code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(30))
    code: Mapped[str] = mapped_column(String(20))
    name_zh: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300), nullable=True)
    alias: Mapped[str | None] = mapped_column(String(20), nullable=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(Text)


class PositiveListEntry(Base):
    """One tariff line of the retail-import positive list (跨境电子商务零售进口商品清单) with its remark."""

    __tablename__ = "positive_list_entry"
    __table_args__ = (UniqueConstraint("hs8", "valid_from"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hs8: Mapped[str] = mapped_column(String(8), index=True)
    description_zh: Mapped[str] = mapped_column(String(300))
    remark: Mapped[str | None] = mapped_column(Text, nullable=True)
    bonded_only: Mapped[bool] = mapped_column(Boolean, default=False)
    qty_cap: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    qty_cap_unit: Mapped[str | None] = mapped_column(String(3), nullable=True)
    named_goods: Mapped[str | None] = mapped_column(Text, nullable=True)
    source_doc: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)


class TariffRate(Base):
    """Duty, VAT and consumption-tax rule of an 8- or 10-digit tariff prefix (税率)."""

    __tablename__ = "tariff_rate"
    __table_args__ = (UniqueConstraint("hs_prefix", "valid_from"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    hs_prefix: Mapped[str] = mapped_column(String(10), index=True)
    duty_rate: Mapped[Decimal] = mapped_column(Amount)
    vat_rate: Mapped[Decimal] = mapped_column(Amount)
    ct_kind: Mapped[str] = mapped_column(String(20))
    ct_rate: Mapped[Decimal] = mapped_column(Amount)
    ct_threshold: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    ct_threshold_piece: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    ct_threshold_basis: Mapped[str | None] = mapped_column(String(20), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)


class TaxParameter(Base):
    """One named retail-import tax constant (税收参数) such as the single-transaction limit."""

    __tablename__ = "tax_parameter"
    __table_args__ = (UniqueConstraint("name", "valid_from"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    value: Mapped[Decimal] = mapped_column(Amount)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(Text)
