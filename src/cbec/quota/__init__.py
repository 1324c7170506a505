"""Personal annual quota ledger (个人年度交易限值台账): the public surface of the quota domain."""

from cbec.quota.book import QuantityClaim, QuotaBook
from cbec.quota.errors import QuotaConflict, QuotaConsumptionNotFound, QuotaStatementNotFound
from cbec.quota.rules import (
    DEFAULT_ANNUAL_LIMIT,
    QuantityDecision,
    QuotaDecision,
    QuotaStatement,
    QuotaStatementEntry,
    quota_year,
)
from cbec.quota.service import (
    buyer_key_for,
    name_key_for,
    query_quota,
    reserve,
    reserve_quantity,
    restore,
    restore_all_quantities,
    restore_quantity,
    used,
    used_quantity,
)

__all__ = [
    "DEFAULT_ANNUAL_LIMIT",
    "QuantityClaim",
    "QuantityDecision",
    "QuotaBook",
    "QuotaConflict",
    "QuotaConsumptionNotFound",
    "QuotaDecision",
    "QuotaStatement",
    "QuotaStatementEntry",
    "QuotaStatementNotFound",
    "buyer_key_for",
    "name_key_for",
    "query_quota",
    "quota_year",
    "reserve",
    "reserve_quantity",
    "restore",
    "restore_all_quantities",
    "restore_quantity",
    "used",
    "used_quantity",
]
