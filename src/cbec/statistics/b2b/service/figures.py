"""B2B figures of a period and tenant: mode ``B2B`` (identified general trade) next to 9710/9810 and all exports.

Per business day and tenant, from the latest run covering the tenant (its own or an ancestor's) and the daily
rollups of the platform's own export inventories (``stat_rollup``, released, by release day):

* identified B2B exports: count and CNY value of the run's ``identified`` 0110 declarations (declaration day);
* undecided: count only — reported, never counted in a figure;
* 9710 + 9810 (B2B by declaration): released export inventories of those modes, plus imported 9710/9810
  declarations (报关单, which the platform's inventories do not hold);
* all exports: every released export inventory on the platform plus every imported declaration;
* B2B share = (9710 + 9810 + identified) / all exports, by value, for the whole period (4 decimals, half-up).

Exact: values are summed in integer fen. Declarations without a customs rate count in the counts, not the values
(``unconverted``). The figures page and API add the identified value and the share to the catalogue's figures
(``b2b_identified_value_cny``, ``b2b_share_identified``, their own caliber).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select

from cbec.statistics.b2b import repository as repo
from cbec.statistics.b2b.rules import B2B_MODES, B2bClass
from cbec.statistics.indicators import B2B_CALIBER, B2B_RULE_VERSION
from cbec.statistics.models import StatRollup
from cbec.storage.context import Context

RULE_VERSION = B2B_RULE_VERSION
CALIBER = B2B_CALIBER


@dataclass(slots=True)
class B2bDay:
    """One business day and tenant: counts and CNY values in fen."""

    day: date
    tenant: str
    identified: int = 0
    identified_fen: int = 0
    undecided: int = 0
    general_trade: int = 0  # every imported 0110 declaration of the day (any class)
    general_trade_fen: int = 0
    unconverted: int = 0
    declared_b2b: int = 0  # 9710 + 9810: released on the platform and imported declarations
    declared_b2b_fen: int = 0
    imported_b2b: int = 0  # of which imported 9710/9810 declarations (报关单)
    imported_b2b_fen: int = 0
    platform_exports: int = 0  # every export inventory released on the platform
    platform_exports_fen: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (values in yuan)."""
        out: dict[str, Any] = {"day": self.day.isoformat(), "tenant": self.tenant}
        for name in (
            "identified",
            "undecided",
            "general_trade",
            "unconverted",
            "declared_b2b",
            "imported_b2b",
            "platform_exports",
        ):
            out[name] = getattr(self, name)
        for name in ("identified", "general_trade", "declared_b2b", "imported_b2b", "platform_exports"):
            out[f"{name}_value"] = format(Decimal(getattr(self, f"{name}_fen")).scaleb(-2), "f")
        return out


@dataclass(slots=True)
class B2bFigures:
    """The B2B figures of a period and tenant, with the run they come from."""

    start: date
    end: date
    tenant: str
    run_id: int | None
    method_version: str | None
    result_digest: str | None
    days: list[B2bDay] = field(default_factory=list)

    def total(self, name: str) -> int:
        """Return the sum of one field over every day."""
        return sum(int(getattr(d, name)) for d in self.days)

    @property
    def share(self) -> Decimal | None:
        """(9710 + 9810 + identified) / all exports, by value; None when there are no exports."""
        b2b = self.total("declared_b2b_fen") + self.total("identified_fen")
        exports = self.total("platform_exports_fen") + self.total("general_trade_fen") + self.total("imported_b2b_fen")
        if exports == 0:
            return None
        return (Decimal(b2b) / Decimal(exports)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        share = self.share
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "tenant": self.tenant,
            "caliber": CALIBER,
            "rule_version": RULE_VERSION,
            "run_id": self.run_id,
            "method_version": self.method_version,
            "result_digest": self.result_digest,
            "b2b_share": None if share is None else format(share, "f"),
            "days": [d.as_dict() for d in self.days],
        }


def _ancestors(tenant: str) -> list[str]:
    parts = tenant.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _add_results(session: Any, run_id: int, tenant: str, start: date, end: date, cell: Any) -> None:
    """Add a run's results of the period to the cells (``cell(day, tenant)``): identified, undecided, declared."""
    for day, who, klass, count, fen, unconverted in repo.daily_results(session, run_id, tenant, start, end):
        c = cell(day, who)
        c.unconverted += unconverted
        if klass == B2bClass.DECLARED.value:
            c.declared_b2b += count
            c.declared_b2b_fen += fen
            c.imported_b2b += count
            c.imported_b2b_fen += fen
            continue
        c.general_trade += count
        c.general_trade_fen += fen
        if klass == B2bClass.IDENTIFIED.value:
            c.identified += count
            c.identified_fen += fen
        elif klass == B2bClass.UNDECIDED.value:
            c.undecided += count


def b2b_figures(ctx: Context, start: date, end: date, *, tenant: str) -> B2bFigures:
    """Return the B2B figures of a period (business days, inclusive) for a tenant subtree."""
    with ctx.uow() as uow:
        session = uow.session
        run = repo.covering_run(session, _ancestors(tenant))
        figures = B2bFigures(
            start,
            end,
            tenant,
            run.id if run else None,
            run.method_version if run else None,
            run.result_digest if run else None,
        )
        days: dict[tuple[date, str], B2bDay] = {}

        def cell(day: date, who: str) -> B2bDay:
            return days.setdefault((day, who), B2bDay(day, who))

        if run is not None:
            _add_results(session, run.id, tenant, start, end, cell)
        query = (
            select(
                StatRollup.day,
                StatRollup.tenant,
                StatRollup.mode,
                func.sum(StatRollup.released),
                func.sum(StatRollup.released_fen),
            )
            .where(
                StatRollup.direction == "E",
                StatRollup.day >= start,
                StatRollup.day <= end,
                *repo.in_subtree(StatRollup.tenant, tenant),
            )
            .group_by(StatRollup.day, StatRollup.tenant, StatRollup.mode)
        )
        for day, who, mode, released, fen in session.execute(query):
            c = cell(day, who)
            c.platform_exports += int(released or 0)
            c.platform_exports_fen += int(fen or 0)
            if mode in B2B_MODES:
                c.declared_b2b += int(released or 0)
                c.declared_b2b_fen += int(fen or 0)
        figures.days = [days[key] for key in sorted(days)]
        return figures


def run_totals(ctx: Context, start: date, end: date, *, tenant: str) -> B2bDay | None:
    """Return the latest covering run's results of a period added up (identified, general trade, imported 9710/9810
    declarations; no platform exports), or None without a run: what the catalogue's figures add to the rollups."""
    with ctx.uow() as uow:
        run = repo.covering_run(uow.session, _ancestors(tenant))
        if run is None:
            return None
        total = B2bDay(start, tenant)
        _add_results(uow.session, run.id, tenant, start, end, lambda _day, _who: total)
        return total
