"""Tables of ruleset versions (规则集版本): the versions themselves and the phantom decisions of shadow runs.

* ``risk_ruleset_version``: one row per version — its label, the JSON body as authored, its SHA-256 (the digest
  every decision stores), its state (draft → shadow → published → retired), author, approver and times. At most
  one version is published at a time; the shipped ``ruleset.json`` is the first published one (seeded on first use).
* ``risk_shadow_decision``: what a version in shadow would have decided for an inventory the live consumer
  assessed, on the same inputs (score, band, typology scores). Never a hold, never an alert.
* ``risk_backtest``: the last backtest report of a version (JSON), shown on the versions page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Base, BigId, UtcDateTime


class RiskRulesetVersion(Base):
    """A ruleset version as data, with its maker-checker trail."""

    __tablename__ = "risk_ruleset_version"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    body: Mapped[str] = mapped_column(Text)  # the JSON document as authored (its digest is over these bytes)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(10))  # draft | shadow | published | retired
    author: Mapped[str] = mapped_column(String(120))
    approver: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    shadow_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class RiskShadowDecision(Base):
    """A phantom decision: what a shadow version scores for an inventory the live consumer assessed."""

    __tablename__ = "risk_shadow_decision"
    __table_args__ = (
        Index("ix_risk_shadow_decision_version_decided", "version", "decided_at"),
        UniqueConstraint("eport_no", "version", name="uq_risk_shadow_decision_eport_version"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    eport_no: Mapped[str] = mapped_column(String(18))
    version: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    live_decision_id: Mapped[int] = mapped_column(BigId)
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(10))
    typologies: Mapped[dict[str, Any]] = mapped_column(JSON)  # typology -> [score, band]
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RiskBacktest(Base):
    """The report of a version's last backtest."""

    __tablename__ = "risk_backtest"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(40), index=True)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    run_by: Mapped[str] = mapped_column(String(120))
    run_at: Mapped[datetime] = mapped_column(UtcDateTime)
