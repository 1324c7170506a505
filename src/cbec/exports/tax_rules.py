"""Pure export tax rules (出口税收): VAT/CT regime per line, rebate, deemed-profit CIT, returns relief, FX, rates.

Sources (tax-rules.md §4, §5, §7): 财税〔2013〕96号 art. 1/2 (refund; exemption with invoices), 财税〔2018〕103号
(exemption without invoices in a 综试区, exports from 2018-10-01), 国家税务总局公告2019年第36号 (CIT at a 4 % deemed
profit rate), 财政部 税务总局公告2023年第12号 (small low-profit enterprises: 25 % of taxable income at 20 %, to
2027-12-31), 财政部 海关总署 税务总局公告2023年第4号/第34号 and 2026年第16号 (exported goods returned unsold within
6 months), 汇发〔2019〕28号 + ruling 10 (USD 200 000 registration threshold), 海关总署令第272号 (customs rate:
central parity of the third Wednesday of the previous month, or the next trading day). Every value that the
law may change comes in through ``ExportTaxParameters`` (effective-dated data). No I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from cbec.common.clock import add_months
from cbec.common.money import to_fen


class Regime(StrEnum):
    """VAT/CT treatment of an exported line (tax-rules.md §4.1, decision order [I])."""

    REFUND = "refund"  # 退(免)税, 96号 art. 1
    EXEMPT_WITH_INVOICE = "exempt_with_invoice"  # 免税, 96号 art. 2
    EXEMPT_WITHOUT_INVOICE = "exempt_without_invoice"  # 无票免税, 103号
    TAXABLE = "taxable"  # 视同内销: none of the above (not computed in v1)


@dataclass(frozen=True, slots=True)
class Condition:
    """One legal condition, whether it holds, and the evidence for it."""

    name: str
    met: bool
    evidence: str


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What the regime decision looks at for one exported line."""

    registered_in_zone: bool  # filed and approved on this zone's platform
    data_on_platform: bool  # export date, goods name, unit, quantity, unit price and amount present
    declared_at_zone_customs: bool  # inventory customs code is one of the zone's
    ecommerce_export: bool  # declared as e-commerce retail export (9610/1210)
    goods_excluded: bool  # goods whose export refund/exemption was cancelled
    has_invoice: bool  # lawful purchase VAT invoice linked to the line
    refund_qualified: bool  # general taxpayer with export-refund filing
    tax_registered: bool
    proceeds_received: bool  # 收汇 before the filing deadline (receipt of payment on record)
    statistics_flag: str  # A: simplified, no refund


@dataclass(frozen=True, slots=True)
class RegimeDecision:
    """The regime of a line and every condition checked on the way."""

    regime: Regime
    conditions: tuple[Condition, ...]

    def explain(self) -> str:
        """Return the conditions as one line of text: ✓/✗ name (evidence)."""
        return "; ".join(f"{'✓' if c.met else '✗'} {c.name} ({c.evidence})" for c in self.conditions)


def decide_regime(facts: LineFacts) -> RegimeDecision:
    """Pick refund, exemption with invoice, 103号 exemption or taxable, in that order."""
    art1 = (
        Condition("96号一(1) 一般纳税人且已办理出口退(免)税备案", facts.refund_qualified, "enterprise tax profile"),
        Condition("96号一(2) 出口报关（清单）电子信息", facts.declared_at_zone_customs, "released export inventory"),
        Condition("96号一(3) 已收汇", facts.proceeds_received, "receipt of payment (CEB403) on record"),
        Condition("96号一(4) 增值税专用发票", facts.has_invoice, "purchase invoice linked to the line"),
        Condition("简化申报(A)不退税", facts.statistics_flag != "A", f"statisticsFlag {facts.statistics_flag}"),
    )
    if all(c.met for c in art1) and not facts.goods_excluded:
        return RegimeDecision(Regime.REFUND, art1)
    art2 = (
        Condition("96号二 已办理税务登记", facts.tax_registered, "enterprise tax profile"),
        Condition("96号二 出口报关", facts.declared_at_zone_customs, "released export inventory"),
        Condition("96号二 合法有效的进货凭证", facts.has_invoice, "purchase invoice linked to the line"),
    )
    if all(c.met for c in art2):
        return RegimeDecision(Regime.EXEMPT_WITH_INVOICE, (*art1, *art2))
    rule103 = (
        Condition(
            "103号(一) 在综试区注册并在线上综合服务平台登记出口信息",
            facts.registered_in_zone and facts.data_on_platform,
            "enterprise filed in the zone; inventory date, name, unit, quantity, price and amount on the platform",
        ),
        Condition(
            "103号(二) 通过综试区所在地海关办理电子商务出口申报",
            facts.declared_at_zone_customs and facts.ecommerce_export,
            "inventory customs code is the zone's; trade mode 9610/1210",
        ),
        Condition(
            "103号(三) 不属于取消出口退(免)税的货物", not facts.goods_excluded, "HS code not on the excluded list"
        ),
        Condition("无合法有效进货凭证", not facts.has_invoice, "no purchase invoice linked"),
    )
    if all(c.met for c in rule103):
        return RegimeDecision(Regime.EXEMPT_WITHOUT_INVOICE, rule103)
    return RegimeDecision(Regime.TAXABLE, (*art2, *rule103))


@dataclass(frozen=True, slots=True)
class Rebate:
    """A trading enterprise's export VAT rebate on one invoice amount (外贸企业免退税)."""

    invoice_amount: Decimal  # excluding VAT
    vat_rate: Decimal
    rebate_rate: Decimal
    refund: Decimal
    non_refundable: Decimal  # to cost (不得免征和抵扣税额)


def rebate(invoice_amount: Decimal, *, vat_rate: Decimal, rebate_rate: Decimal) -> Rebate:
    """Return refund = amount × rebate rate and the non-refundable part amount × (VAT rate − rebate rate)."""
    if rebate_rate > vat_rate:
        raise ValueError(f"rebate rate {rebate_rate} above VAT rate {vat_rate}")
    refund = to_fen(invoice_amount * rebate_rate)
    kept = to_fen(invoice_amount * (vat_rate - rebate_rate))
    return Rebate(invoice_amount, vat_rate, rebate_rate, refund, kept)


@dataclass(frozen=True, slots=True)
class ExportTaxParameters:
    """Export tax values in force on a date (effective-dated data, passed in)."""

    deemed_profit_rate: Decimal  # 4 %, 36号
    cit_rate: Decimal  # 25 %, 企业所得税法 art. 4
    small_profit_income_cap: Decimal | None  # 3 000 000, 2023年第12号 (None: relief not in force)
    small_profit_income_share: Decimal | None  # 25 %
    small_profit_rate: Decimal | None  # 20 %
    small_profit_employee_cap: int | None  # 300
    small_profit_asset_cap: Decimal | None  # 50 000 000
    return_relief_months: int | None  # 6 (None: no relief policy for exports of that date)
    fx_registration_threshold_usd: Decimal  # 200 000, ruling 10


@dataclass(frozen=True, slots=True)
class EnterpriseSize:
    """Facts that decide the small low-profit relief."""

    employees: int | None
    total_assets: Decimal | None
    restricted_industry: bool


@dataclass(frozen=True, slots=True)
class CitAssessment:
    """Corporate income tax on deemed profit (核定征收)."""

    revenue: Decimal
    taxable_income: Decimal
    small_low_profit: bool
    tax: Decimal
    conditions: tuple[Condition, ...]


def deemed_profit_cit(revenue: Decimal, size: EnterpriseSize, params: ExportTaxParameters) -> CitAssessment:
    """Return CIT = revenue × 4 % × 25 %, or × 25 % × 20 % for a small low-profit enterprise (X-3)."""
    taxable = to_fen(revenue * params.deemed_profit_rate)
    conditions: tuple[Condition, ...] = ()
    small = False
    if (
        params.small_profit_income_cap is not None
        and params.small_profit_employee_cap is not None
        and params.small_profit_asset_cap is not None
    ):
        conditions = (
            Condition("应纳税所得额 ≤ 300万元", taxable <= params.small_profit_income_cap, f"{taxable}"),
            Condition(
                "从业人数 ≤ 300人",
                size.employees is not None and size.employees <= params.small_profit_employee_cap,
                f"{size.employees if size.employees is not None else 'unknown'}",
            ),
            Condition(
                "资产总额 ≤ 5000万元",
                size.total_assets is not None and size.total_assets <= params.small_profit_asset_cap,
                f"{size.total_assets if size.total_assets is not None else 'unknown'}",
            ),
            Condition("非国家限制和禁止行业", not size.restricted_industry, "enterprise tax profile"),
        )
        small = all(c.met for c in conditions)
    if small:
        assert params.small_profit_income_share is not None and params.small_profit_rate is not None
        tax = to_fen(taxable * params.small_profit_income_share * params.small_profit_rate)
    else:
        tax = to_fen(taxable * params.cit_rate)
    return CitAssessment(revenue, taxable, small, tax, conditions)


FOOD_CHAPTERS = frozenset(f"{n:02d}" for n in range(1, 25))  # HS chapters 01-24 [I: 食品除外]


@dataclass(frozen=True, slots=True)
class ReliefDecision:
    """Whether returned exported goods are relieved of import taxes (退货免税)."""

    eligible: bool
    conditions: tuple[Condition, ...]


def return_relief(exported_on: date, returned_on: date, hs_code: str, months: int | None) -> ReliefDecision:
    """Tell whether goods exported on a date and back on another qualify for the 6-month returns relief."""
    conditions = (
        Condition(
            "出口日期在政策期内",
            months is not None,
            "2023-01-30..2025-12-31 (2023年第4号/第34号), 2026-01-01..2027-12-31 (2026年第16号)",
        ),
        Condition(
            f"出口之日起{months or 6}个月内原状退运",
            months is not None and returned_on <= add_months(exported_on, months),
            f"exported {exported_on.isoformat()}, back {returned_on.isoformat()}",
        ),
        Condition("非食品", hs_code[:2] not in FOOD_CHAPTERS, f"HS {hs_code} (chapters 01-24 treated as food [I])"),
    )
    return ReliefDecision(all(c.met for c in conditions), conditions)


def must_register_fx(cumulative_usd: Decimal, threshold: Decimal) -> bool:
    """Ruling 10: an enterprise whose yearly receipts reach the threshold (≥ USD 200 000) must register."""
    return cumulative_usd >= threshold


INDIVIDUAL_FX_QUOTA_USD = Decimal("50000")  # per person, per calendar year, each for purchase and settlement


class FxUse(StrEnum):
    """How one individual FX transaction stands against the yearly convenience quota (X-9)."""

    NOT_COUNTED = "not_counted"  # CBEC settlement backed by e-transaction data (汇发〔2020〕11号 art. 4)
    WITHIN_QUOTA = "within_quota"
    OUTSIDE_QUOTA = "outside_quota"  # needs supporting documents at the bank


@dataclass(frozen=True, slots=True)
class FxTransaction:
    """One individual purchase (购汇) or settlement (结汇) in a calendar year, in USD equivalent."""

    kind: str  # "purchase" | "settlement"
    amount_usd: Decimal
    cbec_backed: bool = False


def individual_fx_uses(transactions: Sequence[FxTransaction], quota: Decimal = INDIVIDUAL_FX_QUOTA_USD) -> list[FxUse]:
    """Classify a person's transactions of one year, in order, against the purchase and settlement quotas.

    CBEC settlements or purchases supported by e-transaction data do not use the quota; any other transaction
    that would take the year's total of its kind past the quota is outside it (and does not use it either).
    """
    used: dict[str, Decimal] = {}
    uses: list[FxUse] = []
    for transaction in transactions:
        if transaction.cbec_backed:
            uses.append(FxUse.NOT_COUNTED)
            continue
        total = used.get(transaction.kind, Decimal(0)) + transaction.amount_usd
        if total > quota:
            uses.append(FxUse.OUTSIDE_QUOTA)
            continue
        used[transaction.kind] = total
        uses.append(FxUse.WITHIN_QUOTA)
    return uses


def third_wednesday(year: int, month: int) -> date:
    """Return the third Wednesday of a month."""
    first = date(year, month, 1)
    offset = (2 - first.weekday()) % 7
    return first + timedelta(days=offset + 14)


def customs_rate_date(declared_on: date, is_trading_day: Callable[[date], bool]) -> date:
    """Return the central-parity date of the customs rate (272号): 3rd Wednesday of last month or next trading day."""
    year, month = (declared_on.year, declared_on.month - 1) if declared_on.month > 1 else (declared_on.year - 1, 12)
    day = third_wednesday(year, month)
    for _ in range(31):
        if is_trading_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError(f"no trading day within a month after {third_wednesday(year, month)}")
