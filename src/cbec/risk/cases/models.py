"""Tables of risk disposal (风险处置): cases per pivot, their alerts with labels, typed actions, snoozes.

* ``risk_case``: one per pivot (a buyer key, a consignee phone key, an enterprise or a platform code) while open;
  ``open_key`` (tenant|pivot kind|pivot key) is set while the case is open and cleared when it closes, so its unique
  constraint keeps at most one open case per pivot on every database. Score = the highest of its alerts.
* ``risk_case_alert``: one row per alert (a typology of a ``risk_decision`` at review or above), with the rules
  that gave it points, the case it joined (none when snoozed) and its label once the case is closed.
* ``risk_case_action``: typed actions with actor, time and comment; ``return`` and ``propose_list_entry`` wait
  for a second officer (``state`` proposed → confirmed / rejected).
* ``risk_snooze``: a (rule, pivot) pair silenced until a time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Base, BigId, UtcDateTime


class RiskCase(Base):
    """A disposal case (处置案件) gathering the alerts of one pivot."""

    __tablename__ = "risk_case"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    pivot_kind: Mapped[str] = mapped_column(String(12))  # PivotKind
    pivot_key: Mapped[str] = mapped_column(String(64), index=True)
    open_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)  # set while open
    state: Mapped[str] = mapped_column(String(10), index=True)  # open, closed
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(10))
    typologies: Mapped[list[str]] = mapped_column(JSON)
    alerts: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)  # Outcome


class RiskCaseAlert(Base):
    """An alert: one typology of one decision at review or above, in a case (or snoozed), with its label."""

    __tablename__ = "risk_case_alert"
    __table_args__ = (UniqueConstraint("decision_id", "typology"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(BigId, index=True)
    typology: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)
    tenant: Mapped[str | None] = mapped_column(String(120), nullable=True)
    pivot_kind: Mapped[str] = mapped_column(String(12))
    pivot_key: Mapped[str] = mapped_column(String(64))
    rules: Mapped[list[str]] = mapped_column(JSON)  # the rules that gave points
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(10))
    eport_no: Mapped[str] = mapped_column(String(18))
    business_day: Mapped[date] = mapped_column(Date)
    snoozed: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)  # the case's label once closed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    labelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class RiskCaseAction(Base):
    """A typed action on a case, by the signed-in officer; two-person actions wait for a second officer."""

    __tablename__ = "risk_case_action"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(BigId, index=True)
    kind: Mapped[str] = mapped_column(String(24))  # ActionKind
    state: Mapped[str] = mapped_column(String(10))  # done, proposed, confirmed, rejected
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    comment: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)  # agency, outcome, list, holds written …
    checked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    check_comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class RiskSnooze(Base):
    """A rule silenced on one pivot until a time (expiry read with the injectable clock)."""

    __tablename__ = "risk_snooze"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant: Mapped[str | None] = mapped_column(String(120), nullable=True)
    rule: Mapped[str] = mapped_column(String(20))
    pivot_kind: Mapped[str] = mapped_column(String(12))
    pivot_key: Mapped[str] = mapped_column(String(64), index=True)
    until: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    comment: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
