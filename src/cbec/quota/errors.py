"""Errors of the personal annual quota ledger (个人年度交易限值台账)."""

from __future__ import annotations

from cbec.common.errors import Conflict, NotFound


class QuotaStatementNotFound(NotFound):
    """No counted inventory matches this ID number and name (deliberately says nothing about which one)."""


class QuotaConsumptionNotFound(NotFound):
    """An inventory to restore quota for never consumed any."""


class QuotaConflict(Conflict):
    """An inventory reference was already used with a different buyer, year or amount."""
