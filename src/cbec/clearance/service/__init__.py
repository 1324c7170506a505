"""Clearance use cases (通关): intake of messages, officer actions and daily jobs."""

from cbec.clearance.service.intake import IngestResult, SenderNotAllowed, ingest_message
from cbec.clearance.service.officer import (
    InventoryNotHeld,
    JobReport,
    confirm_return_arrival,
    decide_held_inventory,
    run_daily_jobs,
)
from cbec.clearance.service.processor import DocumentOutcome

__all__ = [
    "DocumentOutcome",
    "IngestResult",
    "InventoryNotHeld",
    "JobReport",
    "SenderNotAllowed",
    "confirm_return_arrival",
    "decide_held_inventory",
    "ingest_message",
    "run_daily_jobs",
]
