"""Clearance use cases (通关): the import document family of intake, officer actions and daily jobs."""

from cbec.clearance.service.family import IMPORTS
from cbec.clearance.service.officer import (
    InventoryNotHeld,
    JobReport,
    confirm_return_arrival,
    decide_held_inventory,
    run_daily_jobs,
)

__all__ = [
    "IMPORTS",
    "InventoryNotHeld",
    "JobReport",
    "confirm_return_arrival",
    "decide_held_inventory",
    "run_daily_jobs",
]
