"""Alerts into cases (预警归案): every typology of a decision at review or above becomes a stored alert that joins
the open case of its pivot, or opens one; a snoozed alert is stored, marked snoozed, and raises no case.

Run at the end of each ``cbec risk consume`` (``cbec.risk.service.apply_events``) and on its own
(``cbec risk cases gather``): it picks the decisions none of whose alerts is stored yet, so it is idempotent and
also files decisions made before disposal existed. One transaction per batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cbec.risk.cases import repository as repo
from cbec.risk.cases.models import RiskCase, RiskCaseAlert, RiskSnooze
from cbec.risk.cases.rules import CaseState, PivotKind, Snooze, choose_pivot, is_snoozed, open_key
from cbec.risk.cases.schemas import GatherReport
from cbec.risk.models import RiskDecision
from cbec.risk.rules import Band
from cbec.storage.context import Context


def _alerts(decision: RiskDecision) -> list[tuple[str, int, str, list[str]]]:
    """Return (typology, score, band, rules that gave points) of each typology of a decision at review or above."""
    trace: dict[str, Any] = decision.trace
    out = []
    for t in trace.get("typologies", []):
        if t["band"] == Band.NONE.value:
            continue
        rules = sorted(
            r["rule"]
            for r in trace.get("rules", [])
            if r["typology"] == t["typology"] and r["status"] == "fired" and r["weight"]
        )
        out.append((t["typology"], int(t["score"]), t["band"], rules))
    return out


def _higher(a: str, b: str) -> str:
    return a if Band(a).rank >= Band(b).rank else b


def _silencing(rows: list[RiskSnooze], tenant: str | None) -> list[Snooze]:
    return [Snooze(r.rule, r.pivot_kind, r.pivot_key, r.until) for r in rows if r.tenant == tenant]


@dataclass(slots=True)
class _Batch:
    """What one batch reads once: the snoozes on its pivots and the open cases by open key."""

    snoozes: list[RiskSnooze]
    open: dict[str, RiskCase | None] = field(default_factory=dict)


def _pivots(decision: RiskDecision) -> dict[str, tuple[PivotKind, str]]:
    return {
        typology: choose_pivot(typology, decision.subjects, rules) or (PivotKind.ENTERPRISE, "unknown")
        for typology, _, _, rules in _alerts(decision)
    }


def attach(session: Session, decision: RiskDecision, now: datetime, report: dict[str, int], batch: _Batch) -> None:
    """Store the alerts of one decision and put each in the open case of its pivot (opening one if none)."""
    pivots = _pivots(decision)
    silencing = _silencing(batch.snoozes, decision.tenant)
    for typology, score, band, rules in _alerts(decision):
        kind, key = pivots[typology]
        snoozed = is_snoozed(rules, (kind.value, key), silencing, now)
        row = RiskCaseAlert(
            decision_id=decision.id,
            typology=typology,
            case_id=None,
            tenant=decision.tenant,
            pivot_kind=kind.value,
            pivot_key=key,
            rules=rules,
            score=score,
            band=band,
            eport_no=decision.eport_no,
            business_day=decision.business_day,
            snoozed=snoozed,
            outcome=None,
            created_at=now,
        )
        report["alerts"] += 1
        if snoozed:
            report["snoozed"] += 1
            session.add(row)
            continue
        wanted = open_key(decision.tenant, kind.value, key)
        if wanted not in batch.open:
            batch.open[wanted] = repo.open_case(session, wanted)
        case = batch.open[wanted]
        if case is None:
            case = RiskCase(
                tenant=decision.tenant,
                pivot_kind=kind.value,
                pivot_key=key,
                open_key=wanted,
                state=CaseState.OPEN.value,
                score=score,
                band=band,
                typologies=[typology],
                alerts=0,
                opened_at=now,
                updated_at=now,
            )
            session.add(case)
            session.flush()  # its id, for the alert
            batch.open[wanted] = case
            report["opened"] += 1
        else:
            report["joined"] += 1
        case.score = max(case.score, score)
        case.band = _higher(case.band, band)
        if typology not in case.typologies:
            case.typologies = sorted({*case.typologies, typology})
        case.alerts += 1
        case.updated_at = now
        row.case_id = case.id
        session.add(row)


def gather(ctx: Context, *, batch: int = 500) -> GatherReport:
    """Store every alert not stored yet and file it into its pivot's case, batch by batch."""
    report = {"alerts": 0, "snoozed": 0, "opened": 0, "joined": 0}
    while True:
        with ctx.uow() as uow:
            session = uow.session
            found = repo.unlinked(session, batch)
            now = ctx.clock.now()
            pivots = {(k.value, key) for d in found for k, key in _pivots(d).values()}
            keys = {open_key(d.tenant, k.value, key) for d in found for k, key in _pivots(d).values()}
            read = _Batch(repo.snoozes_on(session, pivots), dict.fromkeys(keys))
            read.open.update(repo.open_cases(session, keys))
            for decision in found:
                attach(session, decision, now, report, read)
            uow.commit()
        if len(found) < batch:
            return GatherReport(**report)
