"""Use cases of third-party evaluation (第三方信用评价): import signed reports, list them, review disagreements.

An import is all or none: every report's fields, its agency on the accredited list in force, its signature and
certificate, its subject and its windows are checked, and every problem is reported (``reports[N].field``). Each
report becomes a ``third_party_rating`` fact (source ``third_party``; the ruleset's third-party modifiers cap what it
adds) and a ``credit_thirdparty_report`` row with the report as signed. When the agency's grade, mapped to the zone's
levels, lies more than one notch from the zone's own level of the subject on the import day (rated without any
third-party rating), a review task opens; an officer keeps the report or withdraws its fact (a new row), with a note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.scope import EVERYTHING, Scope, require_whole
from cbec.credit import repository as repo
from cbec.credit.errors import CreditForbidden, CreditInvalid, CreditNotFound, problem
from cbec.credit.models import CreditReviewTask, CreditSubject, CreditThirdPartyReport
from cbec.credit.rating import rate
from cbec.credit.repair import Change, check_note
from cbec.credit.rules import FactDraft, FactType, Severity, Source
from cbec.credit.schemas import (
    DecisionIn,
    ReviewTaskRead,
    ThirdPartyImportReport,
    ThirdPartyReportRead,
)
from cbec.credit.service.config import configuration, missing
from cbec.credit.service.facts import Planned, plan_fact, resolve_subject, subject_label, write_fact
from cbec.credit.service.rating import override_of, ruleset_on
from cbec.credit.service.repair import bad_action, fact_state, refuse_status, successor
from cbec.credit.service.sharing import share
from cbec.credit.thirdparty import (
    Report,
    Signed,
    check_against_list,
    check_signature,
    notches,
    parse_report,
    severity_of,
)
from cbec.storage.context import Context

DECISIONS = ("keep", "withdraw")


@dataclass(frozen=True, slots=True)
class _Checked:
    report: Report
    raw: Mapping[str, Any]
    signed: Signed
    level: str
    planned: Planned
    subject: CreditSubject


def review_read(task: CreditReviewTask, subject: CreditSubject) -> ReviewTaskRead:
    """Return the output shape of a review task."""
    return ReviewTaskRead(
        id=task.id,
        report_id=task.report_id,
        subject=subject_label(subject),
        status=task.status,
        agency_level=task.agency_level,
        zone_level=task.zone_level,
        notches=task.notches,
        opened_at=task.opened_at,
        decision=task.decision,
        decision_note=task.decision_note,
        decided_by=task.decided_by,
        decided_at=task.decided_at,
    )


def report_read(
    row: CreditThirdPartyReport, subject: CreditSubject, task: CreditReviewTask | None
) -> ThirdPartyReportRead:
    """Return the output shape of an imported report."""
    return ThirdPartyReportRead(
        id=row.id,
        agency=row.agency_code,
        accreditation=row.accreditation,
        method=row.method_ref,
        subject=subject_label(subject),
        report_no=row.report_no,
        grade=row.grade,
        level=row.level,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        algorithm=row.algorithm,
        certificate_sha256=row.certificate_sha256,
        fact_id=row.fact_id,
        imported_at=row.imported_at,
        imported_by=row.imported_by,
        review=review_read(task, subject) if task is not None else None,
    )


def _draft(report: Report, level: str, levels: Sequence[str]) -> FactDraft:
    return FactDraft(
        subject_code=report.subject,
        person_id=None,
        fact_type=FactType.THIRD_PARTY_RATING,
        severity=Severity(severity_of(level, levels)),
        source=Source.THIRD_PARTY,
        decided_on=report.issued_on,
        valid_from=report.valid_from,
        valid_to=report.valid_to,
        grade=report.grade,
        legal_basis=f"{report.agency} {report.accreditation}: {report.method}"[:1000],
        document_no=f"{report.agency}/{report.report_no}"[:100],
        note=f"third-party report {report.report_no} ({report.method})"[:1000],
    )


def zone_level(session: Session, subject: CreditSubject, on: date) -> str:
    """Return the zone's own level of a subject on a day, rated without any third-party rating."""
    views = [
        v
        for v in repo.fact_views_known(session, None, subject.id).get(subject.id, [])
        if v.fact_type != FactType.THIRD_PARTY_RATING.value
    ]
    overrides = repo.overrides_known(session, [subject.id], None).get(subject.id, [])
    return rate(views, ruleset_on(session, on), on, [override_of(o) for o in overrides]).level


def import_reports(
    ctx: Context,
    items: Sequence[Any],
    *,
    actor: str,
    scope: Scope = EVERYTHING,
    sources: frozenset[str] | None = None,
) -> ThirdPartyImportReport:
    """Import signed third-party reports, all or none, every problem reported; open the disagreement reviews."""
    require_whole(scope, "导入第三方信用评价", "importing third-party reports")
    if sources is not None and Source.THIRD_PARTY.value not in sources:
        raise CreditForbidden(
            "third-party reports are the zone office's",
            problems=[
                problem(
                    "CRD-SOURCE-SCOPE",
                    "source",
                    "只能登记本部门认定的事实",
                    "an agency records only the facts it decided",
                    "The zone office imports third-party reports.",
                )
            ],
        )
    now = ctx.clock.now()
    today = business_date(now)
    problems: list[Problem] = []
    if not items:
        problems.append(problem("CRD-EMPTY", "reports", "没有报告", "no reports", "Give at least one report."))
    with ctx.uow() as uow:
        session = uow.session
        config = configuration(session)
        agencies = config.agencies_on(today)
        if agencies is None:
            raise missing("agencies")
        levels = ruleset_on(session, today).levels
        checked: list[_Checked] = []
        seen: dict[tuple[str, str], int] = {}
        for index, item in enumerate(items):
            prefix = f"reports[{index}]."
            raw = item.get("report") if isinstance(item, Mapping) else None
            report, found = parse_report(raw, today=today, prefix=prefix)
            problems.extend(found)
            if report is None or raw is None:
                continue
            level, found = check_against_list(report, agencies, prefix)
            problems.extend(found)
            signed, found = check_signature(raw, item.get("signature"), agencies.agency(report.agency), now, prefix)
            problems.extend(found)
            key = (report.agency, report.report_no)
            if key in seen or repo.report_by_number(session, *key) is not None:
                problems.append(
                    problem(
                        "CRD-TP-DUPLICATE",
                        prefix + "report_no",
                        f"报告已导入: {report.report_no}" if key not in seen else f"与第{seen[key]}份报告重复",
                        "the report is imported already" if key not in seen else f"the same as report {seen[key]}",
                        "Import each report once.",
                    )
                )
            seen.setdefault(key, index)
            if level is None or signed is None:
                continue
            draft = _draft(report, level, levels)
            planned, found = plan_fact(session, draft, config, prefix)
            problems.extend(found)
            if planned is None:
                continue
            try:
                subject, _ = resolve_subject(session, draft, ctx.cipher, now, scope)
            except CreditNotFound:
                problems.append(
                    problem("CRD-SUBJECT-UNKNOWN", prefix + "subject", "无此信用主体", "no such subject", "Check it.")
                )
                continue
            checked.append(_Checked(report, raw, signed, level, planned, subject))
        if problems:
            raise CreditInvalid(f"{len(problems)} problem(s) in the reports; nothing was imported", problems=problems)
        reports: list[ThirdPartyReportRead] = []
        opened = 0
        for c in checked:
            fact = write_fact(session, c.planned, c.subject, actor=actor, now=now)
            row = repo.add_row(
                session,
                CreditThirdPartyReport(
                    agency_code=c.report.agency,
                    accreditation=c.report.accreditation,
                    method_ref=c.report.method,
                    subject_id=c.subject.id,
                    report_no=c.report.report_no,
                    grade=c.report.grade,
                    level=c.level,
                    valid_from=c.report.valid_from,
                    valid_to=c.report.valid_to,
                    algorithm=c.signed.algorithm,
                    certificate_sha256=c.signed.certificate_sha256,
                    signature=c.signed.value,
                    document=dict(c.raw),
                    fact_id=fact.id,
                    imported_at=now,
                    imported_by=actor,
                ),
            )
            own = zone_level(session, c.subject, today)
            apart = notches(levels, own, c.level)
            task = None
            if apart > 1:
                task = repo.add_row(
                    session,
                    CreditReviewTask(
                        report_id=row.id,
                        subject_id=c.subject.id,
                        status="open",
                        agency_level=c.level,
                        zone_level=own,
                        notches=apart,
                        opened_at=now,
                    ),
                )
                opened += 1
            record_audit(
                session,
                at=now,
                actor=actor,
                action="credit.thirdparty.imported",
                entity_type="credit_subject",
                entity_key=subject_label(c.subject),
                after={
                    "report": row.id,
                    "agency": row.agency_code,
                    "report_no": row.report_no,
                    "grade": row.grade,
                    "fact": fact.id,
                    "certificate_sha256": row.certificate_sha256,
                    "review": task.id if task is not None else None,
                },
            )
            share(ctx, session, Change.THIRDPARTY_RECORDED, c.subject, fact, reference=row.id, on=today)
            reports.append(report_read(row, c.subject, task))
        uow.commit()
    return ThirdPartyImportReport(reports=reports, reviews_opened=opened)


def list_reports(ctx: Context, *, scope: Scope = EVERYTHING) -> list[ThirdPartyReportRead]:
    """Return the imported reports in a scope, newest first, each with its review task."""
    with ctx.uow() as uow:
        session = uow.session
        tasks = {t.report_id: t for t, _ in repo.review_tasks(session, None, scope)}
        return [report_read(r, s, tasks.get(r.id)) for r, s in repo.thirdparty_reports(session, scope)]


def list_reviews(ctx: Context, *, status: str | None = None, scope: Scope = EVERYTHING) -> list[ReviewTaskRead]:
    """Return the disagreement review tasks in a scope (open or closed), oldest first."""
    with ctx.uow() as uow:
        return [review_read(t, s) for t, s in repo.review_tasks(uow.session, [status] if status else None, scope)]


def decide_review(
    ctx: Context,
    task_id: int,
    decision: DecisionIn,
    *,
    actor: str,
    scope: Scope = EVERYTHING,
    sources: frozenset[str] | None = None,
) -> ReviewTaskRead:
    """Close a review task: ``keep`` the report's fact or ``withdraw`` it (a new row retracts it), with a note."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        task = session.get(CreditReviewTask, task_id)
        subject = repo.subject_by_id(session, task.subject_id) if task is not None else None
        if task is None or subject is None or not repo.admits(scope, subject):
            raise CreditNotFound(f"no review task {task_id}")
        if sources is not None and Source.THIRD_PARTY.value not in sources:
            raise CreditForbidden(
                "third-party reports are the zone office's",
                problems=[
                    problem(
                        "CRD-SOURCE-SCOPE",
                        "source",
                        "只能处理本部门认定的事实",
                        "an agency decides only on the facts it decided",
                        "The zone office reviews third-party reports.",
                    )
                ],
            )
        if decision.action not in DECISIONS:
            raise bad_action(decision.action, DECISIONS)
        if task.status != "open":
            raise refuse_status("review task", task.status, "open")
        problems = check_note(decision.note, required=True)
        if problems:
            raise CreditInvalid("the decision breaks the rules", problems=problems)
        report = session.get(CreditThirdPartyReport, task.report_id)
        assert report is not None
        if decision.action == "withdraw":
            fact = repo.fact_by_id(session, report.fact_id)
            assert fact is not None
            if fact_state(session, fact).current:
                detail = {**(fact.detail or {}), "review": task.id}
                note = (decision.note or "").strip()
                withdrawal = repo.add_fact(
                    session, **successor(fact, actor=actor, now=now, retracted=True, detail=detail, note=note)
                )
                task.result_fact_id = withdrawal.id
        task.status, task.decision = "closed", decision.action
        task.decision_note = (decision.note or "").strip()
        task.decided_by, task.decided_at = actor, now
        session.flush()
        record_audit(
            session,
            at=now,
            actor=actor,
            action=f"credit.thirdparty.review.{decision.action}",
            entity_type="credit_subject",
            entity_key=subject_label(subject),
            reason=task.decision_note,
            after={"task": task.id, "report": task.report_id, "result_fact": task.result_fact_id},
        )
        fact = repo.fact_by_id(session, report.fact_id)
        change = Change.THIRDPARTY_WITHDRAWN if decision.action == "withdraw" else Change.THIRDPARTY_KEPT
        share(
            ctx, session, change, subject, fact, reference=report.id, on=business_date(now),
            new_fact_id=task.result_fact_id,
        )  # fmt: skip
        result = review_read(task, subject)
        uow.commit()
    return result
