"""Writing and reading supervision measures (监管措施), inside the caller's transaction (never commits).

Credit replaces its measures on an enterprise when it publishes a rating (an unchanged rating changes nothing);
risk adds a hold when a typology reaches its hold band; clearance reads the measures in force on the subjects of
a message in one query. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.errors import Problem
from cbec.storage.revisions import RevisionCache
from cbec.supervision import repository as repo
from cbec.supervision.errors import SupervisionInvalid
from cbec.supervision.models import REVISION, SupervisionMeasure
from cbec.supervision.rules import RATELESS, SOURCES, Measure, MeasureKind, Subject, SubjectKind


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """A measure to write on a subject (its subject and source are given beside it)."""

    kind: MeasureKind
    reference: str
    reason: str
    valid_from: datetime
    valid_until: datetime | None = None
    rate: Decimal | None = None


def _problems(source: str, spec: MeasureSpec) -> list[Problem]:
    found: list[Problem] = []
    if source not in SOURCES:
        found.append(
            Problem(
                "SUP-SOURCE",
                "source",
                f"措施来源无效：{source} / unknown source {source}",
                f"Use one of {', '.join(sorted(SOURCES))}.",
            )
        )
    if spec.kind == MeasureKind.INSPECTION and (spec.rate is None or not Decimal(0) <= spec.rate <= Decimal(1)):
        found.append(
            Problem(
                "SUP-RATE",
                "rate",
                f"查验率须在 0 与 1 之间：{spec.rate} / an inspection rate lies between 0 and 1, got {spec.rate}",
                "Give the probability as a decimal, e.g. 0.05 for 5 %.",
            )
        )
    if spec.kind in RATELESS and spec.rate is not None:
        found.append(
            Problem(
                "SUP-RATE",
                "rate",
                f"{spec.kind.value} 措施不带查验率 / a {spec.kind.value} measure has no rate",
                "Leave the rate out: only an inspection measure has one.",
            )
        )
    if spec.valid_until is not None and spec.valid_until <= spec.valid_from:
        found.append(
            Problem(
                "SUP-VALIDITY",
                "valid_until",
                "措施结束时间须晚于开始时间 / a measure must end after it starts",
                "Give an end after the start, or none for an open-ended measure.",
            )
        )
    return found


def _same(row: SupervisionMeasure, spec: MeasureSpec) -> bool:
    return (row.kind, row.rate, row.reference, row.reason, row.valid_until) == (
        spec.kind.value,
        spec.rate,
        spec.reference,
        spec.reason,
        spec.valid_until,
    )


def _row(source: str, subject: Subject, spec: MeasureSpec, at: datetime) -> SupervisionMeasure:
    return SupervisionMeasure(
        subject_kind=subject[0].value,
        subject_key=subject[1],
        kind=spec.kind.value,
        rate=spec.rate,
        source=source,
        reference=spec.reference[:120],
        reason=spec.reason,
        valid_from=spec.valid_from,
        valid_until=spec.valid_until,
        created_at=at,
    )


def _check(source: str, specs: Iterable[MeasureSpec]) -> None:
    problems = [p for spec in specs for p in _problems(source, spec)]
    if problems:
        raise SupervisionInvalid("the measure breaks the supervision rules", problems=problems)


def replace_measures(
    session: Session,
    *,
    source: str,
    wanted: Mapping[Subject, Sequence[MeasureSpec]],
    at: datetime,
    actor: str,
) -> int:
    """Make a source's measures on each subject exactly the wanted ones from ``at`` on; return how many changed.

    The source's measures on a changed subject (in force or still to come) end at ``at`` and the new ones are
    written; a subject whose measures are the same already is left alone (a daily re-rating at an unchanged level
    writes nothing). Subjects not named are not touched. One query reads the source's open measures, one UPDATE
    ends the replaced ones; every changed subject gets an audit record.
    """
    _check(source, [spec for specs in wanted.values() for spec in specs])
    existing: dict[Subject, list[SupervisionMeasure]] = {}
    for row in repo.open_measures_of_source(session, source, at):
        existing.setdefault((SubjectKind(row.subject_kind), row.subject_key), []).append(row)
    ended: list[int] = []
    changed = 0
    for subject, specs in wanted.items():
        held = existing.get(subject, [])
        if len(held) == len(specs) and all(any(_same(row, spec) for row in held) for spec in specs):
            continue
        changed += 1
        ended += [row.id for row in held]
        session.add_all(_row(source, subject, spec, at) for spec in specs)
        record_audit(
            session,
            at=at,
            actor=actor,
            action="supervision.measures.replaced",
            entity_type="supervision_subject",
            entity_key=f"{subject[0].value}:{subject[1]}",
            before={"measures": [_summary(row.kind, row.rate, row.reference) for row in held]},
            after={"source": source, "measures": [_summary(s.kind.value, s.rate, s.reference) for s in specs]},
        )
    repo.end_measures(session, ended, at)
    return changed


def add_measure(
    session: Session, *, source: str, subject: Subject, spec: MeasureSpec, at: datetime, actor: str
) -> None:
    """Add one measure on a subject beside those in force (a risk hold on one inventory)."""
    _check(source, [spec])
    session.add(_row(source, subject, spec, at))
    record_audit(
        session,
        at=at,
        actor=actor,
        action="supervision.measure.added",
        entity_type="supervision_subject",
        entity_key=f"{subject[0].value}:{subject[1]}",
        after={"source": source, **_summary(spec.kind.value, spec.rate, spec.reference)},
        reason=spec.reason[:500],
    )


def _summary(kind: str, rate: Decimal | None, reference: str) -> dict[str, str]:
    return {"kind": kind, "rate": format(rate, "f") if rate is not None else "", "reference": reference}


# Which subjects have measures at all, kept per revision token: a message none of whose subjects has one (nearly
# every message) costs no query. The set may hold subjects whose measures have ended since (a superset is safe).
_SUBJECTS: RevisionCache[frozenset[Subject]] = RevisionCache(REVISION, limit=8)


def measures_in_force(session: Session, subjects: Sequence[Subject], at: datetime) -> Mapping[Subject, list[Measure]]:
    """Return the measures in force at a moment on these subjects, by subject (at most one query)."""
    marked = _SUBJECTS.get(session, "subjects", lambda: repo.subjects_with_measures(session, at))
    wanted = [s for s in subjects if s in marked]
    found: dict[Subject, list[Measure]] = {}
    if not wanted:
        return found
    for measure in repo.in_force(session, wanted, at):
        found.setdefault((measure.subject_kind, measure.subject_key), []).append(measure)
    return found
