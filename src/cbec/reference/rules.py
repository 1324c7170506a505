"""Pure reference-data rules (参数/基础数据): goods rules, code snapshots and effective dating.

No I/O and no clock: the service reads rows and passes them in. A row applies from ``valid_from`` to
``valid_to`` inclusive; ``valid_to`` of ``None`` means the row is still in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from cbec.common.errors import Problem


class CtKind(StrEnum):
    """Consumption-tax method of a tariff row (specific and compound rates are outside v1)."""

    NONE = "none"
    AD_VALOREM = "ad_valorem"


class ThresholdBasis(StrEnum):
    """What the consumption-tax per-unit threshold is measured against."""

    PER_ML_OR_G = "per_ml_or_g"  # 高档化妆品: ≥ 10 CNY per ml or g, or ≥ 15 CNY per 片/张 (ct_threshold_piece)
    PER_PIECE = "per_piece"  # 高档手表: ≥ 10 000 CNY per watch


class ReferenceKind(StrEnum):
    """Kinds of reference-data file that ``cbec reference load`` accepts."""

    CODES = "codes"
    POSITIVE_LIST = "positive-list"
    TARIFF = "tariff"
    TAX_PARAMETERS = "tax-parameters"


# Code tables and the shape of their codes. customs_district (关区代码, JGS/T 18) ships empty: no
# attributable public copy exists, so zones load their own.
CODE_TABLE_FORMATS: dict[str, tuple[int, str]] = {
    "country": (3, "digits"),
    "currency": (3, "digits"),
    "unit": (3, "digits"),
    "transport_mode": (1, "alnum"),
    "trade_mode": (4, "digits"),
    "wrap_type": (1, "digits"),
    "hs8": (8, "digits"),
    "customs_district": (4, "digits"),
}
CODE_TABLES = tuple(CODE_TABLE_FORMATS)

TAX_PARAMETER_NAMES = (
    "single_limit",
    "annual_limit",
    "vat_ct_factor",
    "duty_rate_within_limit",
    "return_apply_days",
    "return_arrive_days",
)

# Units of net content and the factor that turns one of them into ml or g.
MASS_VOLUME_UNITS: dict[str, Decimal] = {
    "036": Decimal(1),  # 克
    "096": Decimal(1),  # 毫升
    "035": Decimal(1000),  # 千克
    "095": Decimal(1000),  # 升
}
# Count units that the cosmetics 15 CNY/片(张) threshold applies to.
SHEET_UNITS = frozenset({"020", "010"})  # 片, 张
# Count units for per-piece thresholds (watches).
PIECE_UNITS = frozenset({"007", "008", "010", "011", "012", "020"})  # 个, 只, 张, 件, 支, 片


def plain(value: Decimal) -> Decimal:
    """Return a Decimal without exponent or trailing zeros (5E+3 becomes 5000, 0.150 becomes 0.15)."""
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        return normalized.quantize(Decimal(1))
    return normalized


def is_in_force(valid_from: date, valid_to: date | None, on: date) -> bool:
    """Tell whether a row dated valid_from..valid_to (inclusive) applies on a date."""
    return valid_from <= on and (valid_to is None or on <= valid_to)


def chain_valid_to(spans: Sequence[tuple[date, date | None]]) -> list[date | None]:
    """Close each span the day before the next one starts; spans must be sorted by valid_from.

    A span that already ends earlier keeps its end; the last span keeps its own end.
    """
    result = [valid_to for _, valid_to in spans]
    for index in range(len(spans) - 1):
        next_from = spans[index + 1][0]
        current = result[index]
        if current is None or current >= next_from:
            result[index] = next_from - timedelta(days=1)
    return result


@dataclass(frozen=True, slots=True)
class CodeName:
    """The names of one code."""

    name_zh: str
    name_en: str | None = None
    alias: str | None = None


class CodeTables:
    """An in-memory snapshot of every code table on one date."""

    __slots__ = ("_tables", "on")

    def __init__(self, on: date, tables: Mapping[str, Mapping[str, CodeName]]) -> None:
        self.on = on
        self._tables: dict[str, dict[str, CodeName]] = {name: dict(codes) for name, codes in tables.items()}

    def contains(self, table: str, code: str) -> bool:
        """Tell whether a code is in force in a table."""
        return code in self._tables.get(table, {})

    def name(self, table: str, code: str) -> str | None:
        """Return the Chinese name of a code, or None if the code is unknown."""
        entry = self._tables.get(table, {}).get(code)
        return entry.name_zh if entry else None

    def entry(self, table: str, code: str) -> CodeName | None:
        """Return every name of a code, or None if the code is unknown."""
        return self._tables.get(table, {}).get(code)

    def codes(self, table: str) -> frozenset[str]:
        """Return the codes in force in a table."""
        return frozenset(self._tables.get(table, {}))

    @property
    def tables(self) -> tuple[str, ...]:
        """Return the names of the tables that hold codes on this date."""
        return tuple(sorted(name for name, codes in self._tables.items() if codes))


@dataclass(frozen=True, slots=True)
class GoodsRule:
    """What the positive list and the tariff say about one HS code on one date.

    ``ct_threshold`` is measured per ``ct_threshold_basis``; use :meth:`ct_threshold_in` to get it per unit
    of a product's net content. ``ct_threshold_piece`` is the cosmetics 片/张 threshold (15 CNY).
    """

    hs8: str
    description_zh: str
    on_positive_list: bool
    bonded_only: bool
    qty_cap: Decimal | None
    qty_cap_unit: str | None
    named_goods: str | None
    duty_rate: Decimal
    vat_rate: Decimal
    ct_kind: str
    ct_rate: Decimal
    ct_threshold: Decimal | None
    ct_threshold_basis: str | None
    source: str
    ct_threshold_piece: Decimal | None = None
    tariff_prefix: str | None = None
    remark: str | None = None

    def ct_threshold_in(self, net_content_unit: str) -> Decimal | None:
        """Return the consumption-tax threshold per one net-content unit (e.g. 10 000 CNY per 千克 for 10/g).

        None means no threshold: the tax (if any) always applies. Raises ValueError when the unit cannot be
        compared with the threshold (a watch measured in ml).
        """
        if self.ct_kind != CtKind.AD_VALOREM or self.ct_threshold is None:
            return None
        basis = ThresholdBasis(self.ct_threshold_basis or ThresholdBasis.PER_PIECE)
        if basis is ThresholdBasis.PER_ML_OR_G:
            if net_content_unit in MASS_VOLUME_UNITS:
                return plain(self.ct_threshold * MASS_VOLUME_UNITS[net_content_unit])
            if net_content_unit in SHEET_UNITS and self.ct_threshold_piece is not None:
                return plain(self.ct_threshold_piece)
            raise ValueError(f"HS {self.hs8}: the threshold is per ml, g, 片 or 张, not per unit {net_content_unit}")
        if net_content_unit in PIECE_UNITS:
            return plain(self.ct_threshold)
        raise ValueError(f"HS {self.hs8}: the threshold is per piece, not per unit {net_content_unit}")


def net_content_unit_problems(rule: GoodsRule, net_content_unit: str, field: str) -> list[Problem]:
    """Check that a product's net-content unit can be compared with its consumption-tax threshold."""
    try:
        rule.ct_threshold_in(net_content_unit)
    except ValueError:
        if rule.ct_threshold_basis == ThresholdBasis.PER_ML_OR_G:
            allowed = "036 克, 096 毫升, 035 千克, 095 升, 020 片 or 010 张"
        else:
            allowed = "007 个, 008 只, 010 张, 011 件, 012 支 or 020 片"
        return [
            Problem(
                "REF-NET-CONTENT-UNIT",
                field,
                f"净含量单位 {net_content_unit} 不能用于消费税起征点 / net content unit {net_content_unit} cannot be "
                f"compared with the consumption-tax threshold of HS {rule.hs8}",
                f"Give the net content in one of: {allowed}.",
            )
        ]
    return []


def code_format_problem(table: str, code: str, field: str) -> Problem | None:
    """Return a problem when a code does not have the shape of its table, else None."""
    length, kind = CODE_TABLE_FORMATS[table]
    ok = len(code) == length and code.isascii() and (code.isdigit() if kind == "digits" else code.isalnum())
    if ok and code.upper() == code:
        return None
    shape = f"{length} digit(s)" if kind == "digits" else f"{length} upper-case letter(s) or digit(s)"
    return Problem(
        "REF-CODE-FORMAT",
        field,
        f"代码格式错误 / a {table} code has {shape}, got {code!r}",
        f"Write the {table} code as {shape}; keep leading zeros (read the CSV as text).",
    )


def merge_names(rows: Iterable[tuple[str, str, CodeName]]) -> dict[str, dict[str, CodeName]]:
    """Group (table, code, names) rows into a mapping of table to code to names."""
    tables: dict[str, dict[str, CodeName]] = {}
    for table, code, names in rows:
        tables.setdefault(table, {})[code] = names
    return tables
