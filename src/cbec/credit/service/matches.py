"""Recording a confirmed screening match (筛查确认登记): the list entry becomes a fact about the screened enterprise.

A confirmed alert says the screened enterprise is the listed one. A **second officer** (another account than the
one who confirmed: maker-checker) records it: a new ``list_entry`` fact about the screened enterprise with the
entry's list, source, severity, legal basis, document number, decision date and validity (its windows computed from
the same decision date), ``detail`` naming the alert and the matched entry, and the catalogue measures applied at
once (``sync_measures``). The alert keeps the fact's id, who recorded it and when. Refused: an alert not confirmed
(``CRD-STATUS``), recorded already (``CRD-ALERT-RECORDED``), an entry no longer current (``CRD-ALERT-ENTRY``), an
entry already about the same enterprise (``CRD-ALERT-SAME``), the confirming officer (``CRD-MAKER-CHECKER``), an
agency's officer for another source's entry (``CRD-SOURCE-SCOPE``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.credit import lists_repository as lists_repo
from cbec.credit import repository as repo
from cbec.credit.errors import CreditConflict, CreditForbidden, problem
from cbec.credit.models import CreditScreenAlert
from cbec.credit.repair import maker_checker
from cbec.credit.rules import FactDraft, FactType, ListType, Severity, Source, dedupe_key
from cbec.credit.service.config import configuration, missing
from cbec.credit.service.facts import plan_fact, subject_label, write_fact
from cbec.credit.service.lists import sync_measures
from cbec.storage.context import Context


def _conflict(rule: str, zh: str, en: str, hint: str) -> CreditConflict:
    return CreditConflict(en, problems=[problem(rule, "action", zh, en, hint)])


def record_match(
    ctx: Context,
    session: Session,
    row: CreditScreenAlert,
    *,
    actor: str,
    now: datetime,
    account: int | None,
    sources: frozenset[str] | None,
) -> int:
    """Record a confirmed alert's entry about the screened enterprise, in the caller's transaction; return the fact."""
    if row.state != "confirmed":
        raise _conflict("CRD-STATUS", "只能登记已确认的预警", f"the alert is {row.state}", "Confirm it first.")
    if row.recorded_fact_id is not None:
        raise _conflict(
            "CRD-ALERT-RECORDED", "该预警已登记", "the match is recorded already", f"See fact {row.recorded_fact_id}."
        )
    problems = maker_checker(
        actor, applicant=None, maker=row.reviewer, what="match", account=account, maker_account=row.reviewer_account
    )
    if problems:
        raise CreditForbidden("maker-checker: another officer records the match", problems=problems)
    entry, listed = lists_repo.facts_by_id(session, [row.fact_id])[row.fact_id]
    if sources is not None and entry.source not in sources:
        raise CreditForbidden(
            "an agency records its own source's entries",
            problems=[
                problem(
                    "CRD-SOURCE-SCOPE",
                    "action",
                    "只能登记本部门认定的名单",
                    f"the entry is {entry.source}'s",
                    "The listing agency or the zone office records it.",
                )
            ],
        )
    if repo.superseded(session, entry.id) or entry.retracted:
        raise _conflict(
            "CRD-ALERT-ENTRY", "名单条目已更正或撤销", "the list entry is no longer current", "Screen again."
        )
    code = row.subject_code
    subject = repo.ensure_enterprise(
        session,
        uscc=code if len(code) == 18 else None,
        customs_code=row.customs_code or (code if len(code) != 18 else None),
        name=row.subject_name,
        tenant=row.tenant,
        now=now,
    )
    if subject.id == listed.id:
        raise _conflict(
            "CRD-ALERT-SAME", "该名单条目已是本企业的", "the entry is about this enterprise already", "Nothing to do."
        )
    draft = FactDraft(
        subject_code=code,
        person_id=None,
        fact_type=FactType.LIST_ENTRY,
        severity=Severity(entry.severity),
        source=Source(entry.source),
        decided_on=entry.decided_on,
        valid_from=entry.valid_from,
        valid_to=entry.valid_to,
        list_type=ListType(entry.list_type) if entry.list_type else None,
        legal_basis=entry.legal_basis,
        document_no=entry.document_no,
        note=f"名单筛查确认为同一主体（预警 {row.id}） / screening match (alert {row.id}) of entry {entry.id}",
    )
    key = dedupe_key(draft, subject_label(subject))
    if key is not None and repo.fact_by_dedupe_key(session, key) is not None:
        raise _conflict(
            "CRD-DUPLICATE", "该决定已登记于本企业", "this decision is recorded about the enterprise already", "—"
        )
    planned, found = plan_fact(session, draft, configuration(session))
    if planned is None:
        raise missing("windows") if not found else CreditConflict("the entry cannot be recorded", problems=found)
    fact = write_fact(
        session, planned, subject, actor=actor, now=now, detail={"screen_alert": row.id, "matched_entry": entry.id}
    )
    row.recorded_fact_id, row.recorded_by, row.recorded_at = fact.id, actor, now
    session.flush()
    record_audit(
        session,
        at=now,
        actor=actor,
        action="credit.alert.recorded",
        entity_type="credit_screen_alert",
        entity_key=str(row.id),
        after={"subject": subject_label(subject), "fact": fact.id, "entry": entry.id},
    )
    sync_measures(ctx, session, now=now, actor=actor, subject_ids=[subject.id])
    return fact.id
