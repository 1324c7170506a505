"""Money (金额): Decimal, rounded half-up to the fen (分) where the law says."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0")


def to_fen(amount: Decimal) -> Decimal:
    """Round an amount half-up to the fen (四舍五入至分)."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def parse_decimal(text: str) -> Decimal:
    """Parse a decimal string exactly; raise ValueError on anything else (no floats, no NaN)."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError) as exc:
        raise ValueError(f"not a decimal number: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    return value


def fen_int(amount: Decimal) -> int:
    """Return an amount already rounded to the fen as integer fen."""
    return int(to_fen(amount) * 100)


def from_fen(fen: int) -> Decimal:
    """Return integer fen as a Decimal yuan amount with two places."""
    return (Decimal(fen) / 100).quantize(FEN)


def format_decimal(value: Decimal) -> str:
    """Render a Decimal for a CEB message: plain notation, no exponent, trailing zeros trimmed."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
