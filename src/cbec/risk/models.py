"""Tables of the risk system (风险防控): day-bucket counters, distinct links, HS6 bands, decisions, holds.

* ``risk_counter``: one value per (subject kind, subject key, feature, business day); a window of N days ending on
  day D is the exact sum of the buckets D−N+1 … D.
* ``risk_link``: the last business day a pair of keys was seen together (e.g. an address and a buyer). Distinct
  counts are kept as counters of "pairs last seen that day": when a pair is seen again on a later day, one is
  moved from the old day's bucket to the new one, so a window's sum is the exact number of distinct partners seen
  in it (as of the latest day processed).
* ``risk_band``: robust unit-value bands per HS6, HS6 × origin and HS6 × origin × brand (median, MAD) computed from
  the trade facts.
* ``risk_decision``: one per assessed inventory and stage, with the full trace (ruleset version and digest, every
  rule's result, weights, every input read) so that a replay gives the same score. Stage ``entry`` is the
  assessment at declaration; stage ``delivery`` the parcel's after release, from its signing or its absence (R2.4,
  ``cbec.risk.deliveries``).
* ``risk_signing``: the first signing (CEB513) of each import parcel, kept whichever ruleset is live (R2.4).
* ``risk_sweep``: the release days the delivery sweep went through (each once).
* ``risk_hold``: risk's record of the holds it asked for; the pipeline reads their supervision hold measures.
* ``risk_lane``: the lane the consumer decided for an assessed inventory (when a lane policy is set) and whether
  it was applied (a supervision measure on an inventory not yet released) or recorded for post-release audit.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from cbec.risk.rules import Assessment, Ruleset, trace_of
from cbec.storage.base import Amount, Base, BigId, UtcDateTime


class RiskCounter(Base):
    """A day bucket of one feature of one subject."""

    __tablename__ = "risk_counter"

    subject_kind: Mapped[str] = mapped_column(String(12), primary_key=True)  # SubjectKind
    subject_key: Mapped[str] = mapped_column(String(64), primary_key=True)  # a blind index, a code or an HS6
    feature: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # business day, Asia/Shanghai
    value: Mapped[int] = mapped_column(BigId)  # counts, or fen for money features (exact sums on every database)


class RiskLink(Base):
    """The last business day two subject keys were seen together (for exact distinct counts)."""

    __tablename__ = "risk_link"

    subject_kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    other_kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    other_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_day: Mapped[date] = mapped_column(Date)


class RiskBand(Base):
    """A robust unit-value band (CNY per declared unit) from the trade facts: of an HS6, of an HS6 from one origin,
    or of an HS6 from one origin under one filed brand (``cbec.risk.valuation.band_keys``)."""

    __tablename__ = "risk_band"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)  # HS6, HS6|origin or HS6|origin|brand
    hs6: Mapped[str] = mapped_column(String(6), index=True)
    lines: Mapped[int] = mapped_column(Integer)
    median: Mapped[Decimal] = mapped_column(Amount)
    mad: Mapped[Decimal] = mapped_column(Amount)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RiskDecision(Base):
    """The assessment of one inventory, with its full trace."""

    __tablename__ = "risk_decision"
    __table_args__ = (
        Index("ix_risk_decision_band_decided", "band", "decided_at"),
        UniqueConstraint("eport_no", "stage"),  # once per inventory and stage
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    eport_no: Mapped[str] = mapped_column(String(18))
    stage: Mapped[str] = mapped_column(String(8), default="entry")  # Stage: entry | delivery
    order_no: Mapped[str] = mapped_column(String(60))
    inventory_no: Mapped[str | None] = mapped_column(String(20), nullable=True)
    tenant: Mapped[str | None] = mapped_column(String(120), nullable=True)
    parties: Mapped[list[str]] = mapped_column(JSON)  # platform, e-commerce, logistics, agent codes
    business_day: Mapped[date] = mapped_column(Date)
    ruleset_version: Mapped[str] = mapped_column(String(40))
    ruleset_sha256: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(10))  # Band: the most severe of the typologies
    typology: Mapped[str | None] = mapped_column(String(20), nullable=True)  # the highest-scoring typology
    expected_revenue: Mapped[Decimal] = mapped_column(Amount)  # under-valuation: tax expected lost, CNY
    subjects: Mapped[dict[str, Any]] = mapped_column(JSON)  # subject kind -> key
    # inputs read, rules, typology scores; jsonb on PostgreSQL (parsed once on write: the backtest reads ~31 paths)
    trace: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    event_position: Mapped[int] = mapped_column(BigId)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)


def decision_of(
    assessment: Assessment,
    ruleset: Ruleset,
    *,
    trace: dict[str, Any] | None = None,
    extra_points: int = 0,
    expected_revenue: Decimal = Decimal(0),
    **fields: Any,
) -> RiskDecision:
    """Return a decision row of an assessment under a ruleset: its version and digest, score (plus ``extra_points``,
    the bounded ML term), band, top typology and trace (``trace_of`` unless given); ``fields`` name the document,
    its parties, day, subjects, event position, stage and time."""
    return RiskDecision(
        ruleset_version=ruleset.version,
        ruleset_sha256=ruleset.sha256,
        score=assessment.score + extra_points,
        band=assessment.band.value,
        typology=assessment.top.value if assessment.top else None,
        expected_revenue=expected_revenue,
        trace=trace if trace is not None else trace_of(assessment, ruleset),
        **fields,
    )


class RiskHold(Base):
    """A hold on an inventory a typology reached (with it, a supervision hold measure the pipeline reads)."""

    __tablename__ = "risk_hold"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    eport_no: Mapped[str] = mapped_column(String(18), index=True)
    typology: Mapped[str] = mapped_column(String(20))
    band: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(500))
    decision_id: Mapped[int] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RiskLane(Base):
    """The lane of one assessed inventory, decided online by the consumer under the day's budget."""

    __tablename__ = "risk_lane"
    __table_args__ = (Index("ix_risk_lane_day_lane", "business_day", "lane"),)

    eport_no: Mapped[str] = mapped_column(String(18), primary_key=True)
    decision_id: Mapped[int] = mapped_column(BigId)
    business_day: Mapped[date] = mapped_column(Date)
    lane: Mapped[str] = mapped_column(String(6))  # cbec.risk.lanes.Lane
    reason: Mapped[str] = mapped_column(String(20))  # risk | over_budget | review | post_clearance | random | release
    priority: Mapped[Decimal] = mapped_column(Amount)
    multiplier: Mapped[Decimal] = mapped_column(Amount)
    applied: Mapped[bool] = mapped_column(Boolean)  # False: released before risk decided it (post-release audit)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RiskExport(Base):
    """A 9610/9710 export as risk knows it from the event catalogue: its declared value and receipt of payment."""

    __tablename__ = "risk_export"
    __table_args__ = (Index("ix_risk_export_released", "released_on"),)

    ecommerce_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    order_no: Mapped[str] = mapped_column(String(60), primary_key=True)
    eport_no: Mapped[str | None] = mapped_column(String(18), nullable=True)
    inventory_no: Mapped[str | None] = mapped_column(String(20), nullable=True)
    mode: Mapped[str | None] = mapped_column(String(4), nullable=True)  # 9610 | 9710 | 1210 | 9810
    tenant: Mapped[str | None] = mapped_column(String(120), nullable=True)
    parties: Mapped[list[str]] = mapped_column(JSON)
    declared: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)  # goods + freight, declared currency
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    declared_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    released_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    received: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)  # the receipt of payment's charge
    received_currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    position: Mapped[int] = mapped_column(BigId)  # the last event that changed it


class RiskMlModel(Base):
    """A fitted ML model (isolation forest) stored by its digest with the ruleset version it was trained for."""

    __tablename__ = "risk_ml_model"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    ruleset_version: Mapped[str] = mapped_column(String(40))
    ruleset_sha256: Mapped[str] = mapped_column(String(64), index=True)
    seed: Mapped[int] = mapped_column(Integer)
    cap: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)  # base64 of the pickled forest (written by the platform only)
    centres: Mapped[list[float]] = mapped_column(JSON)
    spreads: Mapped[list[float]] = mapped_column(JSON)
    trained_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RiskSweep(Base):
    """A release day the delivery sweep went through: its parcels counted, the unsigned ones decided (R2.4)."""

    __tablename__ = "risk_sweep"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # delivery
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # the release day (Asia/Shanghai)
    parcels: Mapped[int] = mapped_column(Integer)
    unsigned: Mapped[int] = mapped_column(Integer)
    swept_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RiskSigning(Base):
    """The first signing (CEB513) risk met for an import parcel: the delivery sweep leaves signed parcels alone."""

    __tablename__ = "risk_signing"

    eport_no: Mapped[str] = mapped_column(String(18), primary_key=True)
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the signing time the logistics enterprise reported
    position: Mapped[int] = mapped_column(BigId)  # the event that told it
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)  # when risk kept it (the sweep starts after the first)
