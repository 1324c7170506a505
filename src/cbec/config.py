"""Settings of the platform, read once from the environment (prefix CBEC_)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
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
    # Risk lanes (通道分流) decided online by the risk consumer (docs/risk.md "Lanes"); off without a budget.
    risk_lane_budget: int | None = Field(
        default=None, ge=0, description="Physical inspections a day the risk lanes may ask for; unset: lanes off."
    )
    risk_lane_random_share: Decimal = Field(default=Decimal("0.02"), description="Share of green sampled to red.")
    risk_lane_seed: int = Field(default=0, description="Seed of the random green sample.")
    risk_lane_yellow_rate: Decimal = Field(default=Decimal("0.3"), description="Inspection probability, yellow.")
    risk_lane_blue_rate: Decimal = Field(default=Decimal("0.05"), description="Inspection probability, blue.")
    risk_report_block_days: int = Field(
        default=180,
        ge=1,
        description="Days a confirmed consumer report blocks the misused ID (docs/risk.md, ID misuse).",
    )
    max_message_bytes: int = Field(default=10 * 1024 * 1024, description="Largest CEB message accepted.")
    tax_rounding_variant: str = Field(default="A", description="Ruling 1: A (default) or B.")
    return_holiday_extension: bool = Field(default=False, description="Ruling 6: extend windows past holidays.")
    review_value_at_or_above: Decimal | None = Field(
        default=None, description="Hold inventories with a dutiable value at or above this for manual review."
    )
    identity_certified_platforms: list[str] = Field(
        default_factory=list, description="Platforms whose buyers' identity is certified (buyer may differ from payer)."
    )
    # Personal data (个人信息保护): key rotation, blind indexes, retention (docs/decisions/0003-trust-and-sharing.md).
    data_key_id: str = Field(default="k1", description="Key id written in front of new ciphertexts.")
    data_old_keys: str | None = Field(
        default=None, description="Earlier personal-data keys, still readable: 'id:base64,id:base64'."
    )
    data_index_key: str | None = Field(
        default=None,
        description="Base64 32-byte key of the blind indexes, never rotated; defaults to CBEC_DATA_KEY and must be"
        " set (to the key the indexes were made with) once CBEC_DATA_OLD_KEYS is set.",
    )
    personal_data_retention_days: int = Field(
        default=1095, ge=1, description="Keep documents' personal data this many days after their last change."
    )
    # Audit trail (审计链): the key of the keyed chain and its checkpoints (docs/decisions/0004-audit-chain.md).
    audit_key: SecretStr | None = Field(
        default=None, description="Base64 32-byte audit key (HMAC of the chain); a local key file is made if unset."
    )
    audit_key_file: Path | None = Field(default=None, description="File holding the base64 audit key instead.")
    audit_checkpoint_file: Path | None = Field(
        default=None, description="Default file of `cbec audit checkpoint` and `cbec audit verify` (JSON lines)."
    )
    # Signatures (数字签名).
    verify_signatures: bool = Field(
        default=True, description="Verify incoming signatures against the sender's registered certificates."
    )
    signer: str = Field(default="none", description="Signer of outgoing receipts: none, software, pkcs11 or remote.")
    signing_key_file: Path | None = Field(
        default=None, description="Platform signing key: RSA PEM, PKCS#12 (.p12/.pfx) or SM2 (64 hex digits)."
    )
    signing_certificate_file: Path | None = Field(
        default=None,
        description="Platform signing certificate (PEM or DER); not needed with PKCS#12. With pkcs11: used instead"
        " of the token's certificate object when set.",
    )
    signing_key_password: SecretStr | None = Field(default=None, description="Password of the signing key file.")
    # PKCS#11 device (UKey 智能密码钥匙, server crypto device 服务器密码机): CBEC_SIGNER=pkcs11.
    pkcs11_module: Path | None = Field(
        default=None, description="The device's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so."
    )
    pkcs11_token_label: str | None = Field(default=None, description="Label of the token holding the platform key.")
    pkcs11_pin: SecretStr | None = Field(default=None, description="User PIN of the token.")
    pkcs11_key_label: str | None = Field(default=None, description="CKA_LABEL of the private key (and certificate).")
    pkcs11_key_id: str | None = Field(
        default=None, description="CKA_ID of the private key (and certificate), hex; with or instead of the label."
    )
    pkcs11_sm2_mechanism: str | None = Field(
        default=None,
        description="Vendor-defined mechanism number of SM2 signing (e.g. 0x80000000 + n), for an SM2 certificate.",
    )
    pkcs11_sm2_input: str = Field(
        default="message",
        description="What the SM2 mechanism signs: message (the device computes SM3 with Z) or digest (e = SM3(Z||M)).",
    )
    # External signing service (签名服务器): CBEC_SIGNER=remote, protocol in docs/signing-service.md.
    signing_service_url: str | None = Field(default=None, description="Base URL of the signing service.")
    signing_service_key_id: str | None = Field(default=None, description="Key id of the platform key on the service.")
    signing_service_token: SecretStr | None = Field(default=None, description="Bearer token for the signing service.")
    signing_service_timeout_seconds: float = Field(default=5.0, gt=0, description="Timeout of one service request.")
    signing_service_ca_file: Path | None = Field(
        default=None, description="CA bundle (PEM) that verifies the signing service's TLS certificate."
    )
    # Information sharing (信息共享): webhooks and NATS JetStream.
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_max_attempts: int = Field(default=12, ge=1, description="Attempts before an event is dead-lettered.")
    webhook_backoff_seconds: float = Field(default=5.0, gt=0, description="First retry wait; doubles per attempt.")
    webhook_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    webhook_batch_size: int = Field(default=500, ge=1)
    webhook_lease_seconds: int = Field(default=300, ge=1)
    feeds_poll_seconds: float = Field(default=2.0, gt=0, description="Pause of `cbec feeds deliver` when idle.")
    nats_url: str | None = Field(default=None, description="NATS server for the JetStream publisher, e.g. nats://…")
    nats_stream_prefix: str = "CBEC"
    nats_subject_prefix: str = "cbec"
    # Numbers in blocks per process on PostgreSQL (cbec.intake.number_blocks): no transaction waits for another's.
    number_block: int = Field(
        default=64, ge=0, le=10_000, description="Most numbers a process takes at a time; 0: gap-free, row-locked."
    )
    # Group commit of POST /ceb (cbec.intake.batch): the messages waiting in a server process run in one transaction.
    intake_batch: int = Field(
        default=32, ge=1, le=1000, description="Most messages POST /ceb runs in one transaction; 1: one each."
    )
    # Intake through JetStream (docs/scaling.md): when set, POST /ceb stores the message in the intake stream and
    # answers 202; `cbec intake worker` processes it and the answer waits at GET /ceb/answers/{digest}.
    intake_stream_url: str | None = Field(
        default=None, description="NATS server of the intake stream; unset: POST /ceb answers synchronously."
    )
    intake_partitions: int = Field(default=8, ge=1, le=1024, description="Partitions of the intake stream.")
    intake_replicas: int = Field(default=1, ge=1, le=5, description="JetStream replicas of the intake stream.")
    intake_ack_wait_seconds: float = Field(
        default=30.0, gt=0, description="How long a fetched message waits for its worker before it is redelivered."
    )
    log_level: str = "INFO"
    admin_password: str | None = Field(
        default=None, description="Password of the first zone administrator (`cbec accounts ensure-admin`)."
    )
    session_hours: int = Field(default=8, ge=1, le=24 * 30, description="How long a web sign-in lasts.")
    secure_cookies: bool = Field(default=False, description="Mark session cookies Secure (serve over HTTPS).")
    login_max_failures: int = Field(default=5, ge=1, description="Failed sign-ins per user before a pause.")
    login_window_minutes: int = Field(default=15, ge=1, description="Window over which failed sign-ins count.")
    api_key_days: int = Field(default=365, ge=1, le=730, description="Default validity of a new API key.")
    # Trust boundary of `cbec serve` (docs/scaling.md, "Reverse proxy"): bodies, archives, rate limits, webhooks.
    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="Largest request body of the JSON API, sign-in and forms."
    )
    max_upload_bytes: int = Field(
        default=50 * 1024 * 1024, ge=1024, description="Largest upload to the workspace (a zip of CEB messages)."
    )
    max_zip_total_bytes: int = Field(
        default=200 * 1024 * 1024, ge=1024, description="Bytes all the members of one zip may decompress to."
    )
    max_zip_entries: int = Field(default=500, ge=1, description="Most XML members read from one zip.")
    redis_url: str = Field(
        default="",
        description="Redis shared by the workers' rate limits, e.g. redis://127.0.0.1:6379/0; empty: each"
        " process counts alone.",
    )
    quota_api_per_minute: int = Field(
        default=60, ge=1, description="Quota look-ups per minute through the API, per account and per client address."
    )
    quota_page_per_minute: int = Field(
        default=10, ge=1, description="Quota look-ups per minute on the public page, per client address."
    )
    webhook_allow: list[str] = Field(
        default_factory=list,
        description="Private networks (CIDRs) or host names webhooks may reach, e.g. the zone's intranet: "
        '["10.20.0.0/16","hooks.zone.local"]. Everything else must resolve to public addresses.',
    )
    readiness_timeout_seconds: float = Field(default=2.0, gt=0, description="How long /readyz waits for the database.")

    def resolved_database_url(self) -> str:
        """Return the database URL, defaulting to the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cbec.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings."""
    return Settings()
