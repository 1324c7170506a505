"""What the ruleset-version use cases answer (pydantic): versions, shadow reports, backtest reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class VersionRead(BaseModel):
    """A ruleset version and its maker-checker trail."""

    model_config = ConfigDict(frozen=True)

    version: str
    sha256: str
    state: str = Field(description="draft, shadow, published or retired.")
    author: str
    approver: str | None
    created_at: datetime
    shadow_at: datetime | None
    published_at: datetime | None
    retired_at: datetime | None
    rules: int
    body: str | None = Field(None, description="The JSON document (only when one version is shown).")


class VolumeRow(BaseModel):
    """Decisions of one typology reaching one band: live, shadow and the difference."""

    typology: str
    band: str
    live: int
    shadow: int
    delta: int


class ShadowReport(BaseModel):
    """The volume delta of a shadow version against the live decisions over a period."""

    version: str
    since: datetime | None
    until: datetime | None
    decisions: int = Field(description="Inventories both the live and the shadow version decided.")
    rows: list[VolumeRow]


class BacktestTypology(BaseModel):
    """One typology in a backtest: alerts (review or above) live and candidate, band changes, precision."""

    typology: str
    live_alerts: int
    candidate_alerts: int
    band_changes: dict[str, int] = Field(description="'live→candidate' band pairs that differ, with counts.")
    labelled: int = Field(description="Candidate alerts with an outcome (0 when no labels exist).")
    precision: float | None = Field(description="Confirmed share of the labelled candidate alerts, if any.")


class BacktestReport(BaseModel):
    """A candidate version evaluated over the inputs of stored decisions."""

    version: str
    sha256: str
    since: datetime | None
    until: datetime | None
    decisions: int
    changed: int = Field(description="Decisions whose overall band changes.")
    missing_inputs: list[str] = Field(description="Inputs the candidate reads that no stored trace holds.")
    labels: bool = Field(description="Whether stored decisions carry outcomes (labels).")
    seconds: float
    cpu_seconds: float = Field(
        0.0, description="CPU seconds of the scanning processes (the database's included on SQLite)."
    )
    workers: int
    typologies: list[BacktestTypology]
    ml_terms: int | None = Field(
        None, description="Decisions carrying the ML term, kept in the candidate's score (None: a snapshot backtest)."
    )
    score_changed: int | None = Field(
        None,
        description="Decisions whose score (rules + ML term: what the lanes rank) differs (None: a snapshot backtest).",
    )

    def as_json(self) -> dict[str, Any]:
        """Return the report as JSON data."""
        return self.model_dump(mode="json")
