"""The indicator catalogue (统计指标目录) and its figures over trade facts, for any period and tenant.

Each indicator has a code, zh/en names, a unit, a polarity, a pillar, a caliber (口径), a frequency and a formula
over ``trade_fact``. Figures carry their caliber, vintage and the catalogue's rule version. A fact counts for the
tenant of its e-commerce enterprise (``trade_fact.tenant``), so the figures of a hub's sub-platforms add up to the
hub's own (1+M+N). Only platform data is used here: the caliber is ``platform`` (管理平台数据口径), never mixed
with survey (全口径) figures.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from cbec.common.clock import SHANGHAI, business_date
from cbec.facts.models import TradeFact
from cbec.facts.rules import RELEASED_STATUSES, FactStatus
from cbec.storage.context import Context

RULE_VERSION = "2026.12-1"
CALIBER = "platform"
PRELIMINARY_DAYS = 30  # figures of a period that ended less than this ago are preliminary (初步), else final


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator of the catalogue."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    polarity: int  # +1 more is better, -1 less is better
    pillar: str
    formula: str
    frequency: str = "daily"


CATALOGUE: tuple[Indicator, ...] = (
    Indicator("import_value_cny", "进口额", "import value", "CNY", 1, "scale",
              "Σ value_cny of import lines released in the period"),
    Indicator("export_value_cny", "出口额", "export value", "CNY", 1, "scale",
              "Σ value_cny of export lines released in the period"),
    Indicator("import_inventories", "进口清单数", "import inventories released", "count", 1, "scale",
              "distinct import inventories released in the period"),
    Indicator("export_inventories", "出口清单数", "export inventories released", "count", 1, "scale",
              "distinct export inventories released in the period"),
    Indicator("value_9610_cny", "9610 金额", "9610 value", "CNY", 1, "structure",
              "Σ value_cny of 9610 lines (both directions) released"),
    Indicator("value_1210_cny", "1210 金额", "1210 value", "CNY", 1, "structure",
              "Σ value_cny of 1210 lines released"),
    Indicator("value_9710_cny", "9710 金额", "9710 value", "CNY", 1, "structure",
              "Σ value_cny of 9710 lines released"),
    Indicator("value_9810_cny", "9810 金额", "9810 value", "CNY", 1, "structure",
              "Σ value_cny of 9810 lines released"),
    Indicator("active_enterprises", "活跃企业数", "active e-commerce enterprises", "count", 1, "ecosystem",
              "distinct e-commerce enterprises with a line released in the period"),
    Indicator("b2b_share", "B2B 出口占比", "B2B share of exports", "%", 1, "structure",
              "(9710 + 9810 export value) / export value × 100"),
    Indicator("export_markets", "出口市场数", "export markets", "count", 1, "structure",
              "distinct destination countries of export lines released"),
    Indicator("destination_diversity", "出口市场分散度", "destination diversity (1 − HHI)", "ratio", 1, "structure",
              "1 − Σ_c s_c² with s_c the share of country c in export value"),
    Indicator("refusal_rate", "退单率", "refusal rate", "%", -1, "facilitation",
              "inventories refused / inventories declared in the period × 100"),
    Indicator("median_release_hours", "申报至放行时长中位数", "median declaration-to-release time", "hours", -1,
              "facilitation", "median of released_at − declared_at over inventories released in the period"),
)  # fmt: skip
ROLLUP_RULE_VERSION = "2026.12-2"  # the indicators first computed from the daily rollups (cbec.statistics.cube)
DERIVED: tuple[Indicator, ...] = (
    Indicator("trade_value_cny", "进出口额", "import and export value", "CNY", 1, "scale",
              "import_value_cny + export_value_cny"),
    Indicator("refused_inventories", "退单清单数", "inventories refused", "count", -1, "facilitation",
              "inventories declared in the period and refused"),
    Indicator("returned_value_cny", "退货金额", "returned value", "CNY", -1, "facilitation",
              "Σ value_cny of lines released in the period whose goods came back (returned)"),
    Indicator("return_rate", "退货率", "return rate", "%", -1, "facilitation",
              "inventories released in the period with goods returned / inventories released × 100"),
    Indicator("import_value_yoy", "进口额同比", "import value YoY", "ratio", 1, "growth",
              "(X_t − X_{t−1y}) / X_{t−1y} of import_value_cny"),
    Indicator("export_value_yoy", "出口额同比", "export value YoY", "ratio", 1, "growth",
              "(X_t − X_{t−1y}) / X_{t−1y} of export_value_cny"),
    Indicator("trade_value_yoy", "进出口额同比", "trade value YoY", "ratio", 1, "growth",
              "(X_t − X_{t−1y}) / X_{t−1y} of trade_value_cny"),
    Indicator("import_value_mom", "进口额环比", "import value MoM", "ratio", 1, "growth",
              "(X_t − X_{t−1}) / X_{t−1} of import_value_cny, t−1 the period just before"),
    Indicator("export_value_mom", "出口额环比", "export value MoM", "ratio", 1, "growth",
              "(X_t − X_{t−1}) / X_{t−1} of export_value_cny, t−1 the period just before"),
    Indicator("trade_value_mom", "进出口额环比", "trade value MoM", "ratio", 1, "growth",
              "(X_t − X_{t−1}) / X_{t−1} of trade_value_cny, t−1 the period just before"),
    Indicator("trade_value_share", "占全区进出口比重", "share of the zone's trade value", "ratio", 1, "structure",
              "trade_value_cny of the tenant / trade_value_cny of the hub"),
    Indicator("trade_value_contribution", "对全区增长贡献率", "contribution to the zone's YoY growth", "ratio", 1,
              "growth", "ΔX_tenant / ΔX_hub, Δ = X_t − X_{t−1y} of trade_value_cny"),
    Indicator("trade_value_pull", "拉动全区增长", "pull on the zone's YoY growth", "ratio", 1, "growth",
              "ΔX_tenant / X_hub,t−1y of trade_value_cny (× 100 = percentage points)"),
    Indicator("trade_value_ytd_cny", "年初至今进出口额", "trade value, year to date", "CNY", 1, "scale",
              "Σ trade_value_cny from 1 January of the period's last day's year to that day (month, quarter, year)"),
    Indicator("trade_value_ytd_yoy", "进出口额累计同比", "trade value YoY, year to date", "ratio", 1, "growth",
              "(YTD_t − YTD_{t−1y}) / YTD_{t−1y}, the same days a year earlier (month, quarter, year)"),
    Indicator("trade_value_cagr_3y", "进出口额三年复合增长率", "trade value CAGR over 3 years", "ratio", 1, "growth",
              "(X_t / X_{t−3y})^(1/3) − 1 of trade_value_cny, the same month, quarter or year three years earlier"),
    Indicator("first_pass_rate", "三单一次对碰成功率", "first-pass match rate (三单对碰)", "%", 1, "facilitation",
              "inventories declared in the period that never waited for their order, payment or waybill (receipt 2) "
              "and were not refused / inventories declared × 100"),
    Indicator("export_cr3", "前三大出口市场集中度", "export concentration, top 3 markets (CR3)", "ratio", -1,
              "structure", "Σ export value of the 3 largest destinations / export value"),
)  # fmt: skip
# The rule versions of the derived indicators added after the first rollup release.
LATER_RULES = dict.fromkeys(
    ("trade_value_ytd_cny", "trade_value_ytd_yoy", "trade_value_cagr_3y", "export_cr3", "first_pass_rate"), "2026.12-3"
)
# From the latest B2B-identification run covering the tenant (cbec.statistics.b2b): their own caliber, platform data
# plus imported general-trade declarations, never mixed into the platform-data series above.
B2B_CALIBER = "platform data + imported general-trade declarations (管理平台口径)"
B2B_RULE_VERSION = "b2b-figures-1"
IDENTIFIED_B2B: tuple[Indicator, ...] = (
    Indicator("b2b_identified_value_cny", "识别的一般贸易B2B出口额", "general-trade exports identified as B2B",
              "CNY", 1, "structure", "Σ CNY value of the run's identified 0110 declarations (undecided never counted)"),
    Indicator("b2b_share_identified", "B2B出口占比（含识别）", "B2B share of exports, identified included", "ratio", 1,
              "structure", "(9710 + 9810 + identified 0110) / (all platform exports + imported declarations)"),
)  # fmt: skip
BY_CODE = {indicator.code: indicator for indicator in CATALOGUE + DERIVED + IDENTIFIED_B2B}


@dataclass(frozen=True, slots=True)
class Figure:
    """One indicator's value for one period and tenant, with its caliber, vintage and rule version."""

    code: str
    value: Decimal | None  # None: not defined for the period (e.g. a share of nothing)
    unit: str
    start: date
    end: date  # inclusive
    tenant: str
    caliber: str
    vintage: str  # preliminary | final
    rule_version: str

    def as_row(self) -> dict[str, str | None]:
        """Return the figure as the CLI, CSV and REST show it: names beside the code, the value as text."""
        indicator = BY_CODE[self.code]
        return {
            "code": self.code,
            "name_zh": indicator.name_zh,
            "name_en": indicator.name_en,
            "value": None if self.value is None else format(self.value, "f"),
            "unit": self.unit,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "tenant": self.tenant,
            "caliber": self.caliber,
            "vintage": self.vintage,
            "rule_version": self.rule_version,
        }


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def _tenant_condition(tenant: str) -> ColumnElement[bool] | None:
    if tenant == "hub":
        return None
    return or_(TradeFact.tenant == tenant, TradeFact.tenant.like(tenant.replace("%", r"\%") + "/%", escape="\\"))


def _fen(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def figures(session: Session, start: date, end: date, *, tenant: str = "hub", today: date) -> list[Figure]:
    """Return every indicator of the catalogue for [start, end] (business dates, inclusive) and a tenant subtree."""
    condition = _tenant_condition(tenant)
    released = select(
        TradeFact.direction,
        TradeFact.mode,
        TradeFact.eport_no,
        TradeFact.ecommerce_code,
        TradeFact.destination_country,
        TradeFact.value_cny,
        TradeFact.declared_at,
        TradeFact.released_at,
    ).where(
        TradeFact.released_at >= _moment(start),
        TradeFact.released_at < _moment(end + timedelta(days=1)),
        TradeFact.status.in_([s.value for s in RELEASED_STATUSES]),
    )
    declared = select(TradeFact.eport_no, TradeFact.status).where(
        TradeFact.declared_on >= start, TradeFact.declared_on <= end
    )
    if condition is not None:
        released, declared = released.where(condition), declared.where(condition)
    value: dict[str, Decimal] = defaultdict(lambda: Decimal(0))
    inventories: dict[str, set[str]] = defaultdict(set)
    enterprises: set[str] = set()
    by_country: dict[str, Decimal] = defaultdict(lambda: Decimal(0))
    hours: dict[str, float] = {}
    for direction, mode, eport_no, ecommerce, country, cny, declared_at, released_at in session.execute(released):
        amount = cny or Decimal(0)
        value[direction] += amount
        value[mode] += amount
        inventories[direction].add(eport_no)
        enterprises.add(ecommerce)
        if direction == "E":
            by_country[country] += amount
        if released_at is not None:
            hours[eport_no] = (released_at - declared_at).total_seconds() / 3600
    statuses: dict[str, str] = {}
    for eport_no, status in session.execute(declared):
        statuses[eport_no] = status
    exports = value["E"]
    b2b = value["9710"] + value["9810"]
    hhi = sum(((v / exports) ** 2 for v in by_country.values()), Decimal(0)) if exports else None
    declared_count = len(statuses)
    refused = sum(1 for status in statuses.values() if status == FactStatus.REFUSED.value)
    computed: dict[str, Decimal | None] = {
        "import_value_cny": _fen(value["I"]),
        "export_value_cny": _fen(exports),
        "import_inventories": Decimal(len(inventories["I"])),
        "export_inventories": Decimal(len(inventories["E"])),
        "value_9610_cny": _fen(value["9610"]),
        "value_1210_cny": _fen(value["1210"]),
        "value_9710_cny": _fen(value["9710"]),
        "value_9810_cny": _fen(value["9810"]),
        "active_enterprises": Decimal(len(enterprises)),
        "b2b_share": _fen(b2b * 100 / exports) if exports else None,
        "export_markets": Decimal(len(by_country)),
        "destination_diversity": None if hhi is None else (1 - hhi).quantize(Decimal("0.0001"), ROUND_HALF_UP),
        "refusal_rate": _fen(Decimal(refused * 100) / declared_count) if declared_count else None,
        "median_release_hours": _fen(Decimal(str(statistics.median(hours.values())))) if hours else None,
    }
    vintage = "preliminary" if (today - end).days < PRELIMINARY_DAYS else "final"
    return [
        Figure(i.code, computed[i.code], i.unit, start, end, tenant, CALIBER, vintage, RULE_VERSION) for i in CATALOGUE
    ]


def indicator_figures(ctx: Context, start: date, end: date, *, tenant: str = "hub") -> list[Figure]:
    """Return the catalogue's figures for a period and tenant subtree (one read-only transaction)."""
    with ctx.uow() as uow:
        return figures(uow.session, start, end, tenant=tenant, today=business_date(ctx.clock.now()))


def observations(
    ctx: Context, tenants: list[str], years: list[int], *, codes: Collection[str] | None = None
) -> list[dict[str, object]]:
    """Return yearly figures per tenant as index observations (zone = tenant, period = year); with ``codes``,
    only those indicators (a method's)."""
    rows: list[dict[str, object]] = []
    for tenant in tenants:
        for year in years:
            for figure in indicator_figures(ctx, date(year, 1, 1), date(year, 12, 31), tenant=tenant):
                if figure.value is not None and (codes is None or figure.code in codes):
                    value = float(figure.value)
                    rows.append({"zone": tenant, "period": str(year), "indicator": figure.code, "value": value})
    return rows
