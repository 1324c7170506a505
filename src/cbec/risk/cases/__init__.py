"""Risk disposal and review (风险处置与复盘): cases per pivot, typed actions with maker-checker, snoozes, labels.

Alerts (typologies of ``risk_decision`` at review or above) are filed into the open case of their pivot
(``gather``); officers act on cases (``act``; a second officer ``confirm``s returns and list entries), silence a
rule on a pivot (``snooze``) and close a case with an outcome that labels its alerts; ``review`` reads precision
and volume per rule and typology. Transports import this package, never its modules.
"""

from cbec.risk.cases.actions import act, confirm, snooze
from cbec.risk.cases.errors import CaseConflict, CaseForbidden, CaseNotFound
from cbec.risk.cases.filing import gather
from cbec.risk.cases.queries import cases_of_alerts, list_cases, list_snoozes, review, rule_meanings, show_case
from cbec.risk.cases.rules import AGENCIES, LISTS, ActionKind, Outcome, PivotKind
from cbec.risk.cases.schemas import (
    ActionCreate,
    ActionDecision,
    ActionRead,
    CaseDetail,
    CaseRead,
    GatherReport,
    ReviewRead,
    SnoozeCreate,
    SnoozeRead,
)

__all__ = [
    "AGENCIES",
    "LISTS",
    "ActionCreate",
    "ActionDecision",
    "ActionKind",
    "ActionRead",
    "CaseConflict",
    "CaseDetail",
    "CaseForbidden",
    "CaseNotFound",
    "CaseRead",
    "GatherReport",
    "Outcome",
    "PivotKind",
    "ReviewRead",
    "SnoozeCreate",
    "SnoozeRead",
    "act",
    "cases_of_alerts",
    "confirm",
    "gather",
    "list_cases",
    "list_snoozes",
    "review",
    "rule_meanings",
    "show_case",
    "snooze",
]
