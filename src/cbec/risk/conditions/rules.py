"""Pure rules of entity conditions (实体条件, Tazama's EFRuP): when a subject's inventories are held.

A condition names one subject — a buyer (keyed hash), an enterprise (code) or one inventory (E-port number) — and
is one of

* ``block`` (可撤销拦截): its inventories go to manual review (300) while it is in force, unless an ``override``
  covers the moment;
* ``hard_block`` (不可撤销拦截, e.g. a serious-list hit or a confirmed consumer report): held whatever overrides
  exist; an override asked while one is in force is refused (``RSK-COND-HARD``);
* ``override`` (豁免, e.g. an AEO white-listing): suspends the subject's ``block`` conditions while in force.

Each condition runs from ``valid_from`` until ``valid_until`` (open when None) or until it is lifted, whichever
comes first. ``hold_windows`` gives the spans in which the subject is held: each block's span minus the overrides'
spans, each hard block's span whole. The spans become supervision hold measures (the data clearance reads).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cbec.common.errors import Problem
from cbec.risk.errors import problem
from cbec.supervision import SubjectKind


class ConditionKind(StrEnum):
    """What a condition does to its subject's inventories."""

    OVERRIDE = "override"
    BLOCK = "block"
    HARD_BLOCK = "hard_block"


NAMES = {
    ConditionKind.OVERRIDE: ("豁免", "override"),
    ConditionKind.BLOCK: ("拦截", "block"),
    ConditionKind.HARD_BLOCK: ("不可撤销拦截", "non-overridable block"),
}
SUBJECTS = (SubjectKind.BUYER, SubjectKind.ENTERPRISE, SubjectKind.INVENTORY)


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition as the rules see it."""

    id: int
    kind: ConditionKind
    reason: str
    valid_from: datetime
    valid_until: datetime | None
    lifted_at: datetime | None = None

    @property
    def end(self) -> datetime | None:
        """Return when the condition stops (None: open)."""
        ends = [t for t in (self.valid_until, self.lifted_at) if t is not None]
        return min(ends) if ends else None

    def covers(self, at: datetime) -> bool:
        """Tell whether the condition is in force at a moment."""
        return self.valid_from <= at and (self.end is None or at < self.end)


Span = tuple[datetime, datetime | None]  # [start, end), end None: open


def _minus(span: Span, cuts: Sequence[Span]) -> list[Span]:
    """Return a span with the cut spans taken out, in order."""
    pieces = [span]
    for cut_start, cut_end in sorted(cuts, key=lambda s: s[0]):
        kept: list[Span] = []
        for start, end in pieces:
            if (end is not None and end <= cut_start) or (cut_end is not None and cut_end <= start):
                kept.append((start, end))
                continue
            if start < cut_start:
                kept.append((start, cut_start))
            if cut_end is not None and (end is None or cut_end < end):
                kept.append((cut_end, end))
        pieces = kept
    return pieces


def hold_windows(conditions: Sequence[Condition], at: datetime) -> list[tuple[Condition, Span]]:
    """Return the spans in which each block holds the subject that have not ended at ``at`` (by condition, then
    start)."""
    overrides = [(c.valid_from, c.end) for c in conditions if c.kind is ConditionKind.OVERRIDE]
    found: list[tuple[Condition, Span]] = []
    for c in sorted(conditions, key=lambda c: c.id):
        if c.kind is ConditionKind.OVERRIDE or (c.end is not None and c.end <= at):
            continue
        spans = _minus((c.valid_from, c.end), overrides if c.kind is ConditionKind.BLOCK else [])
        for start, end in spans:
            if end is None or end > at:
                found.append((c, (start, end)))
    return found


def check_condition(
    kind: str,
    subject_kind: str,
    subject_key: str,
    reason: str,
    valid_from: datetime,
    valid_until: datetime | None,
    existing: Sequence[Condition],
) -> list[Problem]:
    """Return every problem of a new condition on a subject that already has ``existing`` ones."""
    found: list[Problem] = []
    if kind not in ConditionKind.__members__.values():
        found.append(
            problem(
                "RSK-COND-KIND",
                "kind",
                f"未知的实体条件：{kind}",
                f"unknown condition {kind}",
                "Use block, hard_block or override.",
            )
        )
    if subject_kind not in SUBJECTS or not subject_key.strip():
        found.append(
            problem(
                "RSK-COND-SUBJECT",
                "subject",
                f"条件主体无效：{subject_kind}:{subject_key}",
                f"invalid subject {subject_kind}:{subject_key}",
                "Name a buyer (keyed hash), an enterprise (code) or an inventory (E-port number).",
            )
        )
    if not reason.strip():
        found.append(problem("RSK-COND-REASON", "reason", "须说明理由", "a reason is required", "Say why."))
    if valid_until is not None and valid_until <= valid_from:
        found.append(
            problem(
                "RSK-COND-UNTIL",
                "valid_until",
                "结束时间须晚于开始时间",
                "a condition must end after it starts",
                "Give a later end, or none for an open condition.",
            )
        )
    if kind == ConditionKind.OVERRIDE:
        hard = [
            c
            for c in existing
            if c.kind is ConditionKind.HARD_BLOCK
            and (c.end is None or c.end > valid_from)
            and (valid_until is None or c.valid_from < valid_until)
        ]
        if hard:
            found.append(
                problem(
                    "RSK-COND-HARD",
                    "kind",
                    f"主体有不可撤销拦截（条件 {hard[0].id}），不能豁免",
                    f"the subject has a non-overridable block (condition {hard[0].id}): no override",
                    "Lift the non-overridable block after review first.",
                )
            )
    return found


def measure_reason(condition: Condition) -> str:
    """Return the reason the officer reads on the dossier of a held inventory (zh / en)."""
    zh, en = NAMES[condition.kind]
    return f"风险实体条件 {condition.id}（{zh}）：{condition.reason} / risk entity condition {condition.id} ({en})"
