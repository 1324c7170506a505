"""Entity conditions (实体条件) use cases: place, lift, list — each one transaction.

A change rewrites the subject's supervision hold measures (source ``risk_entity``) from the subject's conditions
(``hold_windows``), so clearance holds the subject's inventories synchronously in intake from the measures it
already reads once per message — it never reads this table, nor imports risk. An expired or lifted block leaves no
measure in force.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.errors import Conflict, NotFound
from cbec.risk.conditions.models import RiskCondition
from cbec.risk.conditions.rules import Condition, ConditionKind, check_condition, hold_windows, measure_reason
from cbec.risk.conditions.schemas import ConditionCreate, ConditionRead
from cbec.risk.errors import RiskInvalid, problem
from cbec.storage.context import Context
from cbec.supervision import MeasureKind, MeasureSpec, Subject, SubjectKind, replace_measures

SOURCE = "risk_entity"


class ConditionNotFound(NotFound):
    """No condition answers to the number given."""


class ConditionConflict(Conflict):
    """A non-overridable block refuses an override."""


def _plain(row: RiskCondition) -> Condition:
    return Condition(row.id, ConditionKind(row.kind), row.reason, row.valid_from, row.valid_until, row.lifted_at)


def _read(row: RiskCondition, now: datetime) -> ConditionRead:
    return ConditionRead(
        id=row.id,
        subject_kind=row.subject_kind,
        subject_key=row.subject_key,
        kind=row.kind,
        reason=row.reason,
        origin=row.origin,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        created_by=row.created_by,
        created_at=row.created_at,
        lifted_at=row.lifted_at,
        lifted_by=row.lifted_by,
        in_force=_plain(row).covers(now),
    )


def _of_subject(session: Session, subject: Subject) -> list[RiskCondition]:
    stmt = select(RiskCondition).where(
        RiskCondition.subject_kind == subject[0].value, RiskCondition.subject_key == subject[1]
    )
    return list(session.scalars(stmt.order_by(RiskCondition.id)))


def _reference(condition: Condition, start: datetime) -> str:
    return f"risk condition {condition.id} {condition.kind.value} from {start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def _sync(session: Session, subject: Subject, at: datetime, actor: str) -> None:
    """Make the subject's ``risk_entity`` hold measures exactly the spans its conditions hold it in."""
    windows = hold_windows([_plain(row) for row in _of_subject(session, subject)], at)
    specs = [
        # the span's start is in the reference, so a span moved by an override is a changed measure
        MeasureSpec(MeasureKind.HOLD, _reference(c, start), measure_reason(c), start, end)
        for c, (start, end) in windows
    ]
    replace_measures(session, source=SOURCE, wanted={subject: specs}, at=at, actor=actor)


def place_in(session: Session, data: ConditionCreate, *, origin: str, actor: str, at: datetime) -> RiskCondition:
    """Place a condition inside the caller's transaction (a case's confirmed list entry uses this)."""
    valid_from = data.valid_from or at
    key = data.subject_key.strip()
    kind = SubjectKind(data.subject_kind) if data.subject_kind in SubjectKind.__members__.values() else None
    existing = [_plain(r) for r in _of_subject(session, (kind, key))] if kind is not None else []
    problems = check_condition(data.kind, data.subject_kind, key, data.reason, valid_from, data.valid_until, existing)
    if problems:
        error = ConditionConflict if {p.rule_id for p in problems} == {"RSK-COND-HARD"} else RiskInvalid
        raise error("the condition is refused", problems=problems)
    assert kind is not None
    if kind is SubjectKind.ENTERPRISE:
        key = key.upper()  # supervision keys enterprises by upper-case code
    row = RiskCondition(
        subject_kind=kind.value,
        subject_key=key,
        kind=data.kind,
        reason=data.reason.strip(),
        origin=origin,
        valid_from=valid_from,
        valid_until=data.valid_until,
        created_by=actor,
        created_at=at,
    )
    session.add(row)
    session.flush()
    record_audit(
        session,
        at=at,
        actor=actor,
        action=f"risk.condition.{row.kind}",
        entity_type="risk_condition",
        entity_key=str(row.id),
        after={"subject": f"{row.subject_kind}:{row.subject_key}", "kind": row.kind, "origin": origin},
        reason=row.reason[:500],
    )
    _sync(session, (kind, key), at, actor)
    return row


def place_condition(ctx: Context, data: ConditionCreate, *, actor: str) -> ConditionRead:
    """Place a block, a non-overridable block or an override on a subject; its holds take effect at once."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        row = place_in(uow.session, data, origin="officer", actor=actor, at=now)
        result = _read(row, now)
        uow.commit()
    return result


def lift_condition(ctx: Context, condition_id: int, *, reason: str, actor: str) -> ConditionRead:
    """Lift a condition now (a non-overridable block too: after review); the subject's holds follow at once."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        row = session.get(RiskCondition, condition_id)
        if row is None:
            raise ConditionNotFound(
                f"no condition {condition_id}",
                problems=[
                    problem(
                        "RSK-COND-NOT-FOUND",
                        "condition",
                        f"没有编号为 {condition_id} 的实体条件",
                        f"no condition {condition_id}",
                        "List the conditions to find the number.",
                    )
                ],
            )
        if not reason.strip() or row.lifted_at is not None:
            rule = "RSK-COND-REASON" if not reason.strip() else "RSK-COND-LIFTED"
            raise RiskInvalid(
                "the lift is refused",
                problems=[
                    problem(rule, "reason", "须说明理由", "a reason is required", "Say why.")
                    if rule == "RSK-COND-REASON"
                    else problem(rule, "condition", "条件已撤销", "the condition is lifted already", "Nothing to do.")
                ],
            )
        row.lifted_at, row.lifted_by = now, actor
        session.flush()
        record_audit(
            session,
            at=now,
            actor=actor,
            action="risk.condition.lifted",
            entity_type="risk_condition",
            entity_key=str(row.id),
            reason=reason.strip()[:500],
        )
        _sync(session, (SubjectKind(row.subject_kind), row.subject_key), now, actor)
        result = _read(row, now)
        uow.commit()
    return result


def list_conditions(ctx: Context, *, subject_key: str | None = None, in_force: bool = False) -> list[ConditionRead]:
    """Return the conditions (of one subject key), newest first; ``in_force`` keeps those in force now."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        stmt = select(RiskCondition).order_by(RiskCondition.id.desc())
        if subject_key is not None:
            stmt = stmt.where(RiskCondition.subject_key.in_([subject_key, subject_key.upper()]))
        rows = [_read(row, now) for row in uow.session.scalars(stmt)]
        uow.commit()
    return [r for r in rows if r.in_force or not in_force]
