"""What the risk system answers (pydantic): alerts with their contributions, consume reports, rules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class ContributionRead(BaseModel):
    """A rule that gave points: its band, weight, the value read and why, in both languages."""

    model_config = ConfigDict(frozen=True)

    rule: str
    weight: int
    value: str | None = Field(description="The rule's input as read, a decimal string.")
    band: list[str | None] = Field(description="[lower, upper): the band the value fell in (None: open).")
    inputs: dict[str, str | None] = Field(description="Every input the rule read (its own and its guards').")
    reason_zh: str
    reason_en: str


class AlertRead(BaseModel):
    """One typology of one decision at review or above (预警)."""

    model_config = ConfigDict(frozen=True)

    decision_id: int
    typology: str = Field(description="order_splitting, fake_order, id_misuse, undervaluation, laundering, …")
    eport_no: str
    inventory_no: str | None
    order_no: str
    business_day: date
    decided_at: datetime
    subjects: dict[str, str] = Field(description="Pseudonymous subject keys (blind indexes) and party codes.")
    score: int
    band: str = Field(description="review, hold or reject.")
    outcome: str = Field(
        description="The label of its case once closed: confirmed, valuable or false_positive; snoozed (its rules "
        "are snoozed on its pivot); open otherwise."
    )
    ruleset_version: str
    expected_revenue: Decimal = Field(description="Under-valuation: tax expected lost, CNY (0 for others).")
    contributions: list[ContributionRead]


class ConsumeReport(BaseModel):
    """What one ``cbec risk consume`` did."""

    handled: int
    assessed: int
    alerts: int
    holds: int
    position: int
    blocks: int = 0  # buyer keys blocked by confirmed consumer reports (cbec.risk.conditions.reports)
    lanes: dict[str, int] = {}  # lane -> inventories given it (a lane policy is set)


class RuleRead(BaseModel):
    """A loaded rule."""

    id: str
    typology: str
    input: str
    guards: list[str]
    bands: list[str]
    reason_zh: str
    reason_en: str


class BandsReport(BaseModel):
    """What a refresh of the unit-value bands did: HS6 codes, bands in all (by HS6, origin and brand), lines."""

    hs6: int
    bands: int
    lines: int
    since: date


class DeliverySweepReport(BaseModel):
    """What one ``cbec risk sweep-deliveries`` did (R2.4: parcels with no signing unsigned_days after release)."""

    released_until: date  # the last release day whose deadline has passed
    days: list[date]  # the release days swept this time (each is swept once)
    parcels: int  # released on those days
    unsigned: int  # of them, still out with no signing: each assessed
    alerts: int
    ruleset_version: str


class ExportSweepReport(BaseModel):
    """What one ``cbec risk exports sweep`` did (R5.4: exports without a receipt of payment)."""

    released_until: date
    assessed: int
    alerts: int
    ruleset_version: str
