"""Publishing classified supervision (分类监管发布): a rating's levels become measures clearance reads as data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from cbec.common.scope import EVERYTHING, Scope
from cbec.credit import repository as repo
from cbec.credit.errors import CreditNotFound, problem
from cbec.credit.models import CreditSubject
from cbec.credit.rating import Ruleset
from cbec.credit.repository import SubjectRow
from cbec.credit.rules import SubjectKind as CreditSubjectKind
from cbec.credit.schemas import ClearanceMeasureRead
from cbec.credit.service.config import configuration
from cbec.credit.supervision import LevelMeasures
from cbec.storage.context import Context
from cbec.supervision import MeasureKind, MeasureSpec, Subject, SubjectKind, measures_in_force, replace_measures

SOURCE = "credit"
SHOWN = ("credit", "credit_list")  # what credit wrote; risk's and officers' holds are not the enterprise's to see


def level_measures(measures: LevelMeasures | None, reference: str, now: datetime) -> list[MeasureSpec]:
    """Return the measures of one level: its inspection rate and, where the plan says so, a hold, priority, the
    guarantee asked (exempt or full) and no facilitation."""
    if measures is None:
        return []
    reason = f"{measures.reason_zh} / {measures.reason_en}"
    specs = [MeasureSpec(MeasureKind.INSPECTION, reference, reason, now, rate=measures.inspection_rate)]
    kinds = [
        (measures.hold, MeasureKind.HOLD),
        (measures.priority, MeasureKind.PRIORITY),
        (measures.guarantee == "exempt", MeasureKind.GUARANTEE_EXEMPT),
        (measures.guarantee == "full", MeasureKind.FULL_GUARANTEE),
        (not measures.facilitation, MeasureKind.NO_FACILITATION),
    ]
    specs += [MeasureSpec(kind, reference, reason, now) for wanted, kind in kinds if wanted]
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


def clearance_measures(ctx: Context, code: str, *, scope: Scope = EVERYTHING) -> list[ClearanceMeasureRead]:
    """Return the measures credit asks clearance to apply to an enterprise now (its level's and its list entries':
    inspection rate, hold, priority, guarantee exempt or full, no facilitation), in one read; another's: not found."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        subject = repo.subject_by_code(session, code)
        if subject is None or not repo.admits(scope, subject) or subject.kind != CreditSubjectKind.ENTERPRISE:
            raise CreditNotFound(
                f"no credit subject {code} in the caller's scope",
                problems=[
                    problem("CRD-SUBJECT-UNKNOWN", "subject", "无此主体", f"no subject {code}", "Check the code.")
                ],
            )
        codes = sorted({c.strip().upper() for c in (subject.customs_code, subject.uscc) if c})
        found = measures_in_force(session, [(SubjectKind.ENTERPRISE, c) for c in codes], now)
    seen: dict[tuple[str, str, str], ClearanceMeasureRead] = {}
    for measures in found.values():
        for m in measures:
            if m.source in SHOWN:
                seen.setdefault(
                    (m.kind.value, m.source, m.reference),
                    ClearanceMeasureRead(
                        kind=m.kind.value,
                        source=m.source,
                        rate=float(m.rate) if m.rate is not None else None,
                        reference=m.reference,
                        reason=m.reason,
                        since=m.valid_from,
                    ),
                )
    return sorted(seen.values(), key=lambda m: (m.source, m.kind, m.reference))
