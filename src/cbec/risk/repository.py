"""Storage of the risk system: counter buckets, links, bands, decisions and holds (inside the caller's session)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, delete, func, or_, select
from sqlalchemy.orm import Session

from cbec.common.scope import Scope
from cbec.risk.models import RiskBand, RiskCounter, RiskDecision, RiskHold
from cbec.risk.rules import MONEY_FEATURES, Band, CounterRef, SubjectKind

Subject = tuple[SubjectKind, str]


def add(session: Session, kind: SubjectKind, key: str, feature: str, day: date, amount: int) -> None:
    """Add an amount (a count, or fen for money features) to a day bucket."""
    row = session.get(RiskCounter, (kind.value, key, feature, day))
    if row is None:
        session.add(RiskCounter(subject_kind=kind.value, subject_key=key, feature=feature, day=day, value=amount))
    else:
        row.value = row.value + amount


def windows(
    session: Session, refs: Sequence[CounterRef], keys: dict[SubjectKind, str], day: date
) -> dict[str, Decimal | None]:
    """Return every counter asked for, summed over its window ending on ``day``; None where the subject is unknown.

    One query: the buckets of the subjects involved, each window a conditional sum.
    """
    values: dict[str, Decimal | None] = {ref.name: None for ref in refs}
    wanted = [ref for ref in refs if keys.get(ref.subject)]
    if not wanted:
        return values
    widest = max(ref.window for ref in wanted)
    spans = sorted({ref.window for ref in wanted})
    sums = [
        func.sum(case((RiskCounter.day >= day - timedelta(days=w - 1), RiskCounter.value), else_=0)).label(f"w{w}")
        for w in spans
    ]
    pairs = {(ref.subject, ref.feature) for ref in wanted}
    rows = session.execute(
        select(RiskCounter.subject_kind, RiskCounter.feature, *sums)
        .where(
            or_(
                *(
                    and_(
                        RiskCounter.subject_kind == kind.value,
                        RiskCounter.subject_key == keys[kind],
                        RiskCounter.feature == feature,
                    )
                    for kind, feature in pairs
                )
            ),
            RiskCounter.day > day - timedelta(days=widest),
            RiskCounter.day <= day,
        )
        .group_by(RiskCounter.subject_kind, RiskCounter.feature)
    ).all()
    found = {(kind, feature): row for kind, feature, *row in rows}
    for ref in wanted:
        row = found.get((ref.subject.value, ref.feature))
        total = Decimal(int(row[spans.index(ref.window)] or 0)) if row is not None else Decimal(0)
        values[ref.name] = total / 100 if ref.feature in MONEY_FEATURES else total
    return values


def bands(session: Session, hs6: Iterable[str]) -> dict[str, RiskBand]:
    """Return every band of some HS6 codes (by HS6, origin and brand), by band key."""
    codes = sorted(set(hs6))
    if not codes:
        return {}
    return {row.key: row for row in session.scalars(select(RiskBand).where(RiskBand.hs6.in_(codes)))}


def replace_bands(session: Session, rows: Iterable[RiskBand]) -> int:
    """Replace every band with the rows given; return how many."""
    session.execute(delete(RiskBand))
    items = list(rows)
    session.add_all(items)
    return len(items)


ENTRY = "entry"  # the stage of a decision at declaration (``delivery``: after release, cbec.risk.deliveries)


def decided(session: Session, eport_no: str, stage: str = ENTRY) -> bool:
    """Tell whether an inventory was assessed already at a stage."""
    found = select(RiskDecision.id).where(RiskDecision.eport_no == eport_no, RiskDecision.stage == stage)
    return session.scalar(found) is not None


def decided_of(session: Session, eport_nos: Sequence[str], stage: str = ENTRY) -> set[str]:
    """Return which of some inventories were assessed already at a stage."""
    wanted = sorted(set(eport_nos))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        query = select(RiskDecision.eport_no).where(RiskDecision.eport_no.in_(part), RiskDecision.stage == stage)
        found.update(session.scalars(query))
    return found


def tenant_condition(scope: Scope | None) -> list[object]:
    """Conditions keeping decisions to a scope's tenant subtree (and, for enterprises, their own documents)."""
    conditions: list[object] = []
    if scope is None:
        return conditions
    if scope.tenant is not None:
        conditions.append(or_(RiskDecision.tenant == scope.tenant, RiskDecision.tenant.like(scope.tenant + "/%")))
    if scope.parties is not None:
        conditions.append(RiskDecision.id.is_(None))  # enterprises see no risk decisions
    return conditions


def alerting(
    session: Session, since: datetime | None, until: datetime | None, scope: Scope | None, limit: int
) -> list[RiskDecision]:
    """Return the decisions that reached at least review, oldest first, within [since, until) and the scope."""
    query = select(RiskDecision).where(RiskDecision.band != Band.NONE.value, *tenant_condition(scope))  # type: ignore[arg-type]
    if since is not None:
        query = query.where(RiskDecision.decided_at >= since)
    if until is not None:
        query = query.where(RiskDecision.decided_at < until)
    return list(session.scalars(query.order_by(RiskDecision.decided_at, RiskDecision.id).limit(limit)))


def of_day(session: Session, day: date, scope: Scope | None) -> list[RiskDecision]:
    """Return the entry decisions of a business day within the scope, in decision order (what lanes are given to)."""
    conditions = (RiskDecision.business_day == day, RiskDecision.stage == ENTRY, *tenant_condition(scope))
    query = select(RiskDecision).where(*conditions)  # type: ignore[arg-type]
    return list(session.scalars(query.order_by(RiskDecision.id)))


def add_hold(session: Session, hold: RiskHold) -> None:
    """Store a hold."""
    session.add(hold)


def holds_of(session: Session, eport_no: str) -> list[RiskHold]:
    """Return the holds on an inventory."""
    return list(session.scalars(select(RiskHold).where(RiskHold.eport_no == eport_no).order_by(RiskHold.id)))
