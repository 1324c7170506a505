"""accounts, roles and 1+M+N tenancy

Adds tenants (sub-platforms and windows below the hub), accounts, web sessions, API keys, delegations and
failed sign-ins; widens enterprise.zone to hold a tenant path and moves any older one-word zone below the hub.

Revision ID: acct01
Revises: 0001
Create Date: 2026-11-21 15:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import cbec.storage.base

revision = "acct01"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("path", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["tenant.id"], name=op.f("fk_tenant_parent_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant")),
        sa.UniqueConstraint("path", name=op.f("uq_tenant_path")),
    )
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenant_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "account",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("agency", sa.String(length=20), nullable=True),
        sa.Column("enterprise_code", sa.String(length=18), nullable=True),
        sa.Column("tenant", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("username", name=op.f("uq_account_username")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_enterprise_code"), ["enterprise_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_role"), ["role"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_tenant"), ["tenant"], unique=False)

    op.create_table(
        "web_session",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=100), nullable=True),
        sa.Column("created_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_web_session_account_id_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_session_token_hash")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_account_id"), ["account_id"], unique=False)

    op.create_table(
        "api_key",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_api_key_account_id_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_key_key_hash")),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_account_id"), ["account_id"], unique=False)

    op.create_table(
        "delegation",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("grantor_code", sa.String(length=18), nullable=False),
        sa.Column("agent_code", sa.String(length=18), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("valid_from", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("valid_to", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("granted_by", sa.String(length=100), nullable=False),
        sa.Column("granted_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.Column("revoked_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation")),
    )
    with op.batch_alter_table("delegation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delegation_agent_code"), ["agent_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_delegation_grantor_code"), ["grantor_code"], unique=False)

    op.create_table(
        "login_failure",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=100), nullable=False),
        sa.Column("at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_client"), ["client"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_username"), ["username"], unique=False)

    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.alter_column(
            "zone", existing_type=sa.VARCHAR(length=30), type_=sa.String(length=120), existing_nullable=False
        )
    _move_zones_below_the_hub()


def _move_zones_below_the_hub() -> None:
    """Record the hub, and make every older one-word zone a sub-platform below it (zone x becomes hub/x)."""
    bind = op.get_bind()
    now = datetime.now(UTC)
    tenant = sa.table(
        "tenant",
        sa.column("id", sa.Integer()),
        sa.column("path", sa.String()),
        sa.column("name", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("parent_id", sa.Integer()),
        sa.column("created_at", cbec.storage.base.UtcDateTime()),
    )
    enterprise = sa.table("enterprise", sa.column("zone", sa.String()))
    bind.execute(sa.insert(tenant).values(path="hub", name="综试区总平台", kind="hub", parent_id=None, created_at=now))
    hub_id = bind.execute(sa.select(tenant.c.id).where(tenant.c.path == "hub")).scalar_one()
    zones = bind.execute(sa.select(enterprise.c.zone).distinct()).scalars().all()
    for zone in sorted(z for z in zones if z != "hub" and not z.startswith("hub/")):
        path = f"hub/{zone}"
        bind.execute(
            sa.insert(tenant).values(path=path, name=zone, kind="sub_platform", parent_id=hub_id, created_at=now)
        )
        bind.execute(sa.update(enterprise).where(enterprise.c.zone == zone).values(zone=path))


def downgrade() -> None:
    enterprise = sa.table("enterprise", sa.column("zone", sa.String()))
    bind = op.get_bind()
    zones = bind.execute(sa.select(enterprise.c.zone).distinct()).scalars().all()
    for zone in zones:
        if zone.startswith("hub/"):  # a tenant path: keep its last segment, which fits the older one-word zone
            bind.execute(sa.update(enterprise).where(enterprise.c.zone == zone).values(zone=zone.rsplit("/", 1)[1]))
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.alter_column(
            "zone", existing_type=sa.String(length=120), type_=sa.VARCHAR(length=30), existing_nullable=False
        )
    for table in ("login_failure", "delegation", "api_key", "web_session", "account", "tenant"):
        op.drop_table(table)
