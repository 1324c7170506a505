"""Use cases of sample surveys (抽样调查): define, draw the sample from the rollups, collect, estimate.

A zone office defines a survey for its tenant subtree and a reference period (``statistics.manage``); drawing
builds the frame from the daily rollups (every e-commerce enterprise with released trade ≥ ``min_size`` in the
period) and selects the sample (cbec.statistics.survey_rules). Responses come from the sampled enterprise itself
(the workspace form, its own code from the identity) or from an officer's import of a CSV (``code,value``).
Estimates are survey figures (caliber ``survey``), kept apart from the platform's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.errors import Conflict, InvalidInput, NotFound, Problem
from cbec.common.scope import Scope
from cbec.statistics.cube import breakdown
from cbec.statistics.models import StatSurvey, StatSurveyUnit
from cbec.statistics.rules import parse_span
from cbec.statistics.survey_rules import Estimate, FrameUnit, SampleUnit, draw, estimate
from cbec.storage.context import Context

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
DRAFT, DRAWN, CLOSED = "draft", "drawn", "closed"


@dataclass(frozen=True, slots=True)
class SurveyView:
    """A survey with its sample's counts."""

    code: str
    title: str
    question: str
    tenant: str
    period: str
    min_size: Decimal
    take_all_at: Decimal | None
    sample_size: int
    seed: int
    state: str
    frame: int
    selected: int
    answered: int


def _problem(rule: str, field: str, zh: str, en: str, hint: str) -> Problem:
    return Problem(rule, field, f"{zh} / {en}", hint)


def _amount(raw: Any, field: str, problems: list[Problem], *, optional: bool = False) -> Decimal | None:
    if optional and raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        problems.append(
            _problem("STAT-SURVEY-AMOUNT", field, f"金额无效 {raw!r}", "not an amount ≥ 0 with at most 2 places",
                     "E.g. 125000.00.")
        )  # fmt: skip
        return None
    return value


def create_survey(
    ctx: Context, *, code: str, title: str, question: str, period: str, min_size: Any, take_all_at: Any,
    sample_size: int, seed: int, actor: str, scope: Scope,
) -> SurveyView:  # fmt: skip
    """Define a survey of the caller's tenant subtree (STAT-SURVEY-* problems, all at once)."""
    problems: list[Problem] = []
    if not CODE.match(code or ""):
        problems.append(_problem("STAT-SURVEY-CODE", "code", "编号无效", "bad code", "1-40 letters, digits, . _ -"))
    if not title.strip() or not question.strip():
        problems.append(_problem("STAT-SURVEY-TEXT", "question", "缺少标题或问题", "title or question missing",
                                 "Say what is asked, e.g. 本期经其他渠道的跨境电商出口额（元）."))  # fmt: skip
    span = parse_span(period.strip())
    if span is None or span.kind not in ("month", "quarter", "year"):
        problems.append(_problem("STAT-SURVEY-PERIOD", "period", "期间无效", "a month, quarter or year",
                                 "E.g. 2026-11, 2026-Q4 or 2026."))  # fmt: skip
    low = _amount(min_size, "min_size", problems)
    top = _amount(take_all_at, "take_all_at", problems, optional=True)
    if not 1 <= sample_size <= 100_000:
        problems.append(_problem("STAT-SURVEY-SIZE", "sample_size", "样本量无效", "sample size out of range",
                                 "Give 1 to 100000."))  # fmt: skip
    if problems or span is None or low is None:
        raise InvalidInput("the survey cannot be defined", problems=problems)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        if session.scalar(select(StatSurvey.id).where(StatSurvey.code == code)) is not None:
            raise Conflict(
                f"survey {code} exists",
                problems=[_problem("STAT-SURVEY-EXISTS", "code", "编号已使用", "code taken", "Choose another code.")],
            )
        row = StatSurvey(
            code=code, title=title.strip(), question=question.strip(), tenant=scope.tenant or "hub",
            period=span.label, min_size=low, take_all_at=top, sample_size=sample_size, seed=seed, state=DRAFT,
            created_by=actor, created_at=now,
        )  # fmt: skip
        session.add(row)
        session.flush()
        after = {"period": span.label, "sample_size": sample_size, "seed": seed}
        record_audit(session, at=now, actor=actor, action="statistics.survey.created", entity_type="stat_survey",
                     entity_key=code, after=after)  # fmt: skip
        uow.commit()
        return _view(session, row)


def _survey(session: Session, code: str, scope: Scope) -> StatSurvey:
    row = session.scalar(select(StatSurvey).where(StatSurvey.code == code))
    if row is not None and scope.parties is not None:  # an enterprise sees a survey that sampled it
        asked = select(StatSurveyUnit.id).where(
            StatSurveyUnit.survey_id == row.id,
            StatSurveyUnit.selected.is_(True),
            StatSurveyUnit.code.in_(sorted(scope.parties)),
        )
        visible = session.scalar(asked) is not None
    else:
        visible = row is not None and scope.admits_tenant(row.tenant)
    if row is None or not visible:
        raise NotFound(
            f"no survey {code}",
            problems=[_problem("STAT-SURVEY-NOT-FOUND", "code", f"没有调查 {code}", "no such survey", "List them.")],
        )
    return row


def _units(session: Session, survey: StatSurvey) -> list[StatSurveyUnit]:
    return list(session.scalars(select(StatSurveyUnit).where(StatSurveyUnit.survey_id == survey.id)))


def _view(session: Session, row: StatSurvey) -> SurveyView:
    units = _units(session, row)
    return SurveyView(
        row.code, row.title, row.question, row.tenant, row.period, row.min_size, row.take_all_at, row.sample_size,
        int(row.seed), row.state, len(units), sum(1 for u in units if u.selected),
        sum(1 for u in units if u.value is not None),
    )  # fmt: skip


def draw_sample(ctx: Context, code: str, *, actor: str, scope: Scope) -> SurveyView:
    """Build the frame from the rollups and draw the sample, once (STAT-SURVEY-STATE when already drawn)."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        survey = _survey(session, code, scope)
        if survey.state != DRAFT:
            raise Conflict(
                f"survey {code} is {survey.state}",
                problems=[_problem("STAT-SURVEY-STATE", "code", "样本已抽取", "the sample is drawn", "Define anew.")],
            )
        span = parse_span(survey.period)
        assert span is not None
        sizes: dict[str, Decimal] = {}
        for row in breakdown(session, span, survey.tenant, "enterprise"):
            sizes[row["enterprise"]] = sizes.get(row["enterprise"], Decimal(0)) + row["value_cny"]
        frame = [FrameUnit(c, v) for c, v in sizes.items() if c and v >= survey.min_size]
        sample = draw(frame, sample_size=survey.sample_size, take_all_at=survey.take_all_at, seed=int(survey.seed))
        for unit in sample:
            session.add(StatSurveyUnit(survey_id=survey.id, code=unit.code, size=unit.size, stratum=unit.stratum,
                                       prn=f"{unit.prn:.17f}", selected=unit.selected))  # fmt: skip
        survey.state = DRAWN
        session.flush()
        after = {"frame": len(sample), "selected": sum(u.selected for u in sample)}
        record_audit(session, at=now, actor=actor, action="statistics.survey.drawn", entity_type="stat_survey",
                     entity_key=code, after=after)  # fmt: skip
        uow.commit()
        return _view(session, survey)


def record_responses(
    ctx: Context, code: str, rows: Sequence[Mapping[str, Any]], *, actor: str, scope: Scope
) -> SurveyView:
    """Record responses ``{code, value}`` of sampled units; a bad row refuses the whole batch (every problem)."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        survey = _survey(session, code, scope)
        units = {u.code: u for u in _units(session, survey)}
        problems: list[Problem] = []
        if survey.state != DRAWN:
            problems.append(_problem("STAT-SURVEY-STATE", "code", "调查未在收集中", "not collecting", "Draw it."))
        found: list[tuple[StatSurveyUnit, Decimal]] = []
        for number, row in enumerate(rows, start=1):
            unit = units.get(str(row.get("code") or "").strip())
            value = _amount(row.get("value"), f"rows[{number}].value", problems)
            if unit is None or not unit.selected or not scope.admits_party([unit.code]):
                problems.append(_problem("STAT-SURVEY-UNIT", f"rows[{number}].code", "该企业不在样本中",
                                         "not a sampled unit", "Answer for a sampled enterprise."))  # fmt: skip
            elif value is not None:
                found.append((unit, value))
        if problems:
            raise InvalidInput("the responses cannot be recorded", problems=problems)
        for unit, value in found:
            unit.value, unit.answered_by, unit.answered_at = value, actor, now
        record_audit(session, at=now, actor=actor, action="statistics.survey.answered", entity_type="stat_survey",
                     entity_key=code, after={"responses": len(found)})  # fmt: skip
        uow.commit()
        return _view(session, survey)


def survey_estimate(ctx: Context, code: str, scope: Scope) -> tuple[SurveyView, Estimate]:
    """Return the survey and its estimated total with standard error (read-only)."""
    with ctx.uow() as uow:
        session = uow.session
        survey = _survey(session, code, scope)
        rows = _units(session, survey)
        units = [SampleUnit(u.code, u.size, u.stratum, float(u.prn), u.selected) for u in rows]
        answers = {u.code: u.value for u in rows if u.value is not None}
        return _view(session, survey), estimate(units, answers)


def list_surveys(ctx: Context, scope: Scope) -> list[SurveyView]:
    """Return the surveys of the caller's tenant subtree; for an enterprise, those that sampled it."""
    with ctx.uow() as uow:
        session = uow.session
        found = []
        for row in session.scalars(select(StatSurvey).order_by(StatSurvey.created_at.desc(), StatSurvey.id.desc())):
            try:
                found.append(_view(session, _survey(session, row.code, scope)))
            except NotFound:
                continue
        return found
