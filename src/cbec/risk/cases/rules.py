"""Pure rules of risk disposal (风险处置规则): pivots, typed actions, maker-checker, snoozes, labels and precision.

No database, no clock: the service passes the time in. Every refusal is a ``Problem`` with a stable
``RSK-CASE-…`` rule id, a bilingual message and a hint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from cbec.common.errors import Problem
from cbec.risk.errors import problem


class PivotKind(StrEnum):
    """What a case gathers alerts about (pseudonymous keys or party codes, never personal data)."""

    BUYER = "buyer"
    PHONE = "phone"
    ADDRESS = "address"
    ENTERPRISE = "enterprise"
    PLATFORM = "platform"


# Per typology, the subject kinds tried in order: the first the decision carries is the pivot.
# * order splitting and ID misuse are a person's doing: the buyer (ID number) key;
# * fake orders are rings of buyers sharing a consignee phone or address: the phone key, else the address, else
#   the platform the ring orders on (so six buyers of one ring make one case, not six);
# * under-valuation, laundering, IP infringement and quality are the seller's: the e-commerce enterprise.
PIVOTS: dict[str, tuple[PivotKind, ...]] = {
    "order_splitting": (PivotKind.BUYER, PivotKind.PLATFORM),
    "id_misuse": (PivotKind.BUYER, PivotKind.PHONE, PivotKind.PLATFORM),
    "fake_order": (PivotKind.PHONE, PivotKind.ADDRESS, PivotKind.PLATFORM),
    "undervaluation": (PivotKind.ENTERPRISE, PivotKind.PLATFORM),
    "laundering": (PivotKind.ENTERPRISE, PivotKind.PLATFORM),
    "ip_infringement": (PivotKind.ENTERPRISE, PivotKind.PLATFORM),
    "quality": (PivotKind.ENTERPRISE, PivotKind.PLATFORM),
}
FALLBACK = (PivotKind.ENTERPRISE, PivotKind.PLATFORM, PivotKind.BUYER)
# Rules about a party rather than a person (ruleset 2026.5): an alert given by such rules alone is that party's —
# R1.5's bunching is the platform's week (a platform alert), R2.5's quick cancels and returns the seller's share,
# R2.3's parcel weight off the filing (2026.6) the seller's: it packs and ships the parcel and filed the weights.
# R2.4's delivery rules (2026.6) judge a parcel after release: a false signing (D1) or the seller's parcels never
# signed (D2) is the seller's doing — brushing benefits the shop that sells — so one case per seller gathers them.
RULE_PIVOTS: dict[str, PivotKind] = {
    "S7": PivotKind.PLATFORM,
    "F4": PivotKind.ENTERPRISE,
    "W1": PivotKind.ENTERPRISE,
    "D1": PivotKind.ENTERPRISE,
    "D2": PivotKind.ENTERPRISE,
}


def choose_pivot(typology: str, subjects: Mapping[str, str], rules: Sequence[str] = ()) -> tuple[PivotKind, str] | None:
    """Return the pivot of an alert: the party of its rules when every rule that gave it points is about one party
    (``RULE_PIVOTS``), else the first subject of its typology's order the decision carries."""
    party = {RULE_PIVOTS.get(rule) for rule in rules}
    first = (party.pop(),) if len(party) == 1 and None not in party else ()
    for kind in (*first, *PIVOTS.get(typology, ()), *FALLBACK):
        key = subjects.get(kind.value)
        if key:
            return kind, key
    return None


def open_key(tenant: str | None, kind: str, key: str) -> str:
    """Return the key that is unique among open cases: tenant, pivot kind and pivot key."""
    return f"{tenant or '-'}|{kind}|{key}"[:200]


class CaseState(StrEnum):
    """A case is open until an officer closes it with an outcome."""

    OPEN = "open"
    CLOSED = "closed"


class Outcome(StrEnum):
    """The label a closed case gives its alerts."""

    CONFIRMED = "confirmed"  # the risk was real and acted upon
    VALUABLE = "valuable"  # not a breach, but worth the look (intelligence, a pattern to watch)
    FALSE_POSITIVE = "false_positive"


class ActionKind(StrEnum):
    """What an officer may do on a case (处置措施)."""

    REQUEST_DOCUMENTS = "request_documents"  # 要求补充单证
    INSPECT = "inspect"  # 查验
    HOLD = "hold"  # 扣留 (a hold the pipeline reads as data)
    RETURN = "return"  # 退运 / 拒绝 (two persons)
    REFER_AGENCY = "refer_agency"  # 移交其他部门
    PROPOSE_LIST_ENTRY = "propose_list_entry"  # 提议列入名单 (two persons)
    REPORT_CREDIT = "report_credit"  # 报送信用
    NOTE = "note"  # 备注
    CLOSE = "close"  # 结案 (with an outcome)


class ActionState(StrEnum):
    """An action is done at once, or proposed and then confirmed or rejected by a second officer."""

    DONE = "done"
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


TWO_PERSON = frozenset({ActionKind.RETURN, ActionKind.PROPOSE_LIST_ENTRY})
AGENCIES = ("customs", "tax", "fx", "market", "post", "commerce", "police")
LISTS = ("watch", "block")  # the list a list entry is proposed for
COMMENT_MAX = 2000


@dataclass(frozen=True, slots=True)
class ActionIn:
    """An action as asked: kind, comment, and its detail (agency, outcome, list)."""

    kind: str
    comment: str = ""
    agency: str | None = None
    outcome: str | None = None
    list_name: str | None = None


def check_action(action: ActionIn, *, state: str, pending: int) -> list[Problem]:
    """Return every problem of an action on a case in ``state`` with ``pending`` proposals awaiting a second
    officer (empty: allowed)."""
    found: list[Problem] = []
    if state != CaseState.OPEN:
        return [
            problem(
                "RSK-CASE-CLOSED",
                "case",
                "案件已结案，不能再处置",
                "the case is closed",
                "Open cases only take actions.",
            )
        ]
    kinds = {k.value for k in ActionKind}
    if action.kind not in kinds:
        return [
            problem(
                "RSK-CASE-ACTION",
                "kind",
                f"未知的处置措施：{action.kind}",
                f"unknown action: {action.kind}",
                "Use one of " + ", ".join(sorted(kinds)) + ".",
            )
        ]
    comment = action.comment.strip()
    if len(comment) > COMMENT_MAX:
        found.append(
            problem("RSK-CASE-COMMENT", "comment", "说明过长", "the comment is too long", f"At most {COMMENT_MAX}.")
        )
    if not comment and action.kind in (ActionKind.NOTE, *TWO_PERSON, ActionKind.REFER_AGENCY):
        found.append(
            problem(
                "RSK-CASE-COMMENT",
                "comment",
                "此项措施须填写说明",
                "this action needs a comment",
                "Say why (the second officer and the agencies read it).",
            )
        )
    if action.kind == ActionKind.REFER_AGENCY and action.agency not in AGENCIES:
        found.append(
            problem(
                "RSK-CASE-AGENCY",
                "agency",
                f"未知的移交部门：{action.agency}",
                f"unknown agency: {action.agency}",
                "Use one of " + ", ".join(AGENCIES) + ".",
            )
        )
    if action.kind == ActionKind.PROPOSE_LIST_ENTRY and action.list_name not in LISTS:
        found.append(
            problem(
                "RSK-CASE-LIST",
                "list_name",
                f"未知的名单：{action.list_name}",
                f"unknown list: {action.list_name}",
                "Use one of " + ", ".join(LISTS) + ".",
            )
        )
    if action.kind == ActionKind.CLOSE:
        if action.outcome not in {o.value for o in Outcome}:
            found.append(
                problem(
                    "RSK-CASE-OUTCOME",
                    "outcome",
                    f"结案须给出结论：{action.outcome}",
                    f"closing needs an outcome, got {action.outcome}",
                    "Use confirmed, valuable or false_positive.",
                )
            )
        if pending:
            found.append(
                problem(
                    "RSK-CASE-PENDING",
                    "case",
                    f"尚有 {pending} 项措施待复核，不能结案",
                    f"{pending} action(s) await a second officer",
                    "Confirm or reject them first.",
                )
            )
    return found


def person(actor: str) -> str:
    """Return the account an actor name stands for: an API key acts as ``username:key prefix``, a web session as
    ``username`` — one officer with two keys is still one person."""
    return actor.split(":", 1)[0]


def check_confirm(actor: str, *, maker: str, state: str, decision: str) -> list[Problem]:
    """Return the problems of a second officer's decision on a proposed action (empty: allowed); the proposer is
    recognised by account, whichever key or session they act with."""
    if decision not in ("confirm", "reject"):
        return [
            problem(
                "RSK-CASE-DECISION",
                "decision",
                f"复核结论无效：{decision}",
                f"unknown decision: {decision}",
                "Use confirm or reject.",
            )
        ]
    if state != ActionState.PROPOSED:
        return [
            problem(
                "RSK-CASE-NOT-PENDING",
                "action",
                f"该措施不在待复核状态（{state}）",
                f"the action is not awaiting a second officer ({state})",
                "Only proposed actions are confirmed or rejected.",
            )
        ]
    if person(actor) == person(maker):
        return [
            problem(
                "RSK-CASE-SELF-APPROVAL",
                "actor",
                "提议人不能复核自己的提议（须另一名关员）",
                "the officer who proposed the action cannot confirm or reject it",
                "A second officer decides.",
            )
        ]
    return []


@dataclass(frozen=True, slots=True)
class Snooze:
    """A rule silenced on a pivot until a time."""

    rule: str
    pivot_kind: str
    pivot_key: str
    until: datetime


def in_force(snoozes: Iterable[Snooze], now: datetime) -> list[Snooze]:
    """Return the snoozes that have not expired at ``now`` (a snooze ends at ``until``, exclusive)."""
    return [s for s in snoozes if now < s.until]


def is_snoozed(rules: Sequence[str], pivot: tuple[str, str], snoozes: Iterable[Snooze], now: datetime) -> bool:
    """Tell whether an alert is silenced: every rule that gave it points is snoozed on its pivot at ``now``."""
    silenced = {s.rule for s in in_force(snoozes, now) if (s.pivot_kind, s.pivot_key) == pivot}
    return bool(rules) and set(rules) <= silenced


def check_snooze(rule: str, known_rules: Iterable[str], days: int) -> list[Problem]:
    """Return the problems of a snooze (an unknown rule, a length outside 1 … 365 days)."""
    found = []
    if rule not in set(known_rules):
        found.append(
            problem("RSK-CASE-SNOOZE", "rule", f"未知的规则：{rule}", f"unknown rule: {rule}", "Name a loaded rule.")
        )
    if not 1 <= days <= 365:
        found.append(
            problem(
                "RSK-CASE-SNOOZE",
                "days",
                f"静默天数须在 1 至 365 之间：{days}",
                f"a snooze lasts 1 to 365 days, got {days}",
                "Give a number of days between 1 and 365.",
            )
        )
    return found


# --- review ------------------------------------------------------------------------------------------------

FOUR = Decimal("0.0001")


def precision(true: int, labelled: int) -> Decimal | None:
    """(confirmed + valuable) / labelled, to four places half-up; None before any label."""
    if labelled == 0:
        return None
    return (Decimal(true) / Decimal(labelled)).quantize(FOUR, ROUND_HALF_UP)


def iso_week(day: date) -> str:
    """Return the ISO week of a business day, e.g. 2026-W09."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True, slots=True)
class Labelled:
    """What the review reads of one alert."""

    typology: str
    rules: tuple[str, ...]
    business_day: date
    outcome: str | None
    snoozed: bool


@dataclass(slots=True)
class Tally:
    """The review figures of one rule or typology."""

    alerts: int = 0
    snoozed: int = 0
    labelled: int = 0
    true: int = 0  # confirmed + valuable
    false_positives: int = 0
    weeks: dict[str, int] = field(default_factory=dict)

    def add(self, alert: Labelled) -> None:
        """Count one alert."""
        self.alerts += 1
        self.snoozed += int(alert.snoozed)
        week = iso_week(alert.business_day)
        self.weeks[week] = self.weeks.get(week, 0) + 1
        if alert.outcome is None:
            return
        self.labelled += 1
        if alert.outcome in (Outcome.CONFIRMED, Outcome.VALUABLE):
            self.true += 1
        elif alert.outcome == Outcome.FALSE_POSITIVE:
            self.false_positives += 1

    @property
    def precision(self) -> Decimal | None:
        """(confirmed + valuable) / labelled."""
        return precision(self.true, self.labelled)


def tally(alerts: Iterable[Labelled]) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """Return the review figures per rule and per typology (an alert counts once for each rule that fired)."""
    by_rule: dict[str, Tally] = {}
    by_typology: dict[str, Tally] = {}
    for alert in alerts:
        by_typology.setdefault(alert.typology, Tally()).add(alert)
        for rule in alert.rules:
            by_rule.setdefault(rule, Tally()).add(alert)
    return dict(sorted(by_rule.items())), dict(sorted(by_typology.items()))
