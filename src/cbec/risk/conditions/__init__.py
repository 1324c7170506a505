"""Entity conditions (实体条件, EFRuP): blocks, non-overridable blocks and overrides on a buyer, an enterprise or one
inventory, with expiry, kept as supervision hold measures that clearance reads synchronously (docs/risk.md)."""

from cbec.risk.conditions.rules import Condition, ConditionKind, check_condition, hold_windows
from cbec.risk.conditions.schemas import ConditionCreate, ConditionRead
from cbec.risk.conditions.service import (
    SOURCE,
    ConditionConflict,
    ConditionNotFound,
    lift_condition,
    list_conditions,
    place_condition,
    place_in,
)

__all__ = [
    "SOURCE",
    "Condition",
    "ConditionConflict",
    "ConditionCreate",
    "ConditionKind",
    "ConditionNotFound",
    "ConditionRead",
    "check_condition",
    "hold_windows",
    "lift_condition",
    "list_conditions",
    "place_condition",
    "place_in",
]
