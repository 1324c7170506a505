"""trust and sharing: hash-chained audit, journal heads, event outbox and subscriptions, signing certificates, purges

Revision ID: trust01
Revises: 0001
Create Date: 2026-11-21 15:30:00.000000
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import cbec.storage.base

revision = "trust01"
down_revision = "export01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journal_head",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("last_row_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_journal_head")),
    )
    op.create_table(
        "privacy_purged_document",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("purged_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_purged_document")),
        sa.UniqueConstraint("table_name", "row_id", name=op.f("uq_privacy_purged_document_table_name_row_id")),
    )
    op.create_table(
        "sharing_cursor",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sharing_cursor")),
    )
    op.create_table(
        "sharing_delivery",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("business_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_delivery")),
        sa.UniqueConstraint("subscription_id", "position", name=op.f("uq_sharing_delivery_subscription_id_position")),
    )
    with op.batch_alter_table("sharing_delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sharing_delivery_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_sharing_delivery_subscription_id"), ["subscription_id"], unique=False)

    op.create_table(
        "sharing_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("document_type", sa.String(length=30), nullable=False),
        sa.Column("business_key", sa.String(length=200), nullable=False),
        sa.Column("zone", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=True),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_event")),
        sa.UniqueConstraint("position", name=op.f("uq_sharing_event_position")),
    )
    with op.batch_alter_table("sharing_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sharing_event_business_key"), ["business_key"], unique=False)
        batch_op.create_index("ix_sharing_event_kind_type", ["kind", "document_type"], unique=False)

    op.create_table(
        "sharing_subscription",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("subscriber_kind", sa.String(length=20), nullable=False),
        sa.Column("subscriber_code", sa.String(length=30), nullable=False),
        sa.Column("scope", sa.String(length=4), nullable=False),
        sa.Column("document_types", sa.JSON(), nullable=False),
        sa.Column("zones", sa.JSON(), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("statuses", sa.JSON(), nullable=False),
        sa.Column("webhook_url", sa.String(length=500), nullable=True),
        sa.Column("secret_enc", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_subscription")),
        sa.UniqueConstraint("name", name=op.f("uq_sharing_subscription_name")),
    )
    with op.batch_alter_table("sharing_subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sharing_subscription_subscriber_code"), ["subscriber_code"], unique=False)

    op.create_table(
        "enterprise_certificate",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("certificate_der", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("serial_hex", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("valid_from", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("valid_to", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("registered_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_enterprise_certificate_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_certificate")),
        sa.UniqueConstraint(
            "enterprise_id", "fingerprint", name=op.f("uq_enterprise_certificate_enterprise_id_fingerprint")
        ),
    )
    with op.batch_alter_table("enterprise_certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_certificate_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_certificate_serial_hex"), ["serial_hex"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_certificate_status"), ["status"], unique=False)

    with op.batch_alter_table("audit_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_audit_record_seq"), ["seq"])
    _chain_existing_audit_records()


# A frozen copy of the unkeyed chain rule (version 1) of cbec.audit.rules as it stood when this migration was
# written: the migration must compute the same hashes whatever the live code becomes.
GENESIS_HASH = "0" * 64


def normalised(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return a JSON value as the database will give it back (tuples as lists, keys as strings)."""
    if value is None:
        return None
    result: dict[str, Any] = json.loads(json.dumps(value, ensure_ascii=False, default=str))
    return result


def record_hash(fields: dict[str, Any]) -> str:
    """Return the SHA-256 (hex) of a record's canonical form: keys sorted, no whitespace, UTC microseconds."""
    at = fields["at"]
    data = {
        "seq": fields["seq"],
        "at": at.astimezone(UTC).isoformat(timespec="microseconds") if isinstance(at, datetime) else at,
        "actor": fields["actor"],
        "action": fields["action"],
        "entity_type": fields["entity_type"],
        "entity_key": fields["entity_key"],
        "before": fields["before"],
        "after": fields["after"],
        "reason": fields["reason"],
        "prev_hash": fields["prev_hash"],
    }
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def _chain_existing_audit_records() -> None:
    """Seal the audit records written before the chain existed, in id order, and set the chain head."""
    records = sa.table(
        "audit_record",
        sa.column("id", sa.BigInteger()),
        sa.column("at", cbec.storage.base.UtcDateTime(timezone=True)),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("entity_type", sa.String()),
        sa.column("entity_key", sa.String()),
        sa.column("before", sa.JSON()),
        sa.column("after", sa.JSON()),
        sa.column("reason", sa.Text()),
        sa.column("seq", sa.BigInteger()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    head = sa.table(
        "journal_head",
        sa.column("name", sa.String()),
        sa.column("last_seq", sa.BigInteger()),
        sa.column("last_hash", sa.String()),
        sa.column("last_row_id", sa.BigInteger()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(records).order_by(records.c.id)).mappings().all()
    seq, previous, last_id = 0, GENESIS_HASH, None
    for row in rows:
        seq += 1
        fields = dict(row)
        fields.update(seq=seq, before=normalised(row["before"]), after=normalised(row["after"]), prev_hash=previous)
        digest = record_hash(fields)
        bind.execute(
            records.update()
            .where(records.c.id == row["id"])
            .values(seq=seq, prev_hash=previous, hash=digest, before=fields["before"], after=fields["after"])
        )
        previous, last_id = digest, row["id"]
    if seq:
        bind.execute(head.insert().values(name="audit", last_seq=seq, last_hash=previous, last_row_id=last_id))


def downgrade() -> None:

    with op.batch_alter_table("audit_record", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_record_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")

    with op.batch_alter_table("enterprise_certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_certificate_status"))
        batch_op.drop_index(batch_op.f("ix_enterprise_certificate_serial_hex"))
        batch_op.drop_index(batch_op.f("ix_enterprise_certificate_enterprise_id"))

    op.drop_table("enterprise_certificate")
    with op.batch_alter_table("sharing_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sharing_subscription_subscriber_code"))

    op.drop_table("sharing_subscription")
    with op.batch_alter_table("sharing_event", schema=None) as batch_op:
        batch_op.drop_index("ix_sharing_event_kind_type")
        batch_op.drop_index(batch_op.f("ix_sharing_event_business_key"))

    op.drop_table("sharing_event")
    with op.batch_alter_table("sharing_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sharing_delivery_subscription_id"))
        batch_op.drop_index(batch_op.f("ix_sharing_delivery_status"))

    op.drop_table("sharing_delivery")
    op.drop_table("sharing_cursor")
    op.drop_table("privacy_purged_document")
    op.drop_table("journal_head")
