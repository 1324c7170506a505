"""Delegations to declaring agents (委托申报授权): grant, revoke, list."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from cbec.accounts import repository as repo
from cbec.accounts.errors import AccountInvalid, AccountNotFound, NotAllowed
from cbec.accounts.models import Delegation
from cbec.accounts.rules import DELEGABLE, scope_problems
from cbec.accounts.schemas import DelegationCreate, DelegationRead
from cbec.audit import record_audit
from cbec.common.errors import Problem
from cbec.common.scope import Scope
from cbec.enterprises import EnterpriseRole, EnterpriseStatus
from cbec.enterprises.lookups import find_by_code
from cbec.storage.context import Context


def grant_delegation(
    ctx: Context, data: DelegationCreate, *, grantor_code: str, actor: str, scope: Scope | None = None
) -> DelegationRead:
    """Record an enterprise's mandate to a declaring agent, with its scopes and validity, audited."""
    now = ctx.clock.now()
    valid_from = data.valid_from or now
    problems = scope_problems(data.scopes, DELEGABLE)
    if not data.scopes:
        problems.append(
            Problem("ACC-SCOPE", "scopes", "a mandate needs at least one scope", "Choose what to delegate.")
        )
    naive = [name for name, value in (("valid_from", valid_from), ("valid_to", data.valid_to)) if value.tzinfo is None]
    problems.extend(
        Problem("ACC-TIME", name, "the time needs a time zone", "Give an offset, e.g. +08:00.") for name in naive
    )
    if not naive and data.valid_to <= valid_from:
        problems.append(Problem("ACC-VALIDITY", "valid_to", "the mandate ends before it starts", "Give a later end."))
    with ctx.uow() as uow:
        session = uow.session
        grantor = find_by_code(session, grantor_code)
        agent = find_by_code(session, data.agent_code)
        if grantor is None or (scope is not None and not _admits(scope, grantor)):
            raise NotAllowed(f"you cannot delegate for {grantor_code}", grantor_code=grantor_code)
        if grantor.status != EnterpriseStatus.APPROVED:
            problems.append(
                Problem(
                    "ACC-GRANTOR",
                    "grantor_code",
                    f"委托企业未获批准 / {grantor.customs_code} is {grantor.status}",
                    "Only an approved enterprise can delegate.",
                )
            )
        if (
            agent is None
            or agent.status != EnterpriseStatus.APPROVED
            or EnterpriseRole.DECLARING_AGENT not in agent.roles
        ):
            problems.append(
                Problem(
                    "ACC-AGENT",
                    "agent_code",
                    f"{data.agent_code} 不是已备案批准的申报企业 / is not an approved declaring agent",
                    "Delegate to an enterprise filed and approved as declaring_agent (申报企业).",
                )
            )
        elif agent.customs_code == grantor.customs_code:
            problems.append(
                Problem("ACC-AGENT", "agent_code", "an enterprise cannot delegate to itself", "Name the agent.")
            )
        if problems:
            raise AccountInvalid("the mandate breaks one or more rules", problems=problems)
        assert agent is not None
        row = Delegation(
            grantor_code=grantor.customs_code,
            agent_code=agent.customs_code,
            scopes=sorted(set(data.scopes)),
            valid_from=valid_from,
            valid_to=data.valid_to,
            granted_by=actor,
            granted_at=now,
            reason=data.reason,
        )
        session.add(row)
        session.flush()
        record_audit(
            session,
            at=now,
            actor=actor,
            action="accounts.delegation.granted",
            entity_type="delegation",
            entity_key=str(row.id),
            after=_delegation_snapshot(row),
            reason=data.reason,
        )
        uow.commit()
        return _delegation_read(row)


def revoke_delegation(
    ctx: Context, delegation_id: int, *, reason: str, actor: str, scope: Scope | None = None
) -> DelegationRead:
    """End a mandate before its time (the grantor's own, or one in the scope), audited."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        row = repo.delegation_by_id(session, delegation_id)
        grantor = find_by_code(session, row.grantor_code) if row is not None else None
        if row is None or (scope is not None and (grantor is None or not _admits(scope, grantor))):
            raise AccountNotFound(f"no delegation {delegation_id}", delegation_id=delegation_id)
        if row.revoked_at is not None:
            raise AccountInvalid(
                f"delegation {delegation_id} is already revoked",
                problems=[Problem("ACC-REVOKED", "id", "委托已撤销 / already revoked", "Nothing to do.")],
            )
        if not reason.strip():
            raise AccountInvalid(
                "a reason is required",
                problems=[Problem("ACC-REASON", "reason", "须说明撤销原因 / a reason is required", "Say why.")],
            )
        row.revoked_at = now
        row.revoked_by = actor
        record_audit(
            session,
            at=now,
            actor=actor,
            action="accounts.delegation.revoked",
            entity_type="delegation",
            entity_key=str(row.id),
            before={"revoked_at": None},
            after={"revoked_at": now.astimezone(UTC).isoformat()},
            reason=reason.strip(),
        )
        uow.commit()
        return _delegation_read(row)


def list_delegations(ctx: Context, *, scope: Scope | None = None) -> list[DelegationRead]:
    """Return the mandates whose grantor or agent lies in the scope, oldest first."""
    with ctx.uow() as uow:
        session = uow.session
        parties = scope.parties if scope is not None else None
        rows = repo.delegations_of(session, parties)
        if scope is None or scope.tenant is None:
            return [_delegation_read(row) for row in rows]
        visible: list[DelegationRead] = []
        zones: dict[str, str | None] = {}
        for row in rows:
            for code in (row.grantor_code, row.agent_code):
                if code not in zones:
                    ref = find_by_code(session, code)
                    zones[code] = ref.zone if ref is not None else None
            if any(
                zone is not None and scope.admits_tenant(zone)
                for zone in (zones[row.grantor_code], zones[row.agent_code])
            ):
                visible.append(_delegation_read(row))
        return visible


def _admits(scope: Scope, enterprise: Any) -> bool:
    return scope.admits_tenant(enterprise.zone) and scope.admits_party((enterprise.customs_code, enterprise.uscc))


def _delegation_snapshot(row: Delegation) -> dict[str, Any]:
    return {
        "grantor_code": row.grantor_code,
        "agent_code": row.agent_code,
        "scopes": list(row.scopes),
        "valid_from": row.valid_from.astimezone(UTC).isoformat(),
        "valid_to": row.valid_to.astimezone(UTC).isoformat(),
    }


def _delegation_read(row: Delegation) -> DelegationRead:
    return DelegationRead(
        id=row.id,
        grantor_code=row.grantor_code,
        agent_code=row.agent_code,
        scopes=list(row.scopes),
        valid_from=row.valid_from.astimezone(UTC),
        valid_to=row.valid_to.astimezone(UTC),
        granted_by=row.granted_by,
        granted_at=row.granted_at.astimezone(UTC),
        revoked_by=row.revoked_by,
        revoked_at=row.revoked_at.astimezone(UTC) if row.revoked_at else None,
        reason=row.reason,
    )
