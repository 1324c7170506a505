"""Supervision measures (监管措施): holds and inspection rates that credit, risk and officers ask clearance to apply.

A shared domain below the document domains: credit and risk (read-side systems) write measures here, clearance
reads them when it decides an inventory, and neither side imports the other. The decision policy that applies
them (``DecisionPolicy``: release, review or inspection) is here too, shared by imports and exports.
"""

from cbec.supervision.decision import Decision, DecisionPolicy, ExtraCheck, InventoryFacts, Outcome
from cbec.supervision.errors import SupervisionInvalid
from cbec.supervision.rules import (
    Facilitation,
    Guarantee,
    Measure,
    MeasureKind,
    Subject,
    SubjectKind,
    applying,
    facilitation,
    holds,
    inspection_probability,
    level_rate,
    subjects_of,
)
from cbec.supervision.service import MeasureSpec, add_measure, measures_in_force, replace_measures

__all__ = [
    "Decision",
    "DecisionPolicy",
    "ExtraCheck",
    "Facilitation",
    "Guarantee",
    "InventoryFacts",
    "Measure",
    "MeasureKind",
    "MeasureSpec",
    "Outcome",
    "Subject",
    "SubjectKind",
    "SupervisionInvalid",
    "add_measure",
    "applying",
    "facilitation",
    "holds",
    "inspection_probability",
    "level_rate",
    "measures_in_force",
    "replace_measures",
    "subjects_of",
]
