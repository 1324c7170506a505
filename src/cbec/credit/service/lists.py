"""Negative lists and joint punishment (失信名单与联合惩戒): measures applied to list entries, lifted with them.

``sync_measures`` runs inside the transaction that changes a list entry (recording or importing it, approving a
repair, upholding an objection, the daily job): every current enterprise ``list_entry`` fact that counts today gets
the measures of the catalogue in force (its list's own; the joint ones only for a serious entry of a serious list),
once each; an entry that no longer counts has its open measures **lifted** (end date, cause, who), with an audit
record and an outbox event (kind credit, ``measures_applied`` / ``measures_lifted``). The measures that restrict
clearance (a hold, an inspection probability) are written into ``cbec.supervision`` under source ``credit_list``,
which clearance reads as data (it never imports credit): an enterprise's under its customs and credit codes, a
person's (the catalogue measures marked for persons) under the buyer's keyed hash, so the person's own inventories
are held with the catalogue's reason and no personal data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.scope import EVERYTHING, Scope
from cbec.credit import lists_repository as lists_repo
from cbec.credit import repository as repo
from cbec.credit.errors import CreditNotFound, problem
from cbec.credit.measures import Catalogue, ClearanceEffect, Measure, MeasureScope, lift_cause, measures_for
from cbec.credit.models import CreditFact, CreditMeasureApplied, CreditSubject
from cbec.credit.repair import Change
from cbec.credit.rules import SubjectKind, counts_on
from cbec.credit.schemas import (
    AppliedMeasureRead,
    CatalogueMeasureRead,
    CatalogueRead,
    ListCatalogueRead,
    ListEntryPage,
    ListEntryRead,
    MeasureSync,
    PublicEntryRead,
)
from cbec.credit.service.config import configuration, missing
from cbec.credit.service.facts import subject_label
from cbec.credit.service.sharing import share
from cbec.storage.context import Context
from cbec.supervision import MeasureKind, MeasureSpec, replace_measures
from cbec.supervision import SubjectKind as SupervisedKind

SOURCE = "credit_list"  # the supervision source of list measures (credit's level measures are "credit")
MAX_PAGE = 200


def _spec(measure: Measure, fact_id: int, list_type: str, now: datetime) -> MeasureSpec | None:
    reference = f"credit list {list_type} entry {fact_id} {measure.code}"
    reason = f"{measure.zh} / {measure.en}"
    if measure.clearance is ClearanceEffect.HOLD:
        return MeasureSpec(MeasureKind.HOLD, reference, reason, now)
    if measure.clearance is ClearanceEffect.INSPECTION:
        return MeasureSpec(MeasureKind.INSPECTION, reference, reason, now, rate=measure.rate)
    if measure.clearance is ClearanceEffect.NO_FACILITATION:
        return MeasureSpec(MeasureKind.NO_FACILITATION, reference, reason, now)
    if measure.clearance is ClearanceEffect.FULL_GUARANTEE:
        return MeasureSpec(MeasureKind.FULL_GUARANTEE, reference, reason, now)
    return None


def _find(catalogue: Catalogue | None, list_type: str, code: str) -> Measure | None:
    found = catalogue.lists.get(list_type) if catalogue is not None else None
    return next((m for m in found.measures if m.code == code), None) if found is not None else None


def _supervise(
    session: Session,
    subjects: dict[int, CreditSubject],
    open_rows: list[CreditMeasureApplied],
    catalogue: Catalogue | None,
    now: datetime,
    actor: str,
) -> int:
    """Make the clearance measures of source credit_list on each subject those of its open applied measures."""
    by_subject: dict[int, list[MeasureSpec]] = defaultdict(list)
    for row in open_rows:
        measure = _find(catalogue, row.list_type, row.measure_code)
        spec = _spec(measure, row.fact_id, row.list_type, now) if measure is not None else None
        if spec is not None:
            by_subject[row.subject_id].append(spec)
    wanted: dict[tuple[SupervisedKind, str], list[MeasureSpec]] = {}
    for subject_id, subject in subjects.items():
        if subject.kind == SubjectKind.PERSON.value and subject.person_key:
            # a person's entry: measures on the person as a buyer, keyed by the same blind index as the inventory's
            # buyer_key (the reason is the catalogue's text: no personal data)
            wanted[(SupervisedKind.BUYER, subject.person_key)] = by_subject.get(subject_id, [])
            continue
        for code in (subject.customs_code, subject.uscc):
            if code:
                wanted[(SupervisedKind.ENTERPRISE, code.strip().upper())] = by_subject.get(subject_id, [])
    return replace_measures(session, source=SOURCE, wanted=wanted, at=now, actor=actor)


def sync_measures(
    ctx: Context,
    session: Session,
    *,
    now: datetime,
    actor: str,
    subject_ids: Collection[int] | None = None,
    on: date | None = None,
    resync: bool = False,
) -> MeasureSync:
    """Apply the catalogue measures of the entries counting on the day (default today) and lift those of entries
    that no longer count (of some subjects, or of all); inside the caller's transaction. ``resync`` rewrites the
    clearance measures of every subject with an entry in force, not only of those whose measures changed (after a
    new catalogue version gives a measure already applied a clearance effect); unchanged ones write nothing."""
    today = on or business_date(now)
    catalogue = configuration(session).lists_on(today)
    active: dict[int, tuple[CreditFact, CreditSubject]] = {
        fact.id: (fact, subject)
        for fact, subject in lists_repo.current_entries(session, subject_ids)
        if counts_on(fact.valid_from, fact.valid_to, fact.publish_max_until, today)
    }
    rows = lists_repo.applied(session, subject_ids)
    held: dict[int, set[str]] = defaultdict(set)
    touched: set[int] = set(subject_ids or ())
    lifted: dict[int, tuple[list[str], str]] = {}
    for row in rows:
        held[row.fact_id].add(row.measure_code)
        if row.ended_on is not None or row.fact_id in active:
            continue
        if row.fact_id not in lifted:
            after = lists_repo.successor(session, row.fact_id)
            cause = lift_cause(
                retracted=after is not None and after.retracted,
                repaired=after is not None and "repair" in (after.detail or {}),
                still_counts=after is not None
                and counts_on(after.valid_from, after.valid_to, after.publish_max_until, today),
            )
            lifted[row.fact_id] = ([], cause.value)
        row.ended_on, row.lift_cause, row.lifted_by = today, lifted[row.fact_id][1], actor
        lifted[row.fact_id][0].append(row.measure_code)
        touched.add(row.subject_id)
    if resync:
        touched.update(subject.id for _, subject in active.values())
    applied: dict[int, list[str]] = {}
    if catalogue is not None:
        for fact, subject in active.values():
            for measure in measures_for(catalogue, fact.list_type, fact.severity, subject.kind):
                if measure.code in held[fact.id]:
                    continue
                repo.add_row(
                    session,
                    CreditMeasureApplied(
                        fact_id=fact.id,
                        subject_id=subject.id,
                        list_type=fact.list_type or "",
                        measure_code=measure.code,
                        scope=measure.scope.value,
                        department=measure.department[:20],
                        catalogue=catalogue.reference[:64],
                        started_on=today,
                        recorded_at=now,
                        recorded_by=actor,
                    ),
                )
                applied.setdefault(fact.id, []).append(measure.code)
                touched.add(subject.id)
    session.flush()
    subjects = lists_repo.subjects(session, touched)
    facts = lists_repo.facts_by_id(session, [*applied, *lifted])
    for fact_id, codes in applied.items():
        _record(ctx, session, facts[fact_id], Change.MEASURES_APPLIED, now, today, actor, measures=codes)
    for fact_id, (codes, why) in lifted.items():
        _record(ctx, session, facts[fact_id], Change.MEASURES_LIFTED, now, today, actor, measures=codes, cause=why)
    open_rows = lists_repo.applied(session, touched, open_only=True) if touched else []
    changed = _supervise(session, subjects, open_rows, catalogue, now, actor) if touched else 0
    return MeasureSync(
        entries=len(applied) + len(lifted),
        applied=sum(len(c) for c in applied.values()),
        lifted=sum(len(c) for c, _ in lifted.values()),
        supervision=changed,
    )


def _record(
    ctx: Context,
    session: Session,
    found: tuple[CreditFact, CreditSubject],
    change: Change,
    now: datetime,
    today: date,
    actor: str,
    **after: object,
) -> None:
    fact, subject = found
    record_audit(
        session,
        at=now,
        actor=actor,
        action=f"credit.{change.value.replace('_', '.')}",
        entity_type="credit_list_entry",
        entity_key=str(fact.id),
        after={"subject": subject_label(subject), "list_type": fact.list_type, **after},
    )
    share(ctx, session, change, subject, fact, reference=fact.id, on=today)


def apply_list_measures(ctx: Context, *, actor: str = "cli") -> MeasureSync:
    """Apply and lift the measures of every list entry as of today and rewrite every listed subject's clearance
    measures from the catalogue in force (one transaction)."""
    with ctx.uow() as uow:
        result = sync_measures(ctx, uow.session, now=ctx.clock.now(), actor=actor, resync=True)
        uow.commit()
    return result


# --- reading -----------------------------------------------------------------------------------------------------


def _measure_read(measure: Measure) -> CatalogueMeasureRead:
    return CatalogueMeasureRead(
        code=measure.code,
        scope=measure.scope.value,
        department=measure.department,
        zh=measure.zh,
        en=measure.en,
        legal_basis=measure.legal_basis,
        verified=measure.verified,
        clearance=measure.clearance.value if measure.clearance is not None else None,
        rate=float(measure.rate) if measure.rate is not None else None,
    )


def catalogue_on(ctx: Context, *, on: date | None = None) -> CatalogueRead:
    """Return the measure catalogues in force on a day (default today)."""
    day = on or business_date(ctx.clock.now())
    with ctx.uow() as uow:
        catalogue = configuration(uow.session).lists_on(day)
    if catalogue is None:
        raise missing("lists")
    return CatalogueRead(
        code=catalogue.code,
        version=catalogue.version,
        effective_from=catalogue.effective_from,
        legal_basis=catalogue.legal_basis,
        lists=[
            ListCatalogueRead(
                list_type=c.list_type,
                name_zh=c.name_zh,
                name_en=c.name_en,
                department=c.department,
                serious=c.serious,
                legal_basis=c.legal_basis,
                verified=c.verified,
                measures=[_measure_read(m) for m in c.measures],
            )
            for c in catalogue.lists.values()
        ],
    )


def _in_force(
    session: Session, day: date, list_type: str | None, *, persons: bool
) -> list[tuple[CreditFact, CreditSubject]]:
    """Return the current entries counting on a day (of a type; persons' entries only when asked)."""
    return [
        (fact, subject)
        for fact, subject in lists_repo.current_entries(session)
        if counts_on(fact.valid_from, fact.valid_to, fact.publish_max_until, day)
        and (list_type is None or fact.list_type == list_type)
        and (persons or subject.kind == SubjectKind.ENTERPRISE.value)
    ]


def list_entries(
    ctx: Context,
    *,
    list_type: str | None = None,
    query: str | None = None,
    on: date | None = None,
    limit: int = 50,
    offset: int = 0,
    scope: Scope = EVERYTHING,
) -> ListEntryPage:
    """Return the list entries in force on a day (default today), newest decision first: by type, by a code or a
    name fragment. The lists are published, so every reader sees every enterprise entry; persons only the hub."""
    day = on or business_date(ctx.clock.now())
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    wanted = (query or "").strip().upper()
    with ctx.uow() as uow:
        session = uow.session
        rows = [
            (fact, subject)
            for fact, subject in _in_force(session, day, list_type, persons=scope.unrestricted)
            if not wanted
            or wanted in {subject.uscc, subject.customs_code}
            or (subject.name is not None and wanted in subject.name.upper())
        ]
        rows.sort(key=lambda r: (r[0].decided_on, r[0].id), reverse=True)
        page = rows[offset : offset + limit]
        codes: dict[int, list[str]] = defaultdict(list)
        for row in lists_repo.applied_on_facts(session, [f.id for f, _ in page]):
            if row.ended_on is None:
                codes[row.fact_id].append(row.measure_code)
        items = [
            ListEntryRead(
                fact_id=fact.id,
                subject=subject_label(subject),
                name=subject.name if subject.kind == SubjectKind.ENTERPRISE.value else None,
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
                measures=codes[fact.id],
            )
            for fact, subject in page
        ]
    return ListEntryPage(on=day, items=items, total=len(rows), limit=limit, offset=offset)


def subject_measures(ctx: Context, code: str, *, scope: Scope = EVERYTHING) -> list[AppliedMeasureRead]:
    """Return every measure applied to a subject's list entries (lifted ones included), oldest first."""
    with ctx.uow() as uow:
        session = uow.session
        subject = repo.subject_by_code(session, code)
        if subject is None or not repo.admits(scope, subject):
            raise CreditNotFound(
                f"no credit subject {code} in the caller's scope",
                problems=[
                    problem("CRD-SUBJECT-UNKNOWN", "subject", "无此主体", f"no subject {code}", "Check the code.")
                ],
            )
        catalogue = configuration(session).lists_on(business_date(ctx.clock.now()))
        result = []
        for row in lists_repo.applied(session, [subject.id]):
            measure = _find(catalogue, row.list_type, row.measure_code)
            result.append(
                AppliedMeasureRead(
                    id=row.id,
                    fact_id=row.fact_id,
                    subject=subject_label(subject),
                    list_type=row.list_type,
                    measure_code=row.measure_code,
                    scope=row.scope,
                    department=row.department,
                    zh=measure.zh if measure else None,
                    en=measure.en if measure else None,
                    catalogue=row.catalogue,
                    started_on=row.started_on,
                    ended_on=row.ended_on,
                    lift_cause=row.lift_cause,
                    lifted_by=row.lifted_by,
                )
            )
    return result


def mask_name(name: str) -> str:
    """Mask a name that may be a person's (an individual business registered under a person's name: four
    characters or fewer): the first character and one * per other character; an enterprise's name is shown whole."""
    text = name.strip()
    return text if len(text) > 4 else text[:1] + "*" * (len(text) - 1)


def public_entries(ctx: Context, *, list_type: str | None = None) -> list[PublicEntryRead]:
    """Return the enterprise entries in force today as the public page shows them (信用中国-style): never persons;
    each with its list, legal basis and the catalogue measures it carries."""
    day = business_date(ctx.clock.now())
    with ctx.uow() as uow:
        session = uow.session
        catalogue = configuration(session).lists_on(day)
        rows = _in_force(session, day, list_type, persons=False)
        shown = []
        for fact, subject in sorted(rows, key=lambda r: (r[0].list_type or "", r[0].decided_on, r[0].id)):
            listed = catalogue.lists.get(fact.list_type or "") if catalogue is not None else None
            if listed is None or subject.kind != SubjectKind.ENTERPRISE.value:
                continue
            shown.append(
                PublicEntryRead(
                    name=mask_name(subject.name or subject_label(subject)),
                    uscc=subject.uscc,
                    list_type=listed.list_type,
                    list_name_zh=listed.name_zh,
                    list_name_en=listed.name_en,
                    legal_basis=fact.legal_basis,
                    list_legal_basis=listed.legal_basis,
                    decided_on=fact.decided_on,
                    valid_to=fact.valid_to,
                    measures=[_measure_read(m) for m in measures_for(catalogue, fact.list_type, fact.severity)]
                    if catalogue is not None
                    else [],
                )
            )
    return shown


__all__ = [
    "SOURCE",
    "MeasureScope",
    "apply_list_measures",
    "catalogue_on",
    "list_entries",
    "mask_name",
    "public_entries",
    "subject_measures",
    "sync_measures",
]
