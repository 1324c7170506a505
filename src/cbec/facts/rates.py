"""The customs rates trade facts are converted at (海关汇率), as a source the composition root assembles.

The rates are export reference data (``cbec.exports``: the customs parity of the month, third-Wednesday rule),
and import facts need them too. Import clearance must not import exports (document domains are independent), so
the composition root hands the exports' reader to this shared domain (``cbec.bootstrap.assemble_intake``) and the
import side asks here. Used before it is assembled, it fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

RateSource = Callable[[Session, str, date], Decimal | None]  # session, currency code, declaration day → CNY per unit
_SOURCE: list[RateSource] = []


class RatesNotAssembled(RuntimeError):
    """The customs-rate source was asked for before the composition root assembled it."""


def assemble_rates(source: RateSource) -> None:
    """Set the customs-rate source (the composition root's call; idempotent)."""
    _SOURCE[:] = [source]


def customs_rates(session: Session) -> Callable[[str, date], Decimal | None]:
    """Return the customs rates bound to a session: CNY per unit of a currency on a declaration day, or None."""
    if not _SOURCE:
        raise RatesNotAssembled(
            "the customs-rate source is not assembled: build the context with cbec.bootstrap.build_context"
        )
    source = _SOURCE[0]
    return lambda currency, on: source(session, currency, on)
