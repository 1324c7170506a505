"""Entity conditions, pure: the spans a subject is held in, and the refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cbec.risk.conditions import Condition, ConditionKind, check_condition, hold_windows

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)


def c(id_: int, kind: ConditionKind, start: int, end: int | None, lifted: int | None = None) -> Condition:
    return Condition(
        id_, kind, "r", T0 + start * H, T0 + end * H if end is not None else None, T0 + lifted * H if lifted else None
    )


def spans(conditions: list[Condition], at: int = 0) -> list[tuple[int, int, int | None]]:
    return [
        (cond.id, int((s - T0) / H), int((e - T0) / H) if e is not None else None)
        for cond, (s, e) in hold_windows(conditions, T0 + at * H)
    ]


def test_an_override_cuts_a_block_and_never_a_hard_block() -> None:
    block, hard = c(1, ConditionKind.BLOCK, 0, 10), c(2, ConditionKind.HARD_BLOCK, 0, None)
    over = c(3, ConditionKind.OVERRIDE, 2, 4)
    assert spans([block, hard, over]) == [(1, 0, 2), (1, 4, 10), (2, 0, None)]
    assert spans([block, c(4, ConditionKind.OVERRIDE, 0, None)]) == []  # an open override suspends it for good
    assert spans([block, over], at=5) == [(1, 4, 10)]  # spans over by now are left out
    assert spans([block], at=10) == []  # expired


def test_a_lifted_block_ends_when_lifted_and_overlapping_overrides_merge() -> None:
    assert spans([c(1, ConditionKind.BLOCK, 0, 10, lifted=3)]) == [(1, 0, 3)]
    overs = [c(2, ConditionKind.OVERRIDE, 1, 3), c(3, ConditionKind.OVERRIDE, 2, 5), c(4, ConditionKind.OVERRIDE, 7, 8)]
    assert spans([c(1, ConditionKind.BLOCK, 0, None), *overs]) == [(1, 0, 1), (1, 5, 7), (1, 8, None)]


def test_the_refusals() -> None:
    ids = lambda found: [p.rule_id for p in found]  # noqa: E731
    hard = [c(9, ConditionKind.HARD_BLOCK, 0, 5)]
    assert ids(check_condition("override", "buyer", "k", "AEO", T0, None, hard)) == ["RSK-COND-HARD"]
    assert ids(check_condition("override", "buyer", "k", "AEO", T0 + 5 * H, None, hard)) == []  # after it ended
    assert ids(check_condition("block", "buyer", "k", "x", T0, None, hard)) == []
    assert ids(check_condition("freeze", "payer", " ", " ", T0, T0, [])) == [
        "RSK-COND-KIND",
        "RSK-COND-SUBJECT",
        "RSK-COND-REASON",
        "RSK-COND-UNTIL",
    ]
