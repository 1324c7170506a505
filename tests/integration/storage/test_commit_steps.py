"""The unit of work's commit step (cbec.storage.commit): writes kept aside run in rank order at the commit, once,
and a rollback — of the transaction or of a savepoint — takes them back."""

from __future__ import annotations

from sqlalchemy import select

from cbec.audit import record_audit
from cbec.audit.models import AuditRecord
from cbec.intake.models import NumberSequence
from cbec.intake.numbers import next_number
from cbec.storage.commit import finish, pending, take
from cbec.storage.context import Context


def test_steps_run_in_rank_order_once_at_the_commit(ctx: Context) -> None:
    ran: list[tuple[str, list[int]]] = []
    with ctx.uow() as uow:
        late = pending(uow.session, "late", list, lambda _s, state: ran.append(("late", state)), 90)
        early = pending(uow.session, "early", list, lambda _s, state: ran.append(("early", state)), 10)
        late.append(1)
        early.append(2)
        assert pending(uow.session, "late", list, lambda _s, _state: None, 90) is late  # the same state back
        assert ran == []  # nothing before the commit
        uow.commit()
        assert ran == [("early", [2]), ("late", [1])]
        finish(uow.session)  # the steps are gone with their commit
        assert len(ran) == 2


def test_a_rolled_back_transaction_runs_no_step(ctx: Context) -> None:
    ran: list[str] = []
    with ctx.uow() as uow:
        pending(uow.session, "step", list, lambda _s, _state: ran.append("ran"), 10)
        uow.rollback()
        uow.commit()
    with ctx.uow() as uow:
        pending(uow.session, "step", list, lambda _s, _state: ran.append("ran"), 10)
    assert ran == []  # rolled back, then left without a commit


def test_take_writes_a_step_early_and_the_commit_does_not_repeat_it(ctx: Context) -> None:
    ran: list[str] = []
    with ctx.uow() as uow:
        pending(uow.session, "step", list, lambda _s, _state: ran.append("commit"), 10).append(1)
        assert take(uow.session, "step") == [1]
        assert take(uow.session, "step") is None
        uow.commit()
    assert ran == []


def test_numbers_are_written_back_by_the_commit_step_and_not_after_a_rollback(ctx: Context) -> None:
    with ctx.uow() as uow:
        first = [next_number(uow.session, "probe", "2026") for _ in range(3)]
        uow.commit()
    with ctx.uow() as uow:
        [next_number(uow.session, "probe", "2026") for _ in range(5)]
        uow.rollback()
        uow.commit()
    with ctx.uow() as uow:
        following = next_number(uow.session, "probe", "2026")
        stored = uow.session.scalar(select(NumberSequence.next_value).where(NumberSequence.name == "probe"))
    assert first == [1, 2, 3]
    assert following == 4
    assert stored == 5


def test_a_journal_row_appended_in_a_rolled_back_savepoint_is_not_written(ctx: Context) -> None:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        savepoint = uow.session.begin_nested()  # the journals' step is first asked for inside the savepoint
        record_audit(uow.session, at=now, actor="a", action="x.y.undone", entity_type="t", entity_key="gone")
        savepoint.rollback()
        record_audit(uow.session, at=now, actor="a", action="x.y.kept", entity_type="t", entity_key="kept")
        uow.commit()
    with ctx.uow() as uow:
        keys = list(uow.session.scalars(select(AuditRecord.entity_key).where(AuditRecord.entity_type == "t")))
    assert keys == ["kept"]
