"""Retail-import tax rules (跨境电子商务零售进口税收): eligibility path, dutiable value and per-line taxes.

Pure rules, no I/O and no clock: frozen dataclasses in, an assessment out. Sources: 财关税〔2016〕18号
(duty 0 % within limits, VAT and consumption tax at 70 %), 财关税〔2018〕49号 (limits 5 000 / 26 000 CNY,
single indivisible item), 消费税暂行条例 art. 9 and 增值税法 art. 16 (composite bases). Ambiguities follow
rulings 1-5 (docs: shared/specs/rulings.md). Every amount is a Decimal; nothing here uses float.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from cbec.common.errors import Problem
from cbec.common.money import FEN, ZERO, to_fen

ONE = Decimal("1")

SINGLE_LIMIT_CODE = "-621005"  # CEB621 business error: 购买金额超过单笔限额
ANNUAL_LIMIT_CODE = "1313"  # customs logic check: 订购人购买超过年度限额 (receipt text quotes totalPrice/limitPrice)
ANNUAL_LIMIT_SPEC_CODE = "-621018"  # CEB621 business error for the same rule: 购买人已用额度…将超过年度限额


class TaxPath(StrEnum):
    """How an order is taxed in the retail-import channel."""

    PREFERENTIAL = "preferential"  # within limits: duty 0 %, VAT and CT at 70 %
    FULL_TAX_SINGLE_ITEM = "full_tax_single_item"  # one indivisible item above the single limit: full taxes
    REFUSED = "refused"  # outside the channel: general trade (一般贸易) applies


class RoundingVariant(StrEnum):
    """Where the 70 % levy is rounded (ruling 1)."""

    A = "A"  # 70 % of the unrounded statutory amount, then half-up to the fen
    B = "B"  # statutory amount to the fen first, then 70 %, then to the fen again


class ConsumptionTaxKind(StrEnum):
    """Consumption-tax method of a tariff line; specific and compound rates are outside v1."""

    NONE = "none"
    AD_VALOREM = "ad_valorem"


@dataclass(frozen=True, slots=True)
class TaxParameters:
    """The law in force on the declaration date (effective-dated data, passed in)."""

    single_limit: Decimal  # 5 000.00 since 2019-01-01, 财关税〔2018〕49号
    annual_limit: Decimal  # 26 000.00 since 2019-01-01, 财关税〔2018〕49号
    vat_ct_factor: Decimal  # 0.7, 财关税〔2016〕18号
    duty_rate_within_limit: Decimal  # 0, 财关税〔2016〕18号
    rounding_variant: str = RoundingVariant.A
    single_item_strictly_below_annual: bool = True  # ruling 4: 49号 says 低于26000元

    def __post_init__(self) -> None:
        RoundingVariant(self.rounding_variant)  # raises ValueError on an unknown variant


@dataclass(frozen=True, slots=True)
class TaxLineInput:
    """One inventory line as the tax rules see it."""

    line_no: int
    hs_code: str
    goods_value: Decimal  # line goods value incl. non-cash deductions (totalPrice)
    quantity: Decimal  # transaction quantity (qty)
    duty_rate: Decimal  # applicable duty rate outside the preferential path
    vat_rate: Decimal
    ct_kind: str
    ct_rate: Decimal
    ct_threshold: Decimal | None  # per legal unit, excl. VAT, inclusive (e.g. 10 CNY/ml); None = always taxed
    net_content: Decimal | None  # total legal-unit quantity of the line (ml, g or pieces) for the threshold
    on_positive_list: bool = True
    indivisible: bool = True


@dataclass(frozen=True, slots=True)
class LineTax:
    """Dutiable value and levied taxes of one line, each rounded half-up to the fen."""

    line_no: int
    hs_code: str
    dutiable_value: Decimal
    customs_duty: Decimal
    vat: Decimal
    consumption_tax: Decimal

    @property
    def total(self) -> Decimal:
        """Return the line's total tax."""
        return self.customs_duty + self.vat + self.consumption_tax


@dataclass(frozen=True, slots=True)
class TaxTotals:
    """Order totals: sums of the rounded line amounts (as on the CEB816 head)."""

    customs_duty: Decimal
    vat: Decimal
    consumption_tax: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class ImportAssessment:
    """The path, dutiable value, quota amount and taxes of one order.

    On the REFUSED path the lines carry the general-trade (一般贸易) full taxes for information only: nothing
    is levied through the retail-import channel and ``quota_amount`` is zero.
    """

    path: TaxPath
    dutiable_value: Decimal
    quota_amount: Decimal
    lines: tuple[LineTax, ...]
    totals: TaxTotals
    problems: list[Problem] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """Tell whether the order is outside the retail-import channel."""
        return self.path is TaxPath.REFUSED


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split an order amount over lines pro rata to their weights, half-up to the fen, remainder to the last.

    Lines of zero weight (gifts) get nothing and the remainder goes to the last line of positive weight, so a
    gift never carries freight; with no positive weight at all the whole amount goes to the last line.
    """
    if not weights:
        raise ValueError("cannot allocate over no lines")
    if any(weight < ZERO for weight in weights):
        raise ValueError("allocation weights must not be negative")
    total_weight = sum(weights, ZERO)
    positive = [index for index, weight in enumerate(weights) if weight > ZERO]
    last = positive[-1] if positive else len(weights) - 1
    shares = [ZERO.quantize(FEN)] * len(weights)
    for index in positive[:-1]:
        shares[index] = to_fen(total * weights[index] / total_weight)
    shares[last] = total - sum(shares, ZERO)
    return shares


def comprehensive_rate(vat_rate: Decimal, ct_rate: Decimal, factor: Decimal = Decimal("0.7")) -> Decimal:
    """Return the comprehensive rate (综合税率) (c + v) / (1 − c) × 0.7, for display only, never for levying."""
    return (ct_rate + vat_rate) / (ONE - ct_rate) * factor


def consumption_tax_applies(line: TaxLineInput, dutiable_value: Decimal) -> bool:
    """Tell whether ad-valorem consumption tax applies, testing the per-unit threshold on the dutiable value.

    Ruling 2: the per-unit value is the line's dutiable value (freight and insurance included) over its net
    content in the legal unit; the threshold is inclusive (及以上). Without a usable net content the threshold
    cannot be shown to be missed, so the tax applies.
    """
    kind = ConsumptionTaxKind(line.ct_kind)
    if kind is ConsumptionTaxKind.NONE:
        return False
    if line.ct_threshold is None:
        return True
    if line.net_content is None or line.net_content <= ZERO:
        return True
    return dutiable_value / line.net_content >= line.ct_threshold


def preferential_line_tax(
    line: TaxLineInput, dutiable_value: Decimal, params: TaxParameters, *, ct_applies: bool
) -> LineTax:
    """Return one line's levies on the preferential path (duty at the within-limit rate, VAT and CT at 70 %)."""
    price = dutiable_value
    c = line.ct_rate if ct_applies else ZERO
    v = line.vat_rate
    k = params.vat_ct_factor
    duty_statutory = price * params.duty_rate_within_limit
    if RoundingVariant(params.rounding_variant) is RoundingVariant.A:
        ct_full = (price + duty_statutory) * c / (ONE - c)
        vat_full = (price + duty_statutory + ct_full) * v  # the VAT base uses the full statutory CT
        consumption_tax = to_fen(ct_full * k)
        vat = to_fen(vat_full * k)
    else:
        duty_rounded = to_fen(duty_statutory)
        ct_statutory = to_fen((price + duty_rounded) * c / (ONE - c))
        vat_statutory = to_fen((price + duty_rounded + ct_statutory) * v)
        consumption_tax = to_fen(ct_statutory * k)
        vat = to_fen(vat_statutory * k)
    return LineTax(line.line_no, line.hs_code, price, to_fen(duty_statutory), vat, consumption_tax)


def full_line_tax(line: TaxLineInput, dutiable_value: Decimal, *, ct_applies: bool) -> LineTax:
    """Return one line's full statutory taxes; each rounded amount feeds the next base."""
    price = dutiable_value
    c = line.ct_rate if ct_applies else ZERO
    duty = to_fen(price * line.duty_rate)
    consumption_tax = to_fen((price + duty) * c / (ONE - c))
    vat = to_fen((price + duty + consumption_tax) * line.vat_rate)
    return LineTax(line.line_no, line.hs_code, price, duty, vat, consumption_tax)


def line_dutiable_values(lines: Sequence[TaxLineInput], *, freight: Decimal, insurance: Decimal) -> list[Decimal]:
    """Return each line's dutiable value: goods + allocated freight + allocated insurance, to the fen."""
    weights = [line.goods_value for line in lines]
    freight_shares = allocate(freight, weights)
    insurance_shares = allocate(insurance, weights)
    return [
        to_fen(line.goods_value + freight_share + insurance_share)
        for line, freight_share, insurance_share in zip(lines, freight_shares, insurance_shares, strict=True)
    ]


def assess_import(
    lines: Sequence[TaxLineInput],
    *,
    freight: Decimal,
    insurance: Decimal,
    used_quota: Decimal,
    params: TaxParameters,
) -> ImportAssessment:
    """Decide the tax path of one order and compute its dutiable value, quota amount and per-line taxes."""
    _check_inputs(lines, freight=freight, insurance=insurance, used_quota=used_quota)
    values = line_dutiable_values(lines, freight=freight, insurance=insurance)
    order_value = sum(values, ZERO)
    problems = _eligibility_problems(lines, order_value, used_quota, params)
    path = _path(order_value, params, problems)

    taxed: list[LineTax] = []
    for line, value in zip(lines, values, strict=True):
        ct_applies = consumption_tax_applies(line, value)
        if path is TaxPath.PREFERENTIAL:
            taxed.append(preferential_line_tax(line, value, params, ct_applies=ct_applies))
        else:
            taxed.append(full_line_tax(line, value, ct_applies=ct_applies))
    duty = sum((t.customs_duty for t in taxed), ZERO)
    vat = sum((t.vat for t in taxed), ZERO)
    consumption_tax = sum((t.consumption_tax for t in taxed), ZERO)
    return ImportAssessment(
        path=path,
        dutiable_value=order_value,
        quota_amount=ZERO.quantize(FEN) if path is TaxPath.REFUSED else order_value,
        lines=tuple(taxed),
        totals=TaxTotals(duty, vat, consumption_tax, duty + vat + consumption_tax),
        problems=problems,
    )


def _check_inputs(lines: Sequence[TaxLineInput], *, freight: Decimal, insurance: Decimal, used_quota: Decimal) -> None:
    if not lines:
        raise ValueError("an order has at least one line")
    if freight < ZERO or insurance < ZERO or used_quota < ZERO:
        raise ValueError("freight, insurance and used quota must not be negative")
    for line in lines:
        if line.goods_value < ZERO or line.quantity <= ZERO:
            raise ValueError(f"line {line.line_no}: goods value must be ≥ 0 and quantity > 0")
        if not ZERO <= line.ct_rate < ONE:
            raise ValueError(f"line {line.line_no}: consumption-tax rate must be in [0, 1)")
        ConsumptionTaxKind(line.ct_kind)


def _is_single_item(lines: Sequence[TaxLineInput]) -> bool:
    # 49号 "订单下仅一件商品": one line of quantity 1 that cannot be split; two units of a SKU are two items.
    return len(lines) == 1 and lines[0].quantity == ONE and lines[0].indivisible


def _below_single_item_ceiling(order_value: Decimal, params: TaxParameters) -> bool:
    if params.single_item_strictly_below_annual:
        return order_value < params.annual_limit
    return order_value <= params.annual_limit


def _path(order_value: Decimal, params: TaxParameters, problems: list[Problem]) -> TaxPath:
    # Every refusal reason is an error problem, so the path follows from the problems found.
    if any(p.severity == "error" for p in problems):
        return TaxPath.REFUSED
    if order_value <= params.single_limit:
        return TaxPath.PREFERENTIAL
    return TaxPath.FULL_TAX_SINGLE_ITEM


def _eligibility_problems(
    lines: Sequence[TaxLineInput], order_value: Decimal, used_quota: Decimal, params: TaxParameters
) -> list[Problem]:
    problems: list[Problem] = []
    for index, line in enumerate(lines):
        if not line.on_positive_list:
            problems.append(
                Problem(
                    "TAX-NOT-ON-LIST",
                    f"lines[{index}].hs_code",
                    f"商品不在跨境电子商务零售进口商品清单内 / Line {line.line_no} (HS {line.hs_code}) is not on the "
                    "retail-import positive list",
                    "Remove the line or import it through general trade (一般贸易); check the list version and "
                    "its remarks for the declaration date.",
                )
            )
    if order_value > params.single_limit:
        if not _is_single_item(lines):
            problems.append(
                Problem(
                    "TAX-SINGLE-LIMIT",
                    "dutiable_value",
                    f"购买金额超过单笔限额 / The order exceeds the single-transaction limit (totalPrice: "
                    f"{_amount(order_value)} > limitPrice: {_limit(params.single_limit)})",
                    "Reduce the order to the single-transaction limit or import through general trade; only an "
                    "order of one indivisible item may exceed it. Splitting one purchase into several orders "
                    "(拆单) is a compliance risk.",
                    SINGLE_LIMIT_CODE,
                )
            )
        elif order_value == params.annual_limit and params.single_item_strictly_below_annual:
            problems.append(
                Problem(
                    "TAX-SINGLE-ITEM-26000",
                    "dutiable_value",
                    f"单件不可分割商品完税价格须低于年度限值 / A single indivisible item must be below the annual "
                    f"limit (totalPrice: {_amount(order_value)} = limitPrice: {_limit(params.annual_limit)})",
                    "Import the item through general trade (一般贸易); 财关税〔2018〕49号 allows only items priced "
                    "below the annual limit in the retail-import channel.",
                    SINGLE_LIMIT_CODE,
                )
            )
        elif not _below_single_item_ceiling(order_value, params):
            problems.append(
                Problem(
                    "TAX-SINGLE-LIMIT",
                    "dutiable_value",
                    f"购买金额超过单笔限额 / The single item exceeds the limit for the retail-import channel "
                    f"(totalPrice: {_amount(order_value)} > limitPrice: {_limit(params.annual_limit)})",
                    "Import the item through general trade (一般贸易).",
                    SINGLE_LIMIT_CODE,
                )
            )
    if used_quota + order_value > params.annual_limit:
        problems.append(
            Problem(
                "TAX-ANNUAL-LIMIT",
                "dutiable_value",
                f"订购人购买超过年度限额,超过个人年度购买额度 / The buyer's annual limit would be exceeded "
                f"(totalPrice: {_amount(used_quota + order_value)} > limitPrice: {_limit(params.annual_limit)}; "
                f"used {_amount(used_quota)}, this order {_amount(order_value)})",
                "The buyer cannot use the retail-import channel for this order this calendar year; import through "
                "general trade, or wait until quota is restored by a timely return or the year ends.",
                ANNUAL_LIMIT_CODE,
            )
        )
    return problems


def _amount(value: Decimal) -> str:
    return f"{to_fen(value):,.2f}"


def _limit(value: Decimal) -> str:
    if value == value.to_integral_value(rounding=ROUND_HALF_UP):
        return f"{int(value):,}"
    return _amount(value)
