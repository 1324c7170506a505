"""Tables of the external lists (外部名单): effective-dated entries and the loads that replaced them.

* ``risk_list_load``: one row per accepted load of a list file (kind, file name, provenance, SHA-256, entries, who,
  when). A load replaces every entry of its kind in one transaction; the log keeps what was loaded before.
* ``risk_list_entry``: one entry of a list in force from ``valid_from`` to ``valid_to`` (inclusive, open when
  None), its kind-specific fields as JSON (``cbec.risk.lists.rules``). An entry comes from a load (``load_id``) or
  from a case's list-entry proposal a second officer confirmed (``case_id``, its provenance in ``data``,
  ``cbec.risk.lists.proposals``); a load replaces its kind's loaded entries only, never the cases'.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cbec.storage.base import Base, BigId, UtcDateTime


class RiskListLoad(Base):
    """An accepted load of one list file."""

    __tablename__ = "risk_list_load"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12), index=True)  # ListKind
    source: Mapped[str] = mapped_column(String(200))  # the file's name
    provenance: Mapped[str] = mapped_column(Text)  # where the list comes from, as the file says
    sha256: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)
    loaded_by: Mapped[str] = mapped_column(String(120))
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RiskListEntry(Base):
    """One effective-dated entry of an external list."""

    __tablename__ = "risk_list_entry"
    __table_args__ = (Index("ix_risk_list_entry_kind_from", "kind", "valid_from"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))
    load_id: Mapped[int | None] = mapped_column(BigId, nullable=True)  # None: the entry comes from a case
    case_id: Mapped[int | None] = mapped_column(BigId, nullable=True)  # the case whose confirmed proposal added it
    entry_key: Mapped[str] = mapped_column(String(200))  # brand, HS6 or enterprise code: what the entry is about
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
