"""List management on the console (名单管理): an officer adds a list entry, ends one early or corrects one.

Every change is a new ``list_entry`` fact (an end or a correction supersedes the entry: nothing is updated in place)
kept with a ``credit_list_request`` row. On a **serious list** (the catalogue in force says so; no catalogue: every
list is treated as serious) the change counts only once a **second officer** confirms it — compared by account
(``CRD-MAKER-CHECKER``), as overrides and repairs are; on another list it is recorded at once. The measures follow
the entry (``sync_measures``, in the same transaction). An agency officer changes only entries of its own source
(``CRD-SOURCE-SCOPE``). A person is named by ID number only to find its keyed hash: the request keeps the subject.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.scope import EVERYTHING, Scope
from cbec.credit import lists_repository as lists_repo
from cbec.credit import repository as repo
from cbec.credit.errors import CreditConflict, CreditForbidden, CreditInvalid, CreditNotFound, problem
from cbec.credit.evidence import EvidenceFile
from cbec.credit.models import CreditFact, CreditListRequest, CreditSubject
from cbec.credit.repair import Change, check_note, maker_checker
from cbec.credit.rules import NEGATIVE, FactDraft, FactType, dedupe_key, parse_fact
from cbec.credit.schemas import (
    DecisionIn,
    ListCorrectionIn,
    ListEndIn,
    ListEntryIn,
    ListEntryRead,
    ListRequestRead,
)
from cbec.credit.service.config import configuration
from cbec.credit.service.evidence import accept_file, keep_file
from cbec.credit.service.facts import plan_fact, resolve_subject, subject_label, write_fact
from cbec.credit.service.lists import sync_measures
from cbec.credit.service.repair import bad_action, refuse_status
from cbec.credit.service.sharing import share
from cbec.storage.context import Context

PENDING, RECORDED, REJECTED = "pending", "recorded", "rejected"
STATUSES = (PENDING, RECORDED, REJECTED)
FIELDS = (
    "list_type",
    "source",
    "severity",
    "legal_basis",
    "document_no",
    "decided_on",
    "valid_from",
    "valid_to",
    "evidence_sha256",
    "note",
    "subject_name",
    "supersedes",
)


def request_read(row: CreditListRequest, subject: CreditSubject) -> ListRequestRead:
    """Return the output shape of a list request."""
    return ListRequestRead(
        id=row.id,
        action=row.action,
        status=row.status,
        subject=subject_label(subject),
        list_type=row.list_type,
        serious=row.serious,
        target_fact_id=row.target_fact_id,
        payload=dict(row.payload),
        reason=row.reason,
        proposed_by=row.proposed_by,
        proposed_by_account=row.proposed_by_account,
        proposed_at=row.proposed_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
        fact_id=row.fact_id,
    )


def _source_scope(source: str, sources: frozenset[str] | None) -> None:
    if sources is not None and source not in sources:
        raise CreditForbidden(
            f"the caller changes entries of {sorted(sources)} only",
            problems=[
                problem(
                    "CRD-SOURCE-SCOPE",
                    "source",
                    "只能管理本部门认定的名单",
                    "an agency manages only the entries it decided",
                    "Ask the zone office or the listing agency.",
                )
            ],
        )


def _negative(draft: FactDraft) -> list[Problem]:
    if draft.severity in NEGATIVE:
        return []
    return [
        problem(
            "CRD-SEVERITY",
            "severity",
            "名单条目须为轻微、一般或严重失信",
            "a list entry is minor, general or serious",
            "Use minor, general or serious.",
        )
    ]


def _serious(session: Session, list_type: str, today: date) -> bool:
    """Tell whether a list is serious (严重失信主体名单) in the catalogue in force; with no catalogue, every list is."""
    catalogue = configuration(session).lists_on(today)
    listed = catalogue.lists.get(list_type) if catalogue is not None else None
    return listed.serious if listed is not None else True


def _raw(payload: dict[str, Any]) -> dict[str, str]:
    values = {k: "" if v is None else str(v) for k, v in payload.items()}
    values["fact_type"] = FactType.LIST_ENTRY.value
    return values


def _planned(session: Session, payload: dict[str, Any], today: date, subject: CreditSubject | None = None) -> Any:
    """Check a request's fact (its subject already resolved) against the rules and the configuration in force."""
    draft, problems = parse_fact(_raw(payload), today=today, resolved=True)
    if draft is not None:
        problems = _negative(draft)
    if draft is None or problems:
        raise CreditInvalid("the list entry breaks the rules", problems=problems)
    planned, problems = plan_fact(session, draft, configuration(session))
    if planned is None:
        raise CreditInvalid("the list entry breaks the rules", problems=problems)
    if subject is not None:
        key = dedupe_key(draft, subject.person_key or subject_label(subject))
        if key is not None and repo.fact_by_dedupe_key(session, key) is not None:
            raise CreditInvalid(
                "the entry is already recorded",
                problems=[
                    problem(
                        "CRD-DUPLICATE",
                        "document_no",
                        "该决定已登记",
                        f"already recorded: {key}",
                        "Correct the recorded entry instead.",
                    )
                ],
            )
    return planned


def _entry(session: Session, fact_id: int, scope: Scope) -> tuple[CreditFact, CreditSubject]:
    """Return a current list entry in the caller's scope (else not found / CRD-LIST-ENTRY)."""
    fact = repo.fact_by_id(session, fact_id)
    subject = repo.subject_by_id(session, fact.subject_id) if fact is not None else None
    if (
        fact is None
        or subject is None
        or fact.fact_type != FactType.LIST_ENTRY.value
        or not repo.admits(scope, subject)
    ):
        raise CreditNotFound(
            f"no list entry {fact_id}",
            problems=[
                problem("CRD-LIST-ENTRY", "fact_id", "无此名单条目", f"no list entry {fact_id}", "Check the id.")
            ],
        )
    if fact.retracted or repo.superseded(session, fact.id):
        raise CreditConflict(
            f"list entry {fact_id} was corrected or withdrawn",
            problems=[
                problem(
                    "CRD-LIST-ENTRY",
                    "fact_id",
                    "该条目已被更正、结束或撤回",
                    f"list entry {fact_id} was corrected, ended or withdrawn",
                    "Change the current row of the entry.",
                )
            ],
        )
    return fact, subject


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text or len(text) > 2000:
        raise CreditInvalid(
            "the change needs a reason",
            problems=[
                problem(
                    "CRD-LIST-REASON",
                    "reason",
                    "须说明理由（至多2000字）",
                    "a reason is required (≤ 2,000)",
                    "Say why.",
                )
            ],
        )
    return text


def _open(session: Session, fact_id: int) -> None:
    held = lists_repo.pending_on_entry(session, fact_id)
    if held is not None:
        raise CreditConflict(
            f"request {held.id} on entry {fact_id} waits for a second officer",
            problems=[
                problem(
                    "CRD-LIST-OPEN",
                    "fact_id",
                    f"该条目已有待复核的变更（{held.id}）",
                    f"request {held.id} on this entry waits for a second officer",
                    "Confirm or reject it first.",
                )
            ],
        )


def _of(fact: CreditFact) -> dict[str, Any]:
    """Return the fields of a recorded entry as a request's payload."""
    return {
        "list_type": fact.list_type,
        "source": fact.source,
        "severity": fact.severity,
        "legal_basis": fact.legal_basis,
        "document_no": fact.document_no,
        "decided_on": fact.decided_on.isoformat(),
        "valid_from": fact.valid_from.isoformat(),
        "valid_to": fact.valid_to.isoformat() if fact.valid_to else None,
        "evidence_sha256": fact.evidence_sha256,
    }


def _keep(
    ctx: Context,
    session: Session,
    file: EvidenceFile | None,
    subject: CreditSubject,
    request_id: int,
    actor: str,
    now: datetime,
) -> None:
    """Keep the file sent with a list change (purpose ``list``, by the request's id), encrypted."""
    if file is not None:
        keep_file(
            session, ctx.cipher, file, subject_id=subject.id, purpose="list", reference=request_id, actor=actor, now=now
        )


def _propose(
    ctx: Context,
    session: Session,
    *,
    action: str,
    subject: CreditSubject,
    payload: dict[str, Any],
    target: CreditFact | None,
    serious: bool,
    reason: str | None,
    actor: str,
    account: int | None,
    now: datetime,
) -> ListRequestRead:
    row = repo.add_row(
        session,
        CreditListRequest(
            action=action,
            status=PENDING,
            subject_id=subject.id,
            list_type=str(payload["list_type"]),
            serious=serious,
            target_fact_id=target.id if target is not None else None,
            payload={k: payload.get(k) for k in FIELDS if payload.get(k) not in (None, "")},
            reason=reason,
            proposed_by=actor,
            proposed_by_account=account,
            proposed_at=now,
        ),
    )
    _audit(session, row, subject, actor, "credit.list.proposed", now)
    if serious:
        share(ctx, session, Change.LIST_PROPOSED, subject, target, reference=row.id, on=business_date(now))
    else:
        _record(ctx, session, row, subject, actor=actor, account=account, now=now, note=None)
    return request_read(row, subject)


def _record(
    ctx: Context,
    session: Session,
    row: CreditListRequest,
    subject: CreditSubject,
    *,
    actor: str,
    account: int | None,
    now: datetime,
    note: str | None,
) -> None:
    """Write the request's fact (the proposer records it; the confirming officer is in the audit) and its measures."""
    today = business_date(now)
    if row.target_fact_id is not None:
        _entry(session, row.target_fact_id, EVERYTHING)  # still the current row
    planned = _planned(session, dict(row.payload), today, subject if row.action == "add" else None)
    detail: dict[str, Any] = {"list_request": row.id, "action": row.action}
    if row.reason:
        detail["reason"] = row.reason
    fact = write_fact(session, planned, subject, actor=row.proposed_by, now=now, detail=detail)
    row.status, row.fact_id, row.decision_note = RECORDED, fact.id, note
    if row.serious:
        row.decided_by, row.decided_by_account, row.decided_at = actor, account, now
    session.flush()
    sync_measures(ctx, session, now=now, actor=actor, subject_ids={subject.id})
    _audit(session, row, subject, actor, "credit.list.recorded", now)
    share(ctx, session, Change.LIST_RECORDED, subject, fact, reference=row.id, on=today, new_fact_id=fact.id)


def add_list_entry(
    ctx: Context,
    data: ListEntryIn,
    *,
    actor: str,
    account: int | None = None,
    scope: Scope = EVERYTHING,
    sources: frozenset[str] | None = None,
) -> ListRequestRead:
    """Add a list entry: recorded at once on a list that is not serious, else pending a second officer."""
    now = ctx.clock.now()
    today = business_date(now)
    file = accept_file(data.evidence_file, data.evidence_sha256)  # the digest kept is the file's own
    if file is not None:
        data = data.model_copy(update={"evidence_sha256": file.sha256, "evidence_file": None})
    raw = data.raw()
    draft, problems = parse_fact(raw, today=today)
    if draft is not None:
        problems = _negative(draft)
    if draft is None or problems:
        raise CreditInvalid("the list entry breaks the rules", problems=problems)
    _source_scope(draft.source.value, sources)
    payload: dict[str, Any] = {k: raw.get(k) for k in FIELDS}
    if draft.person_id is not None:
        payload.pop("subject_name", None)
    with ctx.uow() as uow:
        session = uow.session
        subject, _ = resolve_subject(session, draft, ctx.cipher, now, scope)
        _planned(session, payload, today, subject)
        list_type = draft.list_type.value if draft.list_type else ""
        result = _propose(
            ctx,
            session,
            action="add",
            subject=subject,
            payload=payload,
            target=None,
            serious=_serious(session, list_type, today),
            reason=None,
            actor=actor,
            account=account,
            now=now,
        )
        _keep(ctx, session, file, subject, result.id, actor, now)
        uow.commit()
    return result


def end_list_entry(
    ctx: Context,
    fact_id: int,
    data: ListEndIn,
    *,
    actor: str,
    account: int | None = None,
    scope: Scope = EVERYTHING,
    sources: frozenset[str] | None = None,
) -> ListRequestRead:
    """End an entry early: a new row superseding it, valid until the day given (exclusive)."""
    now = ctx.clock.now()
    today = business_date(now)
    reason = _reason(data.reason)
    with ctx.uow() as uow:
        session = uow.session
        fact, subject = _entry(session, fact_id, scope)
        _source_scope(fact.source, sources)
        if data.ends_on <= fact.valid_from or (fact.valid_to is not None and data.ends_on >= fact.valid_to):
            raise CreditInvalid(
                "the end lies outside the entry",
                problems=[
                    problem(
                        "CRD-LIST-END",
                        "ends_on",
                        f"结束日期须晚于 {fact.valid_from} 且早于原截止日期",
                        f"ends_on must be after {fact.valid_from} and before the entry's end ({fact.valid_to or '—'})",
                        "Give the first day the entry no longer holds.",
                    )
                ],
            )
        _open(session, fact.id)
        payload = {**_of(fact), "valid_to": data.ends_on.isoformat(), "note": reason, "supersedes": fact.id}
        _planned(session, payload, today)
        result = _propose(
            ctx,
            session,
            action="end",
            subject=subject,
            payload=payload,
            target=fact,
            serious=_serious(session, fact.list_type or "", today),
            reason=reason,
            actor=actor,
            account=account,
            now=now,
        )
        uow.commit()
    return result


def correct_list_entry(
    ctx: Context,
    fact_id: int,
    data: ListCorrectionIn,
    *,
    actor: str,
    account: int | None = None,
    scope: Scope = EVERYTHING,
    sources: frozenset[str] | None = None,
) -> ListRequestRead:
    """Correct an entry: a new row superseding it with the new content (the subject stays the entry's)."""
    now = ctx.clock.now()
    today = business_date(now)
    reason = _reason(data.reason)
    file = accept_file(data.evidence_file, data.evidence_sha256)  # the digest kept is the file's own
    if file is not None:
        data = data.model_copy(update={"evidence_sha256": file.sha256, "evidence_file": None})
    with ctx.uow() as uow:
        session = uow.session
        fact, subject = _entry(session, fact_id, scope)
        _source_scope(fact.source, sources)
        _source_scope(data.source, sources)
        _open(session, fact.id)
        payload = {
            **data.model_dump(exclude={"reason", "evidence_file"}),
            "note": reason,
            "supersedes": fact.id,
        }
        _planned(session, payload, today)
        serious = _serious(session, fact.list_type or "", today) or _serious(session, data.list_type, today)
        result = _propose(
            ctx,
            session,
            action="correct",
            subject=subject,
            payload=payload,
            target=fact,
            serious=serious,
            reason=reason,
            actor=actor,
            account=account,
            now=now,
        )
        _keep(ctx, session, file, subject, result.id, actor, now)
        uow.commit()
    return result


def decide_list_request(
    ctx: Context,
    request_id: int,
    decision: DecisionIn,
    *,
    actor: str,
    account: int | None = None,
    scope: Scope = EVERYTHING,
    sources: frozenset[str] | None = None,
) -> ListRequestRead:
    """A second officer ``confirm``s a pending change (it is recorded) or ``reject``s it with a note."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        row = lists_repo.list_request(session, request_id)
        subject = repo.subject_by_id(session, row.subject_id) if row is not None else None
        if row is None or subject is None or not repo.admits(scope, subject):
            raise CreditNotFound(
                f"no list request {request_id}",
                problems=[
                    problem("CRD-LIST-REQUEST", "id", "无此名单变更", f"no list request {request_id}", "Check the id.")
                ],
            )
        if decision.action not in ("confirm", "reject"):
            raise bad_action(decision.action, ("confirm", "reject"))
        if row.status != PENDING:
            raise refuse_status("list request", row.status, PENDING)
        _source_scope(str(row.payload.get("source", "")), sources)
        problems = check_note(decision.note, required=decision.action == "reject")
        if problems:
            raise CreditInvalid("the decision breaks the rules", problems=problems)
        note = (decision.note or "").strip() or None
        if decision.action == "confirm":
            checker = maker_checker(
                actor,
                applicant=None,
                maker=row.proposed_by,
                what="list change",
                account=account,
                maker_account=row.proposed_by_account,
            )
            if checker:
                raise CreditForbidden("maker-checker: another officer confirms", problems=checker)
            _record(ctx, session, row, subject, actor=actor, account=account, now=now, note=note)
        else:
            row.status, row.decision_note = REJECTED, note
            row.decided_by, row.decided_by_account, row.decided_at = actor, account, now
            session.flush()
            _audit(session, row, subject, actor, "credit.list.rejected", now)
            share(ctx, session, Change.LIST_REJECTED, subject, None, reference=row.id, on=business_date(now))
        result = request_read(row, subject)
        uow.commit()
    return result


def list_list_requests(
    ctx: Context, *, status: str | None = None, scope: Scope = EVERYTHING, limit: int = 200
) -> list[ListRequestRead]:
    """Return the list requests of a scope (of a status), newest first."""
    if status is not None and status not in STATUSES:
        raise CreditInvalid(
            f"unknown status {status!r}",
            problems=[problem("CRD-STATUS", "status", "未知状态", f"unknown status {status!r}", f"One of {STATUSES}.")],
        )
    with ctx.uow() as uow:
        found = lists_repo.list_requests(uow.session, [status] if status else None, scope, limit)
        return [request_read(row, subject) for row, subject in found]


def list_entry(ctx: Context, fact_id: int, *, scope: Scope = EVERYTHING) -> ListEntryRead:
    """Return one current list entry of the caller's scope, with its open measures (to end or correct it)."""
    with ctx.uow() as uow:
        session = uow.session
        fact, subject = _entry(session, fact_id, scope)
        codes = [m.measure_code for m in lists_repo.applied_on_facts(session, [fact.id]) if m.ended_on is None]
        return ListEntryRead(
            fact_id=fact.id,
            subject=subject_label(subject),
            name=subject.name if subject.person_key is None else None,
            kind=subject.kind,
            list_type=fact.list_type,
            source=fact.source,
            severity=fact.severity,
            legal_basis=fact.legal_basis,
            document_no=fact.document_no,
            decided_on=fact.decided_on,
            valid_from=fact.valid_from,
            valid_to=fact.valid_to,
            publish_max_until=fact.publish_max_until,
            measures=codes,
        )


def _audit(
    session: Session, row: CreditListRequest, subject: CreditSubject, actor: str, action: str, now: datetime
) -> None:
    record_audit(
        session,
        at=now,
        actor=actor,
        action=action,
        entity_type="credit_list_request",
        entity_key=str(row.id),
        reason=row.reason or row.decision_note,
        after={
            "subject": subject_label(subject),
            "action": row.action,
            "list_type": row.list_type,
            "serious": row.serious,
            "entry": row.target_fact_id,
            "fact": row.fact_id,
            "status": row.status,
        },
    )


__all__ = [
    "add_list_entry",
    "correct_list_entry",
    "decide_list_request",
    "end_list_entry",
    "list_entry",
    "list_list_requests",
    "request_read",
]
