"""Storage of ruleset versions, phantom decisions and backtest reports (inside the caller's session)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cbec.risk.models import RiskDecision
from cbec.risk.versions.models import RiskBacktest, RiskRulesetVersion, RiskShadowDecision


def by_label(session: Session, version: str) -> RiskRulesetVersion | None:
    """Return a version by its label."""
    return session.scalars(select(RiskRulesetVersion).where(RiskRulesetVersion.version == version)).first()


def by_digest(session: Session, sha256: str) -> RiskRulesetVersion | None:
    """Return a version by the SHA-256 of its body."""
    return session.scalars(select(RiskRulesetVersion).where(RiskRulesetVersion.sha256 == sha256)).first()


def in_state(session: Session, state: str) -> list[RiskRulesetVersion]:
    """Return the versions in one state, oldest first."""
    query = select(RiskRulesetVersion).where(RiskRulesetVersion.state == state).order_by(RiskRulesetVersion.id)
    return list(session.scalars(query))


def every(session: Session) -> list[RiskRulesetVersion]:
    """Return every version, newest first."""
    return list(session.scalars(select(RiskRulesetVersion).order_by(RiskRulesetVersion.id.desc())))


def count(session: Session) -> int:
    """Return how many versions exist."""
    return int(session.scalar(select(func.count()).select_from(RiskRulesetVersion)) or 0)


def add_phantom(session: Session, row: RiskShadowDecision) -> None:
    """Store a phantom decision."""
    session.add(row)


def phantoms(
    session: Session, version: str, since: datetime | None, until: datetime | None
) -> Sequence[tuple[RiskShadowDecision, RiskDecision]]:
    """Return a shadow version's phantom decisions in [since, until) with the live decision each shadows."""
    query = (
        select(RiskShadowDecision, RiskDecision)
        .join(RiskDecision, RiskDecision.id == RiskShadowDecision.live_decision_id)
        .where(RiskShadowDecision.version == version)
        .order_by(RiskShadowDecision.id)
    )
    if since is not None:
        query = query.where(RiskShadowDecision.decided_at >= since)
    if until is not None:
        query = query.where(RiskShadowDecision.decided_at < until)
    return [(shadow, live) for shadow, live in session.execute(query)]


def save_backtest(session: Session, row: RiskBacktest) -> None:
    """Store a backtest report."""
    session.add(row)


def last_backtest(session: Session, version: str) -> RiskBacktest | None:
    """Return a version's latest backtest report."""
    query = select(RiskBacktest).where(RiskBacktest.version == version).order_by(RiskBacktest.id.desc()).limit(1)
    return session.scalars(query).first()
