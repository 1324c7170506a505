"""Personal annual quota rules (个人年度交易限值): year attribution, decisions and refusal problems.

Pure: no I/O, no clock. The annual limit is effective-dated law (财关税〔2018〕49号: 26 000 CNY from
2019-01-01); ``DEFAULT_ANNUAL_LIMIT`` is only the fallback until the caller passes the parameter in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.money import FEN, to_fen

DEFAULT_ANNUAL_LIMIT = Decimal("26000.00")  # 财关税〔2018〕49号, from 2019-01-01
ANNUAL_LIMIT_CODE = "1313"  # customs logic check: 订购人购买超过年度限额,超过个人年度购买额度
ZERO_FEN = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class QuotaDecision:
    """Outcome of one money reservation; ``problem`` is set when it is refused."""

    accepted: bool
    used_before: Decimal
    used_after: Decimal
    remaining: Decimal
    problem: Problem | None = None


@dataclass(frozen=True, slots=True)
class QuantityDecision:
    """Outcome of one quantity reservation against a per-person annual cap (e.g. sugar 2 kg)."""

    accepted: bool
    used_before: Decimal
    used_after: Decimal
    remaining: Decimal
    problem: Problem | None = None


@dataclass(frozen=True, slots=True)
class QuotaStatementEntry:
    """One counted inventory as the consumer sees it."""

    inventory_ref: str
    order_no: str
    platform_name: str
    declared_at: datetime
    amount: Decimal
    restored: Decimal


@dataclass(frozen=True, slots=True)
class QuotaStatement:
    """A buyer's annual quota position, with the ID number and name masked."""

    id_number_masked: str
    name_masked: str
    year: int
    annual_limit: Decimal
    used: Decimal
    remaining: Decimal
    entries: tuple[QuotaStatementEntry, ...]


def quota_year(declared_at: datetime) -> int:
    """Return the calendar year (Asia/Shanghai) an inventory declared at this moment counts in (ruling 5)."""
    if declared_at.tzinfo is None:
        raise ValueError("declared_at must be timezone-aware")
    return business_date(declared_at).year


def exact_fen(amount: Decimal, *, what: str = "amount") -> int:
    """Return a non-negative amount given to the fen as integer fen; refuse sub-fen digits."""
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{what} must be a non-negative finite amount, got {amount}")
    if amount != to_fen(amount):
        raise ValueError(f"{what} must be given to the fen, got {amount}")
    return int(to_fen(amount) * 100)


def yuan(fen: int) -> Decimal:
    """Return integer fen as a yuan amount with two places."""
    return (Decimal(fen) / 100).quantize(FEN)


def remaining(limit_fen: int, used_fen: int) -> Decimal:
    """Return what is left of a limit, never below zero."""
    return yuan(max(0, limit_fen - used_fen))


def annual_limit_problem(used_fen: int, amount_fen: int, limit_fen: int) -> Problem:
    """Return the refusal of an inventory that would take the buyer over the annual limit."""
    return Problem(
        "QUOTA-ANNUAL-LIMIT",
        "dutiable_value",
        f"订购人购买超过年度限额,超过个人年度购买额度 / The buyer's annual limit would be exceeded "
        f"(totalPrice: {_money(used_fen + amount_fen)} > limitPrice: {_limit(limit_fen)}; "
        f"used {_money(used_fen)}, this inventory {_money(amount_fen)})",
        "The buyer cannot use the retail-import channel for this order this calendar year; import through general "
        "trade (一般贸易), or wait until quota is restored by a timely return or the year ends.",
        ANNUAL_LIMIT_CODE,
    )


def quantity_cap_problem(hs8: str, used: Decimal, quantity: Decimal, cap: Decimal, unit: str) -> Problem:
    """Return the refusal of an inventory that would take the buyer over a per-person annual quantity cap."""
    suffix = f" {unit}" if unit else ""
    return Problem(
        "QUOTA-QUANTITY-CAP",
        "quantity",
        f"超过个人年度购买数量限制 / The buyer's annual quantity cap for HS {hs8} would be exceeded "
        f"({_plain(used + quantity)}{suffix} > {_plain(cap)}{suffix}; used {_plain(used)}{suffix}, "
        f"this inventory {_plain(quantity)}{suffix})",
        "The positive-list remark caps this tariff line per person per year; reduce the quantity or wait until the "
        "year ends.",
    )


def _money(fen: int) -> str:
    return f"{yuan(fen):,.2f}"


def _limit(fen: int) -> str:
    return f"{fen // 100:,}" if fen % 100 == 0 else _money(fen)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
