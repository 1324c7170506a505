"""exports: retail, B2B and overseas-warehouse export documents, summaries, registry, export tax (出口)

Revision ID: export01
Revises: 0001
Create Date: 2026-11-21 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cbec.storage.base

revision = "export01"
down_revision = "acct01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_arrival",
        sa.Column("operator_code", sa.String(length=18), nullable=False),
        sa.Column("logistics_code", sa.String(length=18), nullable=False),
        sa.Column("enterprise_ref_no", sa.String(length=30), nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("bill_no", sa.String(length=37), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("app_status", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_arrival")),
        sa.UniqueConstraint("eport_no", name=op.f("uq_export_arrival_eport_no")),
    )
    with op.batch_alter_table("export_arrival", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_arrival_guid"), ["guid"], unique=False)

    op.create_table(
        "export_cancel",
        sa.Column("inventory_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("inventory_no", sa.String(length=20), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("app_status", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_cancel")),
    )
    with op.batch_alter_table("export_cancel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_cancel_guid"), ["guid"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_cancel_inventory_id"), ["inventory_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_cancel_inventory_no"), ["inventory_no"], unique=False)

    op.create_table(
        "export_declaration",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("summary_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("declaration_seq_no", sa.String(length=18), nullable=False),
        sa.Column("entry_id", sa.String(length=18), nullable=False),
        sa.Column("group_key", sa.JSON(), nullable=False),
        sa.Column("gross_weight", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("net_weight", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("operated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_declaration")),
        sa.UniqueConstraint("declaration_seq_no", name=op.f("uq_export_declaration_declaration_seq_no")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_export_declaration_entry_id")),
    )
    with op.batch_alter_table("export_declaration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_declaration_summary_id"), ["summary_id"], unique=False)

    op.create_table(
        "export_declaration_line",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("declaration_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("inventory_line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("inventory_no", sa.String(length=20), nullable=False),
        sa.Column("logistics_no", sa.String(length=32), nullable=False),
        sa.Column("goods_seq_no", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("item_key", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_declaration_line")),
        sa.UniqueConstraint("inventory_line_id", name=op.f("uq_export_declaration_line_inventory_line_id")),
    )
    with op.batch_alter_table("export_declaration_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_declaration_line_declaration_id"), ["declaration_id"], unique=False)

    op.create_table(
        "export_departure",
        sa.Column("logistics_code", sa.String(length=18), nullable=False),
        sa.Column("enterprise_ref_no", sa.String(length=30), nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("bill_no", sa.String(length=37), nullable=True),
        sa.Column("left_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("app_status", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_departure")),
        sa.UniqueConstraint("eport_no", name=op.f("uq_export_departure_eport_no")),
    )
    with op.batch_alter_table("export_departure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_departure_guid"), ["guid"], unique=False)

    op.create_table(
        "export_inventory",
        sa.Column("platform_code", sa.String(length=18), nullable=False),
        sa.Column("ecommerce_code", sa.String(length=18), nullable=False),
        sa.Column("order_no", sa.String(length=60), nullable=False),
        sa.Column("logistics_code", sa.String(length=18), nullable=False),
        sa.Column("logistics_no", sa.String(length=32), nullable=False),
        sa.Column("agent_code", sa.String(length=18), nullable=False),
        sa.Column("owner_code", sa.String(length=18), nullable=False),
        sa.Column("customs_code", sa.String(length=4), nullable=False),
        sa.Column("port_code", sa.String(length=4), nullable=False),
        sa.Column("trade_mode", sa.String(length=4), nullable=False),
        sa.Column("statistics_flag", sa.String(length=1), nullable=False),
        sa.Column("transport_mode", sa.String(length=1), nullable=False),
        sa.Column("destination_country", sa.String(length=3), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("goods_value", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("gross_weight", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("net_weight", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("export_date", sa.Date(), nullable=False),
        sa.Column("enterprise_ref_no", sa.String(length=30), nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("inventory_no", sa.String(length=20), nullable=True),
        sa.Column("bill_no", sa.String(length=37), nullable=True),
        sa.Column("voyage_no", sa.String(length=32), nullable=True),
        sa.Column("transport_name", sa.String(length=100), nullable=True),
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("status", sa.String(length=6), nullable=False),
        sa.Column("status_info", sa.Text(), nullable=False),
        sa.Column("waiting_for", sa.String(length=100), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=True),
        sa.Column("declared_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("released_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("departed_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("declaration_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("app_status", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_inventory")),
        sa.UniqueConstraint("eport_no", name=op.f("uq_export_inventory_eport_no")),
        sa.UniqueConstraint("inventory_no", name=op.f("uq_export_inventory_inventory_no")),
    )
    with op.batch_alter_table("export_inventory", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_inventory_declaration_id"), ["declaration_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_inventory_ecommerce_code"), ["ecommerce_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_inventory_guid"), ["guid"], unique=False)
        batch_op.create_index(
            "ix_export_inventory_order", ["platform_code", "ecommerce_code", "order_no"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_export_inventory_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_inventory_trade_mode"), ["trade_mode"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_inventory_warehouse_id"), ["warehouse_id"], unique=False)
        batch_op.create_index("ix_export_inventory_waybill", ["logistics_code", "logistics_no"], unique=False)

    op.create_table(
        "export_inventory_line",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("inventory_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item_no", sa.String(length=30), nullable=False),
        sa.Column("item_name", sa.String(length=250), nullable=True),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("goods_name", sa.String(length=250), nullable=False),
        sa.Column("destination_country", sa.String(length=3), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("quantity", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("legal_quantity", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("unit", sa.String(length=3), nullable=False),
        sa.Column("legal_unit", sa.String(length=3), nullable=False),
        sa.Column("unit_price", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("total_price", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("returned_quantity", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_inventory_line")),
        sa.UniqueConstraint("inventory_id", "line_no", name=op.f("uq_export_inventory_line_inventory_id_line_no")),
    )
    with op.batch_alter_table("export_inventory_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_inventory_line_inventory_id"), ["inventory_id"], unique=False)

    op.create_table(
        "export_master_bill",
        sa.Column("agent_code", sa.String(length=18), nullable=False),
        sa.Column("logistics_code", sa.String(length=18), nullable=False),
        sa.Column("enterprise_ref_no", sa.String(length=30), nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("bill_no", sa.String(length=37), nullable=False),
        sa.Column("voyage_no", sa.String(length=32), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("app_status", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_master_bill")),
        sa.UniqueConstraint("eport_no", name=op.f("uq_export_master_bill_eport_no")),
    )
    with op.batch_alter_table("export_master_bill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_master_bill_bill_no"), ["bill_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_master_bill_guid"), ["guid"], unique=False)

    op.create_table(
        "export_order",
        sa.Column("order_type", sa.String(length=1), nullable=False),
        sa.Column("platform_code", sa.String(length=18), nullable=False),
        sa.Column("ecommerce_code", sa.String(length=18), nullable=False),
        sa.Column("order_no", sa.String(length=60), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("goods_value", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("freight", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("app_status", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_order")),
        sa.UniqueConstraint(
            "platform_code",
            "ecommerce_code",
            "order_no",
            name=op.f("uq_export_order_platform_code_ecommerce_code_order_no"),
        ),
    )
    with op.batch_alter_table("export_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_order_ecommerce_code"), ["ecommerce_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_order_guid"), ["guid"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_order_warehouse_id"), ["warehouse_id"], unique=False)

    op.create_table(
        "export_parcel",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("document_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("logistics_code", sa.String(length=18), nullable=False),
        sa.Column("logistics_no", sa.String(length=32), nullable=False),
        sa.Column("inventory_no", sa.String(length=20), nullable=True),
        sa.Column("bill_no", sa.String(length=37), nullable=True),
        sa.Column("voyage_no", sa.String(length=32), nullable=True),
        sa.Column("transport_name", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_parcel")),
        sa.UniqueConstraint(
            "kind", "logistics_code", "logistics_no", name=op.f("uq_export_parcel_kind_logistics_code_logistics_no")
        ),
    )
    with op.batch_alter_table("export_parcel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_parcel_document_id"), ["document_id"], unique=False)

    op.create_table(
        "export_payment_receipt",
        sa.Column("platform_code", sa.String(length=18), nullable=False),
        sa.Column("ecommerce_code", sa.String(length=18), nullable=False),
        sa.Column("order_no", sa.String(length=60), nullable=False),
        sa.Column("payment_code", sa.String(length=18), nullable=True),
        sa.Column("payment_no", sa.String(length=60), nullable=True),
        sa.Column("amount", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("accounted_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("app_status", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_payment_receipt")),
        sa.UniqueConstraint(
            "platform_code",
            "ecommerce_code",
            "order_no",
            name=op.f("uq_export_payment_receipt_platform_code_ecommerce_code_order_no"),
        ),
    )
    with op.batch_alter_table("export_payment_receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_payment_receipt_ecommerce_code"), ["ecommerce_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_payment_receipt_guid"), ["guid"], unique=False)

    op.create_table(
        "export_purchase_invoice",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("ecommerce_code", sa.String(length=18), nullable=False),
        sa.Column("invoice_no", sa.String(length=40), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("inventory_no", sa.String(length=20), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("amount", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("vat_rate", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("registered_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_purchase_invoice")),
        sa.UniqueConstraint(
            "invoice_no",
            "inventory_no",
            "line_no",
            name=op.f("uq_export_purchase_invoice_invoice_no_inventory_no_line_no"),
        ),
    )
    with op.batch_alter_table("export_purchase_invoice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_purchase_invoice_ecommerce_code"), ["ecommerce_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_purchase_invoice_inventory_no"), ["inventory_no"], unique=False)

    op.create_table(
        "export_rate",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("extra", sa.String(length=50), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_rate")),
        sa.UniqueConstraint("kind", "key", "valid_from", name=op.f("uq_export_rate_kind_key_valid_from")),
    )
    op.create_table(
        "export_return",
        sa.Column("inventory_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("inventory_no", sa.String(length=20), nullable=False),
        sa.Column("logistics_code", sa.String(length=18), nullable=False),
        sa.Column("logistics_no", sa.String(length=80), nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("returned_lines", sa.JSON(), nullable=False),
        sa.Column("tallied_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("app_status", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_return")),
        sa.UniqueConstraint("eport_no", name=op.f("uq_export_return_eport_no")),
    )
    with op.batch_alter_table("export_return", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_return_guid"), ["guid"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_return_inventory_id"), ["inventory_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_return_inventory_no"), ["inventory_no"], unique=False)

    op.create_table(
        "export_return_tally",
        sa.Column("operator_code", sa.String(length=18), nullable=False),
        sa.Column("logistics_code", sa.String(length=18), nullable=False),
        sa.Column("logistics_no", sa.String(length=80), nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("return_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("app_status", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_return_tally")),
        sa.UniqueConstraint("eport_no", name=op.f("uq_export_return_tally_eport_no")),
    )
    with op.batch_alter_table("export_return_tally", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_return_tally_guid"), ["guid"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_return_tally_return_id"), ["return_id"], unique=False)

    op.create_table(
        "export_summary",
        sa.Column("customs_code", sa.String(length=4), nullable=False),
        sa.Column("agent_code", sa.String(length=18), nullable=False),
        sa.Column("agent_name", sa.String(length=100), nullable=False),
        sa.Column("ecommerce_code", sa.String(length=18), nullable=False),
        sa.Column("ecommerce_name", sa.String(length=100), nullable=False),
        sa.Column("declaring_agent_code", sa.String(length=18), nullable=False),
        sa.Column("declaring_agent_name", sa.String(length=100), nullable=False),
        sa.Column("summary_flag", sa.String(length=1), nullable=False),
        sa.Column("item_name_flag", sa.String(length=1), nullable=False),
        sa.Column("enterprise_ref_no", sa.String(length=30), nullable=False),
        sa.Column("eport_no", sa.String(length=18), nullable=False),
        sa.Column("summary_no", sa.String(length=18), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("inventory_nos", sa.JSON(), nullable=False),
        sa.Column("summarised_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("app_status", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_summary")),
        sa.UniqueConstraint("eport_no", name=op.f("uq_export_summary_eport_no")),
        sa.UniqueConstraint("summary_no", name=op.f("uq_export_summary_summary_no")),
    )
    with op.batch_alter_table("export_summary", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_summary_ecommerce_code"), ["ecommerce_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_summary_guid"), ["guid"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_summary_month"), ["month"], unique=False)

    op.create_table(
        "export_tax_profile",
        sa.Column("ecommerce_code", sa.String(length=18), nullable=False),
        sa.Column("refund_qualified", sa.Boolean(), nullable=False),
        sa.Column("tax_registered", sa.Boolean(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("total_assets", cbec.storage.base.Amount(precision=19, scale=5), nullable=True),
        sa.Column("restricted_industry", sa.Boolean(), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ecommerce_code", name=op.f("pk_export_tax_profile")),
    )
    op.create_table(
        "export_waybill",
        sa.Column("logistics_code", sa.String(length=18), nullable=False),
        sa.Column("logistics_no", sa.String(length=32), nullable=False),
        sa.Column("freight", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("insured_fee", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("app_status", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_waybill")),
        sa.UniqueConstraint(
            "logistics_code", "logistics_no", name=op.f("uq_export_waybill_logistics_code_logistics_no")
        ),
    )
    with op.batch_alter_table("export_waybill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_waybill_guid"), ["guid"], unique=False)

    op.create_table(
        "overseas_warehouse",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("operator_code", sa.String(length=18), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("area_m2", cbec.storage.base.Amount(precision=19, scale=5), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("registered_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cbec.storage.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overseas_warehouse")),
        sa.UniqueConstraint("code", name=op.f("uq_overseas_warehouse_code")),
        sa.UniqueConstraint("name", name=op.f("uq_overseas_warehouse_name")),
    )
    with op.batch_alter_table("overseas_warehouse", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_overseas_warehouse_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_overseas_warehouse_operator_code"), ["operator_code"], unique=False)
    # Export document kinds (e.g. export_payment_receipt) are longer than the import ones.
    with op.batch_alter_table("issued_receipt", schema=None) as batch_op:
        batch_op.alter_column(
            "document_kind", existing_type=sa.String(length=20), type_=sa.String(length=40), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("issued_receipt", schema=None) as batch_op:
        batch_op.alter_column(
            "document_kind", existing_type=sa.String(length=40), type_=sa.String(length=20), existing_nullable=False
        )
    with op.batch_alter_table("overseas_warehouse", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_overseas_warehouse_operator_code"))
        batch_op.drop_index(batch_op.f("ix_overseas_warehouse_country"))

    op.drop_table("overseas_warehouse")
    with op.batch_alter_table("export_waybill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_waybill_guid"))

    op.drop_table("export_waybill")
    op.drop_table("export_tax_profile")
    with op.batch_alter_table("export_summary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_summary_month"))
        batch_op.drop_index(batch_op.f("ix_export_summary_guid"))
        batch_op.drop_index(batch_op.f("ix_export_summary_ecommerce_code"))

    op.drop_table("export_summary")
    with op.batch_alter_table("export_return_tally", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_return_tally_return_id"))
        batch_op.drop_index(batch_op.f("ix_export_return_tally_guid"))

    op.drop_table("export_return_tally")
    with op.batch_alter_table("export_return", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_return_inventory_no"))
        batch_op.drop_index(batch_op.f("ix_export_return_inventory_id"))
        batch_op.drop_index(batch_op.f("ix_export_return_guid"))

    op.drop_table("export_return")
    op.drop_table("export_rate")
    with op.batch_alter_table("export_purchase_invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_purchase_invoice_inventory_no"))
        batch_op.drop_index(batch_op.f("ix_export_purchase_invoice_ecommerce_code"))

    op.drop_table("export_purchase_invoice")
    with op.batch_alter_table("export_payment_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_payment_receipt_guid"))
        batch_op.drop_index(batch_op.f("ix_export_payment_receipt_ecommerce_code"))

    op.drop_table("export_payment_receipt")
    with op.batch_alter_table("export_parcel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_parcel_document_id"))

    op.drop_table("export_parcel")
    with op.batch_alter_table("export_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_order_warehouse_id"))
        batch_op.drop_index(batch_op.f("ix_export_order_guid"))
        batch_op.drop_index(batch_op.f("ix_export_order_ecommerce_code"))

    op.drop_table("export_order")
    with op.batch_alter_table("export_master_bill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_master_bill_guid"))
        batch_op.drop_index(batch_op.f("ix_export_master_bill_bill_no"))

    op.drop_table("export_master_bill")
    with op.batch_alter_table("export_inventory_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_inventory_line_inventory_id"))

    op.drop_table("export_inventory_line")
    with op.batch_alter_table("export_inventory", schema=None) as batch_op:
        batch_op.drop_index("ix_export_inventory_waybill")
        batch_op.drop_index(batch_op.f("ix_export_inventory_warehouse_id"))
        batch_op.drop_index(batch_op.f("ix_export_inventory_trade_mode"))
        batch_op.drop_index(batch_op.f("ix_export_inventory_status"))
        batch_op.drop_index("ix_export_inventory_order")
        batch_op.drop_index(batch_op.f("ix_export_inventory_guid"))
        batch_op.drop_index(batch_op.f("ix_export_inventory_ecommerce_code"))
        batch_op.drop_index(batch_op.f("ix_export_inventory_declaration_id"))

    op.drop_table("export_inventory")
    with op.batch_alter_table("export_departure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_departure_guid"))

    op.drop_table("export_departure")
    with op.batch_alter_table("export_declaration_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_declaration_line_declaration_id"))

    op.drop_table("export_declaration_line")
    with op.batch_alter_table("export_declaration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_declaration_summary_id"))

    op.drop_table("export_declaration")
    with op.batch_alter_table("export_cancel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_cancel_inventory_no"))
        batch_op.drop_index(batch_op.f("ix_export_cancel_inventory_id"))
        batch_op.drop_index(batch_op.f("ix_export_cancel_guid"))

    op.drop_table("export_cancel")
    with op.batch_alter_table("export_arrival", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_arrival_guid"))

    op.drop_table("export_arrival")
