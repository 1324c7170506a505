"""Publishing classified supervision (分类监管发布): a rating's levels become measures clearance reads as data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from cbec.credit.models import CreditSubject
from cbec.credit.rating import Ruleset
from cbec.credit.repository import SubjectRow
from cbec.credit.rules import SubjectKind as CreditSubjectKind
from cbec.credit.service.config import configuration
from cbec.credit.supervision import LevelMeasures
from cbec.supervision import MeasureKind, MeasureSpec, Subject, SubjectKind, replace_measures

SOURCE = "credit"


def level_measures(measures: LevelMeasures | None, reference: str, now: datetime) -> list[MeasureSpec]:
    """Return the measures of one level: its inspection rate and, where the plan says so, a hold."""
    if measures is None:
        return []
    reason = f"{measures.reason_zh} / {measures.reason_en}"
    specs = [MeasureSpec(MeasureKind.INSPECTION, reference, reason, now, rate=measures.inspection_rate)]
    if measures.hold:
        specs.append(MeasureSpec(MeasureKind.HOLD, reference, reason, now))
    return specs


def publish_supervision(
    session: Session,
    subjects: Sequence[CreditSubject | SubjectRow],
    levels: Mapping[int, str],
    day: date,
    now: datetime,
    ruleset: Ruleset,
    actor: str,
) -> int:
    """Write each rated enterprise's measures under its customs and credit codes; return how many changed.

    Nothing is written when no supervision plan is in force on the day (load one with ``cbec credit config``).
    """
    plan = configuration(session).supervision_on(day)
    if plan is None:
        return 0
    wanted: dict[Subject, list[MeasureSpec]] = {}
    for subject in subjects:
        level = levels.get(subject.id)
        if subject.kind != CreditSubjectKind.ENTERPRISE or level is None:
            continue
        reference = f"credit {ruleset.code}@{ruleset.version} level {level}; {plan.reference}"
        specs = level_measures(plan.levels.get(level), reference, now)
        for code in (subject.customs_code, subject.uscc):
            if code:
                wanted[(SubjectKind.ENTERPRISE, code.strip().upper())] = specs
    return replace_measures(session, source=SOURCE, wanted=wanted, at=now, actor=actor)
