"""Evidence files stored (证明材料): kept with a repair application, an objection or a fact, encrypted at rest, read
by the subject's enterprise and by officers in scope (another enterprise or tenant: not found), every read audited."""

from __future__ import annotations

import base64
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.personal import PersonalDataCipher
from cbec.common.scope import EVERYTHING, Scope
from cbec.credit import repository as repo
from cbec.credit.errors import CreditInvalid, CreditNotFound, problem
from cbec.credit.evidence import EvidenceFile, check_file
from cbec.credit.models import CreditEvidence, CreditSubject
from cbec.credit.schemas import EvidenceFileIn, EvidenceRead
from cbec.storage.context import Context


def subject_label(subject: CreditSubject) -> str:
    """Return how a subject is named (as cbec.credit.service.facts does; facts imports this module)."""
    return subject.uscc or subject.customs_code or f"person:{(subject.person_key or '')[:12]}"


def accept_file(sent: EvidenceFileIn | None, declared: str | None) -> EvidenceFile | None:
    """Return the checked file sent with a request (None when none was sent), or refuse it with every problem."""
    if sent is None:
        return None
    found, problems = check_file(sent.filename, sent.content_type, sent.data, declared)
    if found is None:
        raise CreditInvalid("the evidence file is refused", problems=problems)
    return found


def keep_file(
    session: Session,
    cipher: PersonalDataCipher,
    file: EvidenceFile,
    *,
    subject_id: int,
    purpose: str,
    reference: int,
    actor: str,
    now: datetime,
) -> CreditEvidence:
    """Store a checked file, encrypted, in the caller's transaction."""
    return repo.add_row(
        session,
        CreditEvidence(
            subject_id=subject_id,
            purpose=purpose,
            reference_id=reference,
            sha256=file.sha256,
            filename=file.filename,
            content_type=file.content_type,
            size=len(file.content),
            content=cipher.encrypt(base64.b64encode(file.content).decode("ascii")),
            uploaded_by=actor,
            uploaded_at=now,
        ),
    )


def _read(row: CreditEvidence, subject: CreditSubject) -> EvidenceRead:
    return EvidenceRead(
        id=row.id,
        subject=subject_label(subject),
        purpose=row.purpose,
        reference_id=row.reference_id,
        sha256=row.sha256,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


def _unknown(what: str) -> CreditNotFound:
    return CreditNotFound(
        f"no evidence {what} in the caller's scope",
        problems=[problem("CRD-EVIDENCE-UNKNOWN", "id", "无此证明材料", f"no evidence {what}", "Check the id.")],
    )


def subject_evidence(ctx: Context, code: str, *, scope: Scope = EVERYTHING) -> list[EvidenceRead]:
    """Return the evidence files kept about a subject (without their content), oldest first."""
    with ctx.uow() as uow:
        session = uow.session
        subject = repo.subject_by_code(session, code)
        if subject is None or not repo.admits(scope, subject):
            raise _unknown(f"of {code}")
        stmt = select(CreditEvidence).where(CreditEvidence.subject_id == subject.id).order_by(CreditEvidence.id)
        return [_read(row, subject) for row in session.scalars(stmt)]


def evidence_of(
    ctx: Context, purpose: str, references: Collection[int], *, scope: Scope = EVERYTHING
) -> dict[int, list[EvidenceRead]]:
    """Return the files kept with applications, objections or facts (``purpose``), by their id, in the caller's
    scope (without content: a download is ``read_evidence``, audited)."""
    wanted = sorted(set(references))
    if not wanted:
        return {}
    found: dict[int, list[EvidenceRead]] = {}
    with ctx.uow() as uow:
        session = uow.session
        stmt = (
            select(CreditEvidence, CreditSubject)
            .join(CreditSubject, CreditSubject.id == CreditEvidence.subject_id)
            .where(CreditEvidence.purpose == purpose, CreditEvidence.reference_id.in_(wanted))
            .order_by(CreditEvidence.id)
        )
        for row, subject in session.execute(stmt).all():
            if repo.admits(scope, subject):
                found.setdefault(row.reference_id, []).append(_read(row, subject))
    return found


def read_evidence(
    ctx: Context,
    evidence_id: int,
    *,
    actor: str,
    scope: Scope = EVERYTHING,
    purposes: Collection[str] | None = None,
) -> tuple[EvidenceRead, bytes]:
    """Return an evidence file and its content, decrypted; the read is audited (who, which file, when).
    ``purposes``: the kinds of file the caller may read (None: any) — another kind is not found, and not audited."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        row = session.get(CreditEvidence, evidence_id)
        subject = repo.subject_by_id(session, row.subject_id) if row is not None else None
        if row is None or subject is None or not repo.admits(scope, subject):
            raise _unknown(str(evidence_id))
        if purposes is not None and row.purpose not in purposes:
            raise _unknown(str(evidence_id))
        content = base64.b64decode(ctx.cipher.decrypt(row.content))
        record_audit(
            session,
            at=now,
            actor=actor,
            action="credit.evidence.read",
            entity_type="credit_evidence",
            entity_key=str(row.id),
            after={"subject": subject_label(subject), "purpose": row.purpose, "sha256": row.sha256},
        )
        result = _read(row, subject)
        uow.commit()
    return result, content


__all__ = ["accept_file", "evidence_of", "keep_file", "read_evidence", "subject_evidence"]
