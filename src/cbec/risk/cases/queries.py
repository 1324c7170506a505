"""Reading risk disposal: the case queue, a case with its alerts in words, the snoozes, the review figures."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from cbec.common.scope import Scope
from cbec.risk.cases import repository as repo
from cbec.risk.cases.errors import not_found
from cbec.risk.cases.models import RiskCase, RiskCaseAction, RiskSnooze
from cbec.risk.cases.rules import Labelled, Tally, tally
from cbec.risk.cases.schemas import (
    ActionRead,
    CaseAlertRead,
    CaseDetail,
    CaseRead,
    ReviewRead,
    SnoozeRead,
    TallyRead,
)
from cbec.risk.rules import shipped_ruleset
from cbec.risk.service import alerts_of
from cbec.risk.versions import ruleset_of_digest
from cbec.storage.context import Context


def case_read(row: RiskCase) -> CaseRead:
    """Return the output shape of a case."""
    return CaseRead(
        id=row.id,
        tenant=row.tenant,
        pivot_kind=row.pivot_kind,
        pivot_key=row.pivot_key,
        state=row.state,
        score=row.score,
        band=row.band,
        typologies=list(row.typologies),
        alerts=row.alerts,
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        outcome=row.outcome,
    )


def action_read(row: RiskCaseAction) -> ActionRead:
    """Return the output shape of an action."""
    return ActionRead(
        id=row.id,
        case_id=row.case_id,
        kind=row.kind,
        state=row.state,
        actor=row.actor,
        at=row.at,
        comment=row.comment,
        detail=dict(row.detail),
        checked_by=row.checked_by,
        checked_at=row.checked_at,
        check_comment=row.check_comment,
    )


def snooze_read(row: RiskSnooze, now: datetime) -> SnoozeRead:
    """Return the output shape of a snooze (active: not expired at ``now``)."""
    return SnoozeRead(
        id=row.id,
        rule=row.rule,
        pivot_kind=row.pivot_kind,
        pivot_key=row.pivot_key,
        until=row.until,
        actor=row.actor,
        created_at=row.created_at,
        comment=row.comment,
        active=now < row.until,
    )


def list_cases(
    ctx: Context,
    *,
    state: str | None = "open",
    typology: str | None = None,
    scope: Scope | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[CaseRead], int]:
    """Return a page of the cases in the scope, highest score first, and how many match in all."""
    with ctx.uow() as uow:
        rows = repo.cases(uow.session, scope, state=state)
        if typology:
            rows = [r for r in rows if typology in r.typologies]
        found = [case_read(r) for r in rows[offset : offset + limit]]
    return found, len(rows)


def show_case(ctx: Context, case_id: int, *, scope: Scope | None = None) -> CaseDetail:
    """Return a case with its alerts (each with its trace in words and its label), actions and snoozes."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        case = repo.case_by_id(session, case_id, scope)
        if case is None:
            raise not_found("case", case_id)
        stored = repo.case_alerts(session, [case.id])
        decisions = repo.decisions(session, (a.decision_id for a in stored))
        alerts = []
        for row in stored:
            decision = decisions.get(row.decision_id)
            if decision is None:
                continue
            deciding = ruleset_of_digest(session, decision.ruleset_sha256)  # the version that decided it
            words = [a for a in alerts_of(decision, ruleset=deciding) if a.typology == row.typology]
            if not words:
                continue
            outcome = row.outcome or ("snoozed" if row.snoozed else "open")
            alerts.append(
                CaseAlertRead(
                    id=row.id,
                    snoozed=row.snoozed,
                    outcome=row.outcome,
                    alert=words[0].model_copy(update={"outcome": outcome}),
                )
            )
        detail = CaseDetail(
            case=case_read(case),
            alerts=alerts,
            actions=[action_read(a) for a in repo.actions(session, case.id)],
            snoozes=[snooze_read(s, now) for s in repo.snoozes(session, scope, (case.pivot_kind, case.pivot_key))],
        )
    return detail


def cases_of_alerts(ctx: Context, decision_ids: Iterable[int]) -> dict[tuple[int, str], int | None]:
    """Return, per alert (decision id, typology) already filed, the case it joined (None: snoozed, in no case); an
    alert not yet filed (``gather`` has not run since its decision) is absent."""
    with ctx.uow() as uow:
        rows = repo.alerts_of_decisions(uow.session, decision_ids)
        found = {(r.decision_id, r.typology): r.case_id for r in rows}
        uow.commit()
    return found


def list_snoozes(ctx: Context, *, scope: Scope | None = None) -> list[SnoozeRead]:
    """Return the snoozes in the scope, newest first."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        return [snooze_read(s, now) for s in repo.snoozes(uow.session, scope)]


def _tally(name: str, t: Tally) -> TallyRead:
    return TallyRead(
        name=name,
        alerts=t.alerts,
        snoozed=t.snoozed,
        labelled=t.labelled,
        confirmed_or_valuable=t.true,
        false_positives=t.false_positives,
        precision=t.precision,
        weeks=dict(sorted(t.weeks.items())),
    )


def review(
    ctx: Context, *, since: date | None = None, until: date | None = None, scope: Scope | None = None
) -> ReviewRead:
    """Return the review figures (复盘) of the alerts of the scope whose business day lies in [since, until]:
    per rule and per typology, alerts, labels, precision and volume per ISO week."""
    with ctx.uow() as uow:
        rows = repo.reviewed(uow.session, scope, since, until)
        seen = [Labelled(r.typology, tuple(r.rules), r.business_day, r.outcome, r.snoozed) for r in rows]
    by_rule, by_typology = tally(seen)
    weeks = sorted({w for t in by_typology.values() for w in t.weeks})
    return ReviewRead(
        since=since,
        until=until,
        rules=[_tally(name, t) for name, t in by_rule.items()],
        typologies=[_tally(name, t) for name, t in by_typology.items()],
        weeks=weeks,
    )


def rule_meanings() -> dict[str, tuple[str, str, str]]:
    """Return each rule of the shipped ruleset with its typology and reason (中文, English), so the review page
    says what a rule's figures are about; a rule of an older version only is shown by its id."""
    return {r.id: (r.typology.value, r.reason_zh, r.reason_en) for r in shipped_ruleset().rules}
