"""Settings of the platform, read once from the environment (prefix CBEC_)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every tunable of cbec; nothing else in the code reads the environment."""

    model_config = SettingsConfigDict(env_prefix="CBEC_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Where the SQLite file and the local key live.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite file in data_dir if unset.")
    now: datetime | None = Field(default=None, description="Fixed platform clock, for deterministic replays.")
    data_key: str | None = Field(
        default=None, description="Base64 32-byte key for personal data; a local key file is made if unset."
    )
    edition: str = Field(default="202205", description="CEB edition rendered by default (2018 or 202205).")
    zone_customs_code: str = Field(default="4601", description="4-digit customs district of this zone.")
    random_inspection_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    random_review_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    random_seed: int | None = None
    max_message_bytes: int = Field(default=10 * 1024 * 1024, description="Largest CEB message accepted.")
    tax_rounding_variant: str = Field(default="A", description="Ruling 1: A (default) or B.")
    return_holiday_extension: bool = Field(default=False, description="Ruling 6: extend windows past holidays.")
    review_value_at_or_above: Decimal | None = Field(
        default=None, description="Hold inventories with a dutiable value at or above this for manual review."
    )
    identity_certified_platforms: list[str] = Field(
        default_factory=list, description="Platforms whose buyers' identity is certified (buyer may differ from payer)."
    )
    log_level: str = "INFO"

    def resolved_database_url(self) -> str:
        """Return the database URL, defaulting to the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cbec.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings."""
    return Settings()
