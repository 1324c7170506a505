"""SQL of B2B-export identification: declarations by number or tenant subtree, runs and their results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, func, insert, or_, select
from sqlalchemy.orm import Session

from cbec.statistics.b2b.models import B2bDeclaration, B2bResult, B2bRun

_CHUNK = 2000
_DECLARATIONS = cast(Table, B2bDeclaration.__table__)  # Core inserts: one executemany per chunk
_RESULTS = cast(Table, B2bResult.__table__)


def in_subtree(column: Any, tenant: str | None) -> list[ColumnElement[bool]]:
    """Return the condition keeping rows to a tenant and every tenant below it (none: no condition)."""
    if tenant is None:
        return []
    return [or_(column == tenant, column.like(tenant.replace("%", r"\%").replace("_", r"\_") + "/%", escape="\\"))]


def declarations_by_number(session: Session, numbers: Sequence[str]) -> dict[str, B2bDeclaration]:
    """Return the stored declarations with these numbers, by number."""
    found: dict[str, B2bDeclaration] = {}
    for start in range(0, len(numbers), _CHUNK):
        chunk = numbers[start : start + _CHUNK]
        rows = session.scalars(select(B2bDeclaration).where(B2bDeclaration.declaration_no.in_(chunk)))
        found.update({row.declaration_no: row for row in rows})
    return found


def add_declarations(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new declarations in bulk (Core executemany: one statement per chunk)."""
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(_DECLARATIONS), list(rows[start : start + _CHUNK]))


def declarations_in(session: Session, tenant: str | None) -> list[B2bDeclaration]:
    """Return every declaration of a tenant subtree, by number."""
    query = select(B2bDeclaration).where(*in_subtree(B2bDeclaration.tenant, tenant))
    return list(session.scalars(query.order_by(B2bDeclaration.declaration_no)))


def add_run(session: Session, run: B2bRun, results: Iterable[dict[str, Any]]) -> B2bRun:
    """Store a run and its results."""
    session.add(run)
    session.flush()
    batch: list[dict[str, Any]] = []
    for row in results:
        batch.append({**row, "run_id": run.id})
        if len(batch) == _CHUNK:
            session.execute(insert(_RESULTS), batch)
            batch = []
    if batch:
        session.execute(insert(_RESULTS), batch)
    return run


def runs(session: Session, tenant: str | None) -> list[B2bRun]:
    """Return the runs over a tenant subtree (and below it), newest first."""
    return list(session.scalars(select(B2bRun).where(*in_subtree(B2bRun.tenant, tenant)).order_by(B2bRun.id.desc())))


def run(session: Session, run_id: int) -> B2bRun | None:
    """Return one run."""
    return session.get(B2bRun, run_id)


def results(session: Session, run_id: int, tenant: str | None) -> list[B2bResult]:
    """Return a run's results in a tenant subtree, by declaration number."""
    query = select(B2bResult).where(B2bResult.run_id == run_id, *in_subtree(B2bResult.tenant, tenant))
    return list(session.scalars(query.order_by(B2bResult.declaration_no)))


def covering_run(session: Session, tenants: Sequence[str]) -> B2bRun | None:
    """Return the latest run whose tenant is one of ``tenants`` (the asked tenant and its ancestors)."""
    query = select(B2bRun).where(B2bRun.tenant.in_(tenants)).order_by(B2bRun.id.desc()).limit(1)
    return session.scalars(query).first()


def daily_results(
    session: Session, run_id: int, tenant: str, start: date, end: date
) -> list[tuple[date, str, str, int, int, int]]:
    """Return (day, tenant, class, count, Σ value fen, count without value) of a run's results in a period."""
    query = (
        select(
            B2bResult.declared_on,
            B2bResult.tenant,
            B2bResult.klass,
            func.count(),
            func.coalesce(func.sum(B2bResult.value_fen), 0),
            func.count() - func.count(B2bResult.value_fen),
        )
        .where(
            B2bResult.run_id == run_id,
            B2bResult.declared_on >= start,
            B2bResult.declared_on <= end,
            *in_subtree(B2bResult.tenant, tenant),
        )
        .group_by(B2bResult.declared_on, B2bResult.tenant, B2bResult.klass)
        .order_by(B2bResult.declared_on, B2bResult.tenant, B2bResult.klass)
    )
    return [(d, t, k, int(n or 0), int(v or 0), int(u or 0)) for d, t, k, n, v, u in session.execute(query)]
