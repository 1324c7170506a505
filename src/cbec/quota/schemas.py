"""Request and response shapes of the consumer quota query (个人年度额度查询)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from cbec.common.clock import SHANGHAI
from cbec.quota.rules import QuotaStatement


class QuotaQuery(BaseModel):
    """A consumer's request for their annual quota position."""

    model_config = ConfigDict(extra="forbid")

    id_number: str = Field(min_length=1, max_length=30, description="Resident ID number (18 characters).")
    name: str = Field(min_length=1, max_length=100, description="Name as on the identity card.")
    year: int | None = Field(default=None, ge=2016, le=2100, description="Calendar year; the current one if unset.")


class QuotaStatementEntryRead(BaseModel):
    """One counted inventory."""

    inventory_ref: str
    order_no: str
    platform_name: str
    declared_at: datetime  # Asia/Shanghai
    amount: Decimal
    restored: Decimal


class QuotaStatementRead(BaseModel):
    """A consumer's annual quota position; the ID number and name are masked."""

    id_number: str
    name: str
    year: int
    annual_limit: Decimal
    used: Decimal
    remaining: Decimal
    entries: list[QuotaStatementEntryRead]

    @classmethod
    def from_statement(cls, statement: QuotaStatement) -> QuotaStatementRead:
        """Build the response from a statement."""
        return cls(
            id_number=statement.id_number_masked,
            name=statement.name_masked,
            year=statement.year,
            annual_limit=statement.annual_limit,
            used=statement.used,
            remaining=statement.remaining,
            entries=[
                QuotaStatementEntryRead(
                    inventory_ref=e.inventory_ref,
                    order_no=e.order_no,
                    platform_name=e.platform_name,
                    declared_at=e.declared_at.astimezone(SHANGHAI),
                    amount=e.amount,
                    restored=e.restored,
                )
                for e in statement.entries
            ],
        )
