"""The audit trail in a caller's scope (审计日志的数据范围).

The audit chain knows entities only by type and key, not their tenants. This module, which sits above the
domains that record them, says which records a scope reaches: those of the enterprises, certificates,
products, import and export inventories of its tenant (or its enterprises). Zone-wide records — accounts,
tenants, API keys, subscriptions, targets, warehouses, summaries, quota accounts — are the hub's alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, literal, or_, select

from cbec.audit.models import AuditRecord
from cbec.audit.service import AuditEntry, search_audit
from cbec.clearance.models import InventoryRecord
from cbec.clearance.repository import inventory_scope
from cbec.common.scope import Scope
from cbec.enterprises.certificate_models import EnterpriseCertificate
from cbec.enterprises.models import Enterprise
from cbec.enterprises.repository import in_scope
from cbec.exports.models import ExportInventoryRecord
from cbec.exports.repository import inventory_scope as export_inventory_scope
from cbec.products.models import Product
from cbec.storage.context import Context


def trail_scope(scope: Scope | None) -> ColumnElement[bool] | None:
    """Return the condition that keeps audit records to a scope (None: every record)."""
    if scope is None or scope.unrestricted:
        return None
    enterprises = select(Enterprise.id).where(*in_scope(scope))
    keys: dict[str, Any] = {
        "enterprise": select(Enterprise.uscc).where(*in_scope(scope)),
        "enterprise_certificate": select(Enterprise.customs_code + literal("/") + EnterpriseCertificate.serial_hex)
        .select_from(EnterpriseCertificate)
        .join(Enterprise, Enterprise.id == EnterpriseCertificate.enterprise_id)
        .where(*in_scope(scope)),
        "product": select(cast(Product.id, String)).where(Product.owner_id.in_(enterprises)),
        "inventory": select(InventoryRecord.eport_no).where(*inventory_scope(scope)),
        "export_inventory": select(ExportInventoryRecord.eport_no).where(*export_inventory_scope(scope)),
    }
    return or_(
        *(and_(AuditRecord.entity_type == kind, AuditRecord.entity_key.in_(found)) for kind, found in keys.items())
    )


def search_trail(ctx: Context, *, scope: Scope | None, **filters: Any) -> tuple[list[AuditEntry], int]:
    """Return a page of the audit records the scope reaches, newest first, and their total."""
    return search_audit(ctx, within=trail_scope(scope), **filters)
