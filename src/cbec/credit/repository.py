"""All SQL of the credit system; never commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from cbec.common.scope import Scope
from cbec.credit.models import (
    CreditConfig,
    CreditFact,
    CreditObjection,
    CreditOverride,
    CreditOverrideRequest,
    CreditPublicationEnd,
    CreditRepair,
    CreditReviewTask,
    CreditRulesetProposal,
    CreditScore,
    CreditSubject,
    CreditThirdPartyReport,
)
from cbec.credit.rating import FactView
from cbec.credit.rules import SubjectKind
from cbec.storage.locks import lock_keys

HUB = "hub"


# --- subjects ----------------------------------------------------------------------------------------------------


def subject_by_code(session: Session, code: str) -> CreditSubject | None:
    """Return the enterprise subject whose credit code or customs code is the code."""
    value = code.strip().upper()
    stmt = select(CreditSubject).where(or_(CreditSubject.uscc == value, CreditSubject.customs_code == value))
    return session.scalars(stmt.order_by(CreditSubject.id)).first()


def subject_by_person_key(session: Session, person_key: str) -> CreditSubject | None:
    """Return the person subject of a keyed hash."""
    return session.scalars(select(CreditSubject).where(CreditSubject.person_key == person_key)).first()


def in_scope(scope: Scope) -> list[ColumnElement[bool]]:
    """Return the conditions that keep subjects to a scope (persons only for an unrestricted scope)."""
    conditions: list[ColumnElement[bool]] = []
    if scope.parties is not None:
        parties = sorted(scope.parties)
        conditions.append(or_(CreditSubject.uscc.in_(parties), CreditSubject.customs_code.in_(parties)))
    if scope.tenant is not None:
        conditions.append(or_(CreditSubject.tenant == scope.tenant, CreditSubject.tenant.like(scope.tenant + "/%")))
    if not scope.unrestricted:
        conditions.append(CreditSubject.kind == SubjectKind.ENTERPRISE.value)
    return conditions


def admits(scope: Scope, subject: CreditSubject) -> bool:
    """Tell whether a subject lies in a scope."""
    if scope.unrestricted:
        return True
    if subject.kind != SubjectKind.ENTERPRISE.value:
        return False
    return scope.admits_tenant(subject.tenant) and scope.admits_party([subject.uscc, subject.customs_code])


def ensure_enterprise(
    session: Session,
    *,
    uscc: str | None,
    customs_code: str | None,
    name: str | None,
    tenant: str | None,
    now: datetime,
) -> CreditSubject:
    """Return the enterprise subject of the codes, making it (or completing its codes, name, tenant) as needed."""
    lock_keys(session, [f"credit-subject:{c}" for c in (uscc, customs_code) if c])
    found = [s for s in (subject_by_code(session, c) for c in (uscc, customs_code) if c) if s is not None]
    subject = found[0] if found else None
    if subject is None:
        subject = CreditSubject(
            kind=SubjectKind.ENTERPRISE.value,
            uscc=uscc,
            customs_code=customs_code,
            name=name,
            tenant=tenant or HUB,
            created_at=now,
            updated_at=now,
        )
        session.add(subject)
        session.flush()
        return subject
    changed = False
    single = len({s.id for s in found}) == 1  # two subjects found: never move a code from one to the other
    for attr, value in (("uscc", uscc), ("customs_code", customs_code), ("name", name), ("tenant", tenant)):
        fills = attr in ("name", "tenant") or (single and not getattr(subject, attr))
        if value and getattr(subject, attr) != value and fills:
            setattr(subject, attr, value)
            changed = True
    if changed:
        subject.updated_at = now
        session.flush()
    return subject


def ensure_person(session: Session, person_key: str, now: datetime) -> CreditSubject:
    """Return the person subject of a keyed hash, making it as needed (no name, no ID number is kept)."""
    lock_keys(session, [f"credit-person:{person_key}"])
    subject = subject_by_person_key(session, person_key)
    if subject is None:
        subject = CreditSubject(
            kind=SubjectKind.PERSON.value, person_key=person_key, tenant=HUB, created_at=now, updated_at=now
        )
        session.add(subject)
        session.flush()
    return subject


def subjects(session: Session, scope: Scope | None = None) -> list[CreditSubject]:
    """Return every subject (in a scope), by id."""
    stmt = select(CreditSubject).order_by(CreditSubject.id)
    for condition in in_scope(scope) if scope is not None else []:
        stmt = stmt.where(condition)
    return list(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class SubjectRow:
    """A subject as a plain row (a rating run reads every subject without loading ORM objects)."""

    id: int
    kind: str
    uscc: str | None
    customs_code: str | None
    person_key: str | None
    name: str | None
    tenant: str


def subject_rows(session: Session) -> list[SubjectRow]:
    """Return every subject as a plain row, by id (one set-based read)."""
    columns = (
        CreditSubject.id,
        CreditSubject.kind,
        CreditSubject.uscc,
        CreditSubject.customs_code,
        CreditSubject.person_key,
        CreditSubject.name,
        CreditSubject.tenant,
    )
    return [SubjectRow(*row) for row in session.execute(select(*columns).order_by(CreditSubject.id))]


# --- facts ---------------------------------------------------------------------------------------------------------

_VIEW = (
    CreditFact.subject_id,
    CreditFact.id,
    CreditFact.fact_type,
    CreditFact.severity,
    CreditFact.source,
    CreditFact.decided_on,
    CreditFact.valid_from,
    CreditFact.valid_to,
    CreditFact.publish_max_until,
    CreditFact.tier,
    CreditFact.grade,
    CreditFact.list_type,
    CreditFact.quantity,
    CreditFact.document_no,
)


def add_fact(session: Session, **values: Any) -> CreditFact:
    """Append a fact."""
    fact = CreditFact(**values)
    session.add(fact)
    session.flush()
    return fact


def fact_by_id(session: Session, fact_id: int) -> CreditFact | None:
    """Return a recorded fact."""
    return session.get(CreditFact, fact_id)


def fact_by_dedupe_key(session: Session, key: str) -> CreditFact | None:
    """Return the fact recorded under a dedupe key."""
    return session.scalars(select(CreditFact).where(CreditFact.dedupe_key == key)).first()


def _known(known_at: datetime | None) -> ColumnElement[bool]:
    return CreditFact.recorded_at <= known_at if known_at is not None else CreditFact.id.is_not(None)


def _views_statement(known_at: datetime | None) -> Select[*tuple[Any, ...]]:
    later = aliased(CreditFact)
    superseded = (
        select(later.id)
        .where(
            later.supersedes_id == CreditFact.id, later.recorded_at <= known_at if known_at else later.id.is_not(None)
        )
        .exists()
    )
    return select(*_VIEW).where(_known(known_at), ~superseded, CreditFact.retracted.is_(False))


_CURRENT_VIEWS = _views_statement(None)  # built once: an as-of query of one subject binds its id only
_CURRENT_VIEWS_OF = _CURRENT_VIEWS.where(CreditFact.subject_id == bindparam("subject")).order_by(CreditFact.id)


def fact_views_known(
    session: Session, known_at: datetime | None, subject_id: int | None = None
) -> dict[int, list[FactView]]:
    """Return, per subject (every one, or one), what the rating reads of every fact as known at a time (recorded by
    then, not superseded by a row recorded by then, not a withdrawal) as plain values in one set-based read: no ORM
    objects, no JSON detail."""
    if known_at is None and subject_id is not None:
        rows = session.execute(_CURRENT_VIEWS_OF, {"subject": subject_id})
    else:
        stmt = _views_statement(known_at)
        if subject_id is not None:
            stmt = stmt.where(CreditFact.subject_id == subject_id)
        rows = session.execute(stmt.order_by(CreditFact.id))
    found: dict[int, list[FactView]] = defaultdict(list)
    for row in rows:
        found[row[0]].append(FactView(*row[1:]))
    return found


def config_fingerprint(session: Session) -> tuple[tuple[int, str], ...]:
    """Return the ids and digests of the configuration documents (a document's content never changes)."""
    stmt = select(CreditConfig.id, CreditConfig.digest).order_by(CreditConfig.id)
    return tuple((int(i), str(d)) for i, d in session.execute(stmt))


def list_entries(session: Session) -> list[tuple[CreditFact, CreditSubject]]:
    """Return the current list entries (``list_entry`` facts not superseded nor withdrawals) with their subjects."""
    later = aliased(CreditFact)
    superseded = select(later.id).where(later.supersedes_id == CreditFact.id).exists()
    stmt = (
        select(CreditFact, CreditSubject)
        .join(CreditSubject, CreditSubject.id == CreditFact.subject_id)
        .where(CreditFact.fact_type == "list_entry", ~superseded, CreditFact.retracted.is_(False))
        .order_by(CreditFact.id)
    )
    return [(fact, subject) for fact, subject in session.execute(stmt)]


def list_fingerprint(session: Session) -> tuple[Any, ...]:
    """Return what changes when a list entry or a subject's name does: counts, last ids, last times."""
    facts = select(func.count(), func.max(CreditFact.id), func.max(CreditFact.recorded_at))
    subjects = select(func.count(), func.max(CreditSubject.id), func.max(CreditSubject.updated_at))
    return (*session.execute(facts).one(), *session.execute(subjects).one())


def history(session: Session, subject_id: int) -> list[CreditFact]:
    """Return every row recorded about a subject, corrections and withdrawals included, oldest first."""
    return list(session.scalars(select(CreditFact).where(CreditFact.subject_id == subject_id).order_by(CreditFact.id)))


def platform_fact_of_day(session: Session, subject_id: int, fact_type: str, day: Any) -> CreditFact | None:
    """Return the current (not superseded) platform count of a subject, type and day."""
    later = aliased(CreditFact)
    stmt = select(CreditFact).where(
        CreditFact.subject_id == subject_id,
        CreditFact.fact_type == fact_type,
        CreditFact.valid_from == day,
        CreditFact.source == "platform",
        ~select(later.id).where(later.supersedes_id == CreditFact.id).exists(),
    )
    return session.scalars(stmt.order_by(CreditFact.id.desc())).first()


def count_facts(session: Session) -> int:
    """Return how many fact rows are recorded."""
    return int(session.scalar(select(func.count()).select_from(CreditFact)) or 0)


# --- overrides -----------------------------------------------------------------------------------------------------


def add_override(session: Session, **values: Any) -> CreditOverride:
    """Append an override."""
    row = CreditOverride(**values)
    session.add(row)
    session.flush()
    return row


def overrides_known(
    session: Session, subject_ids: Sequence[int] | None, known_at: datetime | None
) -> dict[int, list[CreditOverride]]:
    """Return, per subject, the overrides recorded by a time."""
    stmt = select(CreditOverride)
    if known_at is not None:
        stmt = stmt.where(CreditOverride.recorded_at <= known_at)
    if subject_ids is not None:
        stmt = stmt.where(CreditOverride.subject_id.in_(list(subject_ids)) if subject_ids else false())
    found: dict[int, list[CreditOverride]] = defaultdict(list)
    for row in session.scalars(stmt.order_by(CreditOverride.id)):
        found[row.subject_id].append(row)
    return found


# --- configuration -------------------------------------------------------------------------------------------------


def config_documents(session: Session) -> list[CreditConfig]:
    """Return every configuration document, oldest first."""
    return list(session.scalars(select(CreditConfig).order_by(CreditConfig.effective_from, CreditConfig.id)))


def config_document(session: Session, kind: str, code: str, version: str) -> CreditConfig | None:
    """Return one configuration document."""
    stmt = select(CreditConfig).where(
        and_(CreditConfig.kind == kind, CreditConfig.code == code, CreditConfig.version == version)
    )
    return session.scalars(stmt).first()


def add_config(session: Session, **values: Any) -> CreditConfig:
    """Store a configuration document."""
    row = CreditConfig(**values)
    session.add(row)
    session.flush()
    return row


# --- stored ratings ------------------------------------------------------------------------------------------------


def add_scores(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Store ratings; return how many."""
    made = [CreditScore(**row) for row in rows]
    session.add_all(made)
    session.flush()
    return len(made)


def latest_levels(session: Session) -> dict[int, str]:
    """Return each subject's last stored level."""
    last = (
        select(CreditScore.subject_id, func.max(CreditScore.id).label("id")).group_by(CreditScore.subject_id).subquery()
    )
    stmt = select(CreditScore.subject_id, CreditScore.level).join(last, last.c.id == CreditScore.id)
    return {int(subject_id): str(level) for subject_id, level in session.execute(stmt)}


# --- repair, objections, ends of publication, override requests ---------------------------------------------------


def add_row(session: Session, row: Any) -> Any:
    """Add a row of the repair and objection tables and flush it."""
    session.add(row)
    session.flush()
    return row


def superseded(session: Session, fact_id: int) -> bool:
    """Tell whether a later row supersedes a fact (a correction, a repair or a withdrawal)."""
    stmt = select(CreditFact.id).where(CreditFact.supersedes_id == fact_id).limit(1)
    return session.scalar(stmt) is not None


def subject_by_id(session: Session, subject_id: int) -> CreditSubject | None:
    """Return a subject by id."""
    return session.get(CreditSubject, subject_id)


def repair_by_id(session: Session, repair_id: int) -> CreditRepair | None:
    """Return a repair application, locked for its decision."""
    lock_keys(session, [f"credit-repair:{repair_id}"])
    return session.get(CreditRepair, repair_id)


def objection_by_id(session: Session, objection_id: int) -> CreditObjection | None:
    """Return an objection, locked for its decision."""
    lock_keys(session, [f"credit-objection:{objection_id}"])
    return session.get(CreditObjection, objection_id)


def request_by_id(session: Session, request_id: int) -> CreditOverrideRequest | None:
    """Return an override request, locked for its decision."""
    lock_keys(session, [f"credit-override:{request_id}"])
    return session.get(CreditOverrideRequest, request_id)


def open_on_fact(session: Session, model: Any, fact_id: int, statuses: Iterable[str]) -> Any | None:
    """Return the open application (repair or objection) on a fact, if any."""
    lock_keys(session, [f"credit-fact-open:{model.__tablename__}:{fact_id}"])
    stmt = select(model).where(model.fact_id == fact_id, model.status.in_(list(statuses)))
    return session.scalars(stmt.order_by(model.id)).first()


def _queue(session: Session, model: Any, statuses: Iterable[str] | None, scope: Scope | None, subject_id: int | None):
    stmt = select(model, CreditSubject).join(CreditSubject, CreditSubject.id == model.subject_id)
    if statuses is not None:
        stmt = stmt.where(model.status.in_(list(statuses)))
    if subject_id is not None:
        stmt = stmt.where(model.subject_id == subject_id)
    for condition in in_scope(scope) if scope is not None else []:
        stmt = stmt.where(condition)
    return [(row, subject) for row, subject in session.execute(stmt.order_by(model.id))]


def repairs(
    session: Session, statuses: Iterable[str] | None, scope: Scope | None, subject_id: int | None = None
) -> list[tuple[CreditRepair, CreditSubject]]:
    """Return repair applications (of statuses, in a scope, of a subject) with their subjects, oldest first."""
    return _queue(session, CreditRepair, statuses, scope, subject_id)


def objections(
    session: Session, statuses: Iterable[str] | None, scope: Scope | None, subject_id: int | None = None
) -> list[tuple[CreditObjection, CreditSubject]]:
    """Return objections (of statuses, in a scope, of a subject) with their subjects, oldest first."""
    return _queue(session, CreditObjection, statuses, scope, subject_id)


def override_requests(
    session: Session, statuses: Iterable[str] | None, scope: Scope | None, subject_id: int | None = None
) -> list[tuple[CreditOverrideRequest, CreditSubject]]:
    """Return override requests with their subjects, oldest first."""
    return _queue(session, CreditOverrideRequest, statuses, scope, subject_id)


def review_tasks(
    session: Session, statuses: Iterable[str] | None, scope: Scope | None, subject_id: int | None = None
) -> list[tuple[CreditReviewTask, CreditSubject]]:
    """Return disagreement review tasks with their subjects, oldest first."""
    return _queue(session, CreditReviewTask, statuses, scope, subject_id)


def thirdparty_reports(session: Session, scope: Scope | None) -> list[tuple[CreditThirdPartyReport, CreditSubject]]:
    """Return the imported third-party reports in a scope with their subjects, newest first."""
    stmt = select(CreditThirdPartyReport, CreditSubject).join(
        CreditSubject, CreditSubject.id == CreditThirdPartyReport.subject_id
    )
    for condition in in_scope(scope) if scope is not None else []:
        stmt = stmt.where(condition)
    return [(row, subject) for row, subject in session.execute(stmt.order_by(CreditThirdPartyReport.id.desc()))]


def report_by_number(session: Session, agency: str, report_no: str) -> CreditThirdPartyReport | None:
    """Return the report an agency numbered so, if imported."""
    stmt = select(CreditThirdPartyReport).where(
        CreditThirdPartyReport.agency_code == agency, CreditThirdPartyReport.report_no == report_no
    )
    return session.scalars(stmt).first()


def ruleset_proposals(session: Session, statuses: Iterable[str] | None) -> list[CreditRulesetProposal]:
    """Return the ruleset proposals (of statuses), newest first."""
    stmt = select(CreditRulesetProposal)
    if statuses is not None:
        stmt = stmt.where(CreditRulesetProposal.status.in_(list(statuses)))
    return list(session.scalars(stmt.order_by(CreditRulesetProposal.id.desc())))


def overdue_objections(session: Session, today: Any) -> list[tuple[CreditObjection, CreditSubject]]:
    """Return the open objections whose review deadline has passed (due before today)."""
    stmt = (
        select(CreditObjection, CreditSubject)
        .join(CreditSubject, CreditSubject.id == CreditObjection.subject_id)
        .where(CreditObjection.status == "open", CreditObjection.due_on < today)
        .order_by(CreditObjection.due_on, CreditObjection.id)
    )
    return [(row, subject) for row, subject in session.execute(stmt)]


def publications_to_end(session: Session, today: Any) -> list[tuple[CreditFact, CreditSubject]]:
    """Return the current facts whose maximum publication window has passed with no end recorded yet."""
    later = aliased(CreditFact)
    stmt = (
        select(CreditFact, CreditSubject)
        .join(CreditSubject, CreditSubject.id == CreditFact.subject_id)
        .where(
            CreditFact.publish_max_until.is_not(None),
            CreditFact.publish_max_until <= today,
            CreditFact.retracted.is_(False),
            ~select(later.id).where(later.supersedes_id == CreditFact.id).exists(),
            ~select(CreditPublicationEnd.id).where(CreditPublicationEnd.fact_id == CreditFact.id).exists(),
        )
        .order_by(CreditFact.publish_max_until, CreditFact.id)
    )
    return [(fact, subject) for fact, subject in session.execute(stmt)]


def publication_ends(session: Session, fact_ids: Sequence[int]) -> dict[int, CreditPublicationEnd]:
    """Return the recorded ends of publication of facts."""
    if not fact_ids:
        return {}
    stmt = select(CreditPublicationEnd).where(CreditPublicationEnd.fact_id.in_(list(fact_ids)))
    return {row.fact_id: row for row in session.scalars(stmt)}
