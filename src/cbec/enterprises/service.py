"""Use cases of enterprise filing (企业备案): file, change status, read, import.

Every public function is one transaction. Each state change writes one audit record; the contact name
and phone are encrypted at rest and masked in every output and audit snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.audit.repository import list_audit
from cbec.common.errors import Problem
from cbec.common.personal import PersonalDataCipher, mask_name, mask_phone
from cbec.common.pseudonyms import subject_key
from cbec.common.scope import OutOfScope, Scope
from cbec.enterprises import repository as repo
from cbec.enterprises.errors import (
    EnterpriseExists,
    EnterpriseImportInvalid,
    EnterpriseInvalid,
    EnterpriseNotFound,
    EnterpriseStatusConflict,
)
from cbec.enterprises.models import Enterprise
from cbec.enterprises.rules import (
    TRANSITIONS,
    EnterpriseDraft,
    EnterpriseRole,
    EnterpriseStatus,
    Transition,
    check_draft,
    check_transition,
    draft_differences,
    errors_only,
    make_draft,
)
from cbec.enterprises.schemas import AuditRead, EnterpriseCreate, EnterprisePage, EnterpriseRead, ImportReport
from cbec.reference import by_row, read_records
from cbec.sharing import emit_filing
from cbec.storage.context import Context

ENTITY = "enterprise"
IMPORT_REQUIRED = frozenset({"uscc", "customs_code", "name", "roles"})
IMPORT_OPTIONAL = frozenset({"name_en", "dxp_id", "contact_name", "contact_phone", "zone"})
PERSONAL_FIELDS = {"contact_name": mask_name, "contact_phone": mask_phone}
Progress = Callable[[int, int], None]


def file_enterprise(ctx: Context, data: EnterpriseCreate, *, scope: Scope | None = None) -> EnterpriseRead:
    """File a new enterprise (status pending) after checking every rule; the zone must lie in the scope."""
    draft = make_draft(**data.model_dump(exclude={"actor"}))
    problems = errors_only(check_draft(draft))
    if problems:
        raise EnterpriseInvalid("the filing breaks one or more rules", problems=problems)
    if scope is not None and not scope.admits_tenant(draft.zone):
        raise OutOfScope(
            f"zone {draft.zone} is outside your tenant",
            problems=[
                Problem(
                    "ENT-ZONE-SCOPE",
                    "zone",
                    f"不能在 {draft.zone} 备案 / you cannot file at {draft.zone}",
                    f"File at {scope.tenant} or at a window below it.",
                )
            ],
        )
    with ctx.uow() as uow:
        clashes = _clashes(uow.session, draft, field_prefix="")
        if clashes:
            raise EnterpriseExists("an enterprise with the same code is already filed", problems=clashes)
        enterprise = _create(uow.session, ctx, draft, actor=data.actor or "api")
        try:
            uow.commit()
        except IntegrityError as exc:
            raise EnterpriseExists(
                "an enterprise with the same code was filed at the same time", uscc=draft.uscc
            ) from exc
        return _read(enterprise, ctx.cipher)


def change_status(
    ctx: Context, key: int | str, transition: Transition, *, reason: str, actor: str, scope: Scope | None = None
) -> EnterpriseRead:
    """Approve, suspend, reinstate or revoke a filing, with a reason and an actor, audited."""
    with ctx.uow() as uow:
        enterprise = _load(uow.session, key, scope)
        current = EnterpriseStatus(enterprise.status)
        problems = check_transition(current, transition, reason, actor)
        conflict = [p for p in problems if p.rule_id == "ENT-TRANSITION"]
        if conflict:
            raise EnterpriseStatusConflict(conflict[0].message, problems=conflict, status=current.value)
        if problems:
            raise EnterpriseInvalid("a status change needs a reason and an actor", problems=problems)
        _, target, action = TRANSITIONS[transition]
        now = ctx.clock.now()
        enterprise.status = target.value
        enterprise.updated_at = now
        record_audit(
            uow.session,
            at=now,
            actor=actor.strip(),
            action=action,
            entity_type=ENTITY,
            entity_key=enterprise.uscc,
            before={"status": current.value},
            after={"status": target.value},
            reason=reason.strip(),
        )
        _publish(uow.session, ctx, enterprise, before=current.value, reason=reason.strip())
        uow.commit()
        return _read(enterprise, ctx.cipher)


def approve_enterprise(ctx: Context, key: int | str, *, reason: str, actor: str) -> EnterpriseRead:
    """Approve a pending filing."""
    return change_status(ctx, key, Transition.APPROVE, reason=reason, actor=actor)


def suspend_enterprise(ctx: Context, key: int | str, *, reason: str, actor: str) -> EnterpriseRead:
    """Suspend an approved filing."""
    return change_status(ctx, key, Transition.SUSPEND, reason=reason, actor=actor)


def reinstate_enterprise(ctx: Context, key: int | str, *, reason: str, actor: str) -> EnterpriseRead:
    """Reinstate a suspended filing."""
    return change_status(ctx, key, Transition.REINSTATE, reason=reason, actor=actor)


def revoke_enterprise(ctx: Context, key: int | str, *, reason: str, actor: str) -> EnterpriseRead:
    """Revoke a filing for good."""
    return change_status(ctx, key, Transition.REVOKE, reason=reason, actor=actor)


def get_enterprise(ctx: Context, key: int | str, *, scope: Scope | None = None) -> EnterpriseRead:
    """Return one filing by id, customs code or credit code (contact masked); outside the scope it is not found."""
    with ctx.uow() as uow:
        return _read(_load(uow.session, key, scope), ctx.cipher)


def list_enterprises(
    ctx: Context,
    *,
    status: str | None = None,
    role: str | None = None,
    zone: str | None = None,
    limit: int = 50,
    offset: int = 0,
    scope: Scope | None = None,
) -> EnterprisePage:
    """Return a page of filings in the scope, filtered by status, role and zone (contact masked)."""
    problems: list[Problem] = []
    if status is not None and status not in {s.value for s in EnterpriseStatus}:
        problems.append(Problem("ENT-FILTER", "status", f"unknown status {status!r}", _choices(EnterpriseStatus)))
    if role is not None and role not in {r.value for r in EnterpriseRole}:
        problems.append(Problem("ENT-FILTER", "role", f"unknown role {role!r}", _choices(EnterpriseRole)))
    if problems:
        raise EnterpriseInvalid("unknown filter value", problems=problems)
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    with ctx.uow() as uow:
        total, rows = repo.page(
            uow.session, status=status, role=role, zone=zone, limit=limit, offset=offset, scope=scope
        )
        items = [_read(row, ctx.cipher) for row in rows]
    return EnterprisePage(items=items, total=total, limit=limit, offset=offset)


def enterprise_audit(ctx: Context, key: int | str, *, scope: Scope | None = None) -> list[AuditRead]:
    """Return the audit trail of one filing, oldest first."""
    with ctx.uow() as uow:
        enterprise = _load(uow.session, key, scope)
        rows = list_audit(uow.session, entity_type=ENTITY, entity_key=enterprise.uscc)
        return [
            AuditRead(id=r.id, at=r.at, actor=r.actor, action=r.action, before=r.before, after=r.after, reason=r.reason)
            for r in rows
        ]


def import_enterprises(
    ctx: Context,
    path: str | Path,
    *,
    update: bool = False,
    actor: str = "cli",
    progress: Progress | None = None,
) -> ImportReport:
    """Import filings from CSV or JSON: check every row first, then write all rows or none.

    Rows identical to a filing are skipped; changed rows are refused unless ``update`` is set.
    """
    file_path = Path(path)
    header, records = read_records(file_path, list_key="enterprises")
    problems = _header_problems(header)
    if problems:
        raise EnterpriseImportInvalid(f"{file_path.name}: wrong columns; nothing was imported", problems=problems)
    drafts: list[tuple[int, EnterpriseDraft]] = []
    warnings: list[Problem] = []
    seen_uscc: dict[str, int] = {}
    seen_customs: dict[str, int] = {}
    for row_no, record in records:
        draft = _draft_of(record)
        prefix = f"row[{row_no}]."
        found = check_draft(draft, prefix)
        problems.extend(errors_only(found))
        warnings.extend(p for p in found if p.severity != "error")
        keys = ((seen_uscc, draft.uscc, "uscc"), (seen_customs, draft.customs_code, "customs_code"))
        for seen, value, column in keys:
            if value in seen:
                problems.append(
                    Problem(
                        "ENT-DUPLICATE-ROW",
                        f"{prefix}{column}",
                        f"文件内重复 / {column} {value} is also in row {seen[value]}",
                        "Keep one row per enterprise.",
                    )
                )
            elif value:
                seen[value] = row_no
        drafts.append((row_no, draft))
    if not records:
        problems.append(Problem("ENT-EMPTY", "row[2]", "the file has no data rows", "Add at least one row."))
    with ctx.uow() as uow:
        session = uow.session
        by_uscc = repo.by_usccs(session, (d.uscc for _, d in drafts))
        by_customs = repo.by_customs_codes(session, (d.customs_code for _, d in drafts))
        plan: list[tuple[EnterpriseDraft, Enterprise | None]] = []
        unchanged = 0
        for row_no, draft in drafts:
            prefix = f"row[{row_no}]."
            existing = by_uscc.get(draft.uscc)
            holder = by_customs.get(draft.customs_code)
            if holder is not None and holder is not existing:
                problems.append(_taken("customs_code", draft.customs_code, holder, prefix))
                continue
            if existing is None:
                plan.append((draft, None))
                continue
            differences = draft_differences(_draft_of_row(existing, ctx.cipher), draft)
            if not differences:
                unchanged += 1
            elif existing.status == EnterpriseStatus.REVOKED:
                problems.append(_changed(prefix, draft, differences, revoked=True))
            elif not update:
                problems.append(_changed(prefix, draft, differences, revoked=False))
            else:
                plan.append((draft, existing))
        if problems:
            raise EnterpriseImportInvalid(
                f"{file_path.name}: {len(problems)} problem(s); nothing was imported", problems=by_row(problems)
            )
        created = updated = 0
        for done, (draft, existing) in enumerate(plan, 1):
            if existing is None:
                _create(session, ctx, draft, actor=actor)
                created += 1
            else:
                _update(session, ctx, existing, draft, actor=actor)
                updated += 1
            if progress is not None:
                progress(done, len(plan))
        try:
            uow.commit()
        except IntegrityError as exc:
            raise EnterpriseImportInvalid(
                f"{file_path.name}: the rows clash with filings made meanwhile; nothing was imported",
                problems=[Problem("ENT-CLASH", "file", str(exc.orig), "Run the import again.")],
            ) from exc
    return ImportReport(
        source=str(file_path),
        rows=len(records),
        created=created,
        updated=updated,
        unchanged=unchanged,
        warnings=[w.as_dict() for w in warnings],
    )


# --- helpers -----------------------------------------------------------------------------------------------


def _choices(enum: Any) -> str:
    return "Use one of: " + ", ".join(item.value for item in enum) + "."


def _load(session: Session, key: int | str, scope: Scope | None = None) -> Enterprise:
    enterprise: Enterprise | None
    if isinstance(key, int) or (key.isdigit() and len(key) < 10):
        enterprise = repo.get(session, int(key))
    else:
        enterprise = repo.by_code(session, key.strip().upper())
    if enterprise is not None and scope is not None and not _admits(scope, enterprise):
        enterprise = None  # outside the caller's scope a filing is not found, so its existence does not leak
    if enterprise is None:
        raise EnterpriseNotFound(f"no enterprise {key}", key=str(key))
    return enterprise


def _admits(scope: Scope, enterprise: Enterprise) -> bool:
    return scope.admits_tenant(enterprise.zone) and scope.admits_party((enterprise.customs_code, enterprise.uscc))


def _clashes(session: Session, draft: EnterpriseDraft, field_prefix: str) -> list[Problem]:
    problems: list[Problem] = []
    holder = repo.by_usccs(session, [draft.uscc]).get(draft.uscc)
    if holder is not None:
        problems.append(_taken("uscc", draft.uscc, holder, field_prefix))
    holder = repo.by_customs_codes(session, [draft.customs_code]).get(draft.customs_code)
    if holder is not None:
        problems.append(_taken("customs_code", draft.customs_code, holder, field_prefix))
    return problems


def _taken(column: str, value: str, holder: Enterprise, prefix: str) -> Problem:
    return Problem(
        "ENT-TAKEN",
        f"{prefix}{column}",
        f"已被备案 / {column} {value} is already filed for {holder.name} (id {holder.id})",
        "One filing per enterprise: correct the code, or update the existing filing.",
    )


def _changed(prefix: str, draft: EnterpriseDraft, differences: list[str], *, revoked: bool) -> Problem:
    if revoked:
        hint = "A revoked filing is final; file the enterprise again only after checking why it was revoked."
    else:
        hint = "Re-run with --update to change the filing, or make the row match the filing to skip it."
    return Problem(
        "ENT-CHANGED",
        f"{prefix}{differences[0]}",
        f"与已备案信息不同 / enterprise {draft.uscc} is filed with different {', '.join(differences)}",
        hint,
    )


def _header_problems(header: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    missing = sorted(IMPORT_REQUIRED - set(header))
    unknown = sorted(set(header) - IMPORT_REQUIRED - IMPORT_OPTIONAL)
    hint = "Columns: uscc, customs_code, name, roles (required); name_en, dxp_id, contact_name, contact_phone, zone."
    if missing:
        problems.append(Problem("ENT-COLUMNS", "row[1]", f"缺少列 / missing columns: {', '.join(missing)}", hint))
    if unknown:
        problems.append(Problem("ENT-COLUMNS", "row[1]", f"未知列 / unknown columns: {', '.join(unknown)}", hint))
    return problems


def _draft_of(record: Mapping[str, str]) -> EnterpriseDraft:
    return make_draft(
        uscc=record.get("uscc", ""),
        customs_code=record.get("customs_code", ""),
        name=record.get("name", ""),
        name_en=record.get("name_en"),
        dxp_id=record.get("dxp_id"),
        roles=record.get("roles", ""),
        contact_name=record.get("contact_name"),
        contact_phone=record.get("contact_phone"),
        zone=record.get("zone"),
    )


def _draft_of_row(enterprise: Enterprise, cipher: PersonalDataCipher) -> EnterpriseDraft:
    return EnterpriseDraft(
        uscc=enterprise.uscc,
        customs_code=enterprise.customs_code,
        name=enterprise.name,
        name_en=enterprise.name_en,
        dxp_id=enterprise.dxp_id,
        roles=tuple(sorted(grant.role for grant in enterprise.roles)),
        contact_name=_decrypt(cipher, enterprise.contact_name_enc),
        contact_phone=_decrypt(cipher, enterprise.contact_phone_enc),
        zone=enterprise.zone,
    )


def _decrypt(cipher: PersonalDataCipher, token: str | None) -> str | None:
    return cipher.decrypt(token) if token else None


def _encrypt(cipher: PersonalDataCipher, value: str | None) -> str | None:
    return cipher.encrypt(value) if value else None


def _snapshot(draft: EnterpriseDraft, names: list[str] | None = None) -> dict[str, Any]:
    """Return a draft as an audit snapshot, personal fields masked."""
    result: dict[str, Any] = {}
    for name in names or list(EnterpriseDraft.__dataclass_fields__):
        value: Any = getattr(draft, name)
        if name in PERSONAL_FIELDS and value is not None:
            value = PERSONAL_FIELDS[name](value)
        elif name == "roles":
            value = list(value)
        result[name] = value
    return result


def _create(session: Session, ctx: Context, draft: EnterpriseDraft, *, actor: str) -> Enterprise:
    now: datetime = ctx.clock.now()
    enterprise = Enterprise(
        uscc=draft.uscc,
        customs_code=draft.customs_code,
        name=draft.name,
        name_en=draft.name_en,
        dxp_id=draft.dxp_id,
        contact_name_enc=_encrypt(ctx.cipher, draft.contact_name),
        contact_phone_enc=_encrypt(ctx.cipher, draft.contact_phone),
        contact_phone_key=subject_key(ctx.cipher.blind_index, "phone", draft.contact_phone),
        zone=draft.zone,
        status=EnterpriseStatus.PENDING.value,
        filed_at=now,
        updated_at=now,
    )
    repo.set_roles(enterprise, draft.roles)
    repo.add(session, enterprise)
    record_audit(
        session,
        at=now,
        actor=actor,
        action="enterprises.enterprise.filed",
        entity_type=ENTITY,
        entity_key=enterprise.uscc,
        before=None,
        after={**_snapshot(draft), "status": EnterpriseStatus.PENDING.value},
    )
    _publish(session, ctx, enterprise, before=None, reason=None)
    return enterprise


def _publish(session: Session, ctx: Context, enterprise: Enterprise, *, before: str | None, reason: str | None) -> None:
    """Write the filing's new status to the event outbox (信息共享), in the same transaction."""
    emit_filing(
        session,
        at=ctx.clock.now(),
        zone=ctx.settings.zone_customs_code,
        customs_code=enterprise.customs_code,
        uscc=enterprise.uscc,
        name=enterprise.name,
        tenant=enterprise.zone,
        roles=[grant.role for grant in enterprise.roles],
        status=enterprise.status,
        before=before,
        reason=reason,
    )


def _update(session: Session, ctx: Context, enterprise: Enterprise, draft: EnterpriseDraft, *, actor: str) -> None:
    before = _draft_of_row(enterprise, ctx.cipher)
    changed = draft_differences(before, draft)
    now = ctx.clock.now()
    enterprise.customs_code = draft.customs_code
    enterprise.name = draft.name
    enterprise.name_en = draft.name_en
    enterprise.dxp_id = draft.dxp_id
    if "contact_name" in changed:
        enterprise.contact_name_enc = _encrypt(ctx.cipher, draft.contact_name)
    if "contact_phone" in changed:
        enterprise.contact_phone_enc = _encrypt(ctx.cipher, draft.contact_phone)
        enterprise.contact_phone_key = subject_key(ctx.cipher.blind_index, "phone", draft.contact_phone)
    enterprise.zone = draft.zone
    repo.set_roles(enterprise, draft.roles)
    enterprise.updated_at = now
    record_audit(
        session,
        at=now,
        actor=actor,
        action="enterprises.enterprise.updated",
        entity_type=ENTITY,
        entity_key=enterprise.uscc,
        before=_snapshot(before, changed),
        after=_snapshot(draft, changed),
        reason="import --update",
    )


def _read(enterprise: Enterprise, cipher: PersonalDataCipher) -> EnterpriseRead:
    name = _decrypt(cipher, enterprise.contact_name_enc)
    phone = _decrypt(cipher, enterprise.contact_phone_enc)
    return EnterpriseRead(
        id=enterprise.id,
        uscc=enterprise.uscc,
        customs_code=enterprise.customs_code,
        name=enterprise.name,
        name_en=enterprise.name_en,
        dxp_id=enterprise.dxp_id,
        roles=sorted(grant.role for grant in enterprise.roles),
        contact_name=mask_name(name) if name else None,
        contact_phone=mask_phone(phone) if phone else None,
        zone=enterprise.zone,
        status=enterprise.status,
        filed_at=enterprise.filed_at.astimezone(UTC),
        updated_at=enterprise.updated_at.astimezone(UTC),
    )
