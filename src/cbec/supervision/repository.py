"""All SQL of supervision measures (监管措施数据); never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from cbec.storage.sets import one_of
from cbec.supervision.models import SupervisionMeasure
from cbec.supervision.rules import Measure, MeasureKind, Subject, SubjectKind


def as_measure(row: SupervisionMeasure) -> Measure:
    """Return the plain value of a stored measure."""
    return Measure(
        SubjectKind(row.subject_kind),
        row.subject_key,
        MeasureKind(row.kind),
        row.rate,
        row.source,
        row.reference,
        row.reason,
        row.valid_from,
        row.valid_until,
    )


def in_force(session: Session, subjects: Sequence[Subject], at: datetime) -> list[Measure]:
    """Return the measures in force at a moment on any of the subjects, in one query."""
    if not subjects:
        return []
    by_kind: dict[str, list[str]] = {}
    for kind, key in subjects:
        by_kind.setdefault(kind.value, []).append(key)
    subject_match = or_(
        *(
            and_(
                SupervisionMeasure.subject_kind == kind,
                one_of(session, SupervisionMeasure.subject_key, sorted(set(keys))),
            )
            for kind, keys in sorted(by_kind.items())
        )
    )
    stmt = select(SupervisionMeasure).where(
        subject_match,
        SupervisionMeasure.valid_from <= at,
        or_(SupervisionMeasure.valid_until.is_(None), SupervisionMeasure.valid_until > at),
    )
    return [as_measure(row) for row in session.scalars(stmt)]


def open_measures_of_source(session: Session, source: str, at: datetime) -> list[SupervisionMeasure]:
    """Return every measure of a source that is in force or starts later, in one query."""
    return list(
        session.scalars(
            select(SupervisionMeasure).where(
                SupervisionMeasure.source == source,
                or_(SupervisionMeasure.valid_until.is_(None), SupervisionMeasure.valid_until > at),
            )
        )
    )


def end_measures(session: Session, ids: Sequence[int], at: datetime) -> None:
    """End measures at a moment (a measure that had not started yet ends where it would start)."""
    if ids:
        session.execute(update(SupervisionMeasure).where(SupervisionMeasure.id.in_(list(ids))).values(valid_until=at))


def subjects_with_measures(session: Session, at: datetime) -> frozenset[Subject]:
    """Return every subject with a measure not ended at a moment (in force now or later), in one query."""
    stmt = (
        select(SupervisionMeasure.subject_kind, SupervisionMeasure.subject_key)
        .where(or_(SupervisionMeasure.valid_until.is_(None), SupervisionMeasure.valid_until > at))
        .distinct()
    )
    return frozenset((SubjectKind(kind), key) for kind, key in session.execute(stmt))
