"""REST routes of product filing (商品备案) under /api/v1/products."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.scope import Scope
from cbec.enterprises.schemas import StatusChange
from cbec.products import ProductTransition
from cbec.products.schemas import AuditRead, ProductCreate, ProductPage, ProductRead
from cbec.products.service import change_product_status, file_product, get_product, list_products, product_audit
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/products", tags=["products"])

FILE, READ, DECIDE = Permission.PRODUCTS_FILE, Permission.PRODUCTS_READ, Permission.PRODUCTS_DECIDE


@router.post("", response_model=ProductRead, status_code=201)
def post_product(
    body: ProductCreate,
    principal: Principal = Depends(require(FILE)),
    scope: Scope = Depends(scoped(FILE)),
    ctx: Context = Depends(get_ctx),
) -> ProductRead:
    """File a product of an enterprise in the caller's scope; it starts pending."""
    return file_product(ctx, body.model_copy(update={"actor": principal.name}), scope=scope)


@router.get("", response_model=ProductPage)
def get_products(
    owner_code: str | None = None,
    status: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> ProductPage:
    """List the product filings the caller may see, with paging and filters."""
    return list_products(ctx, owner_code=owner_code, status=status, limit=limit, offset=offset, scope=scope)


@router.get("/{product_id}", response_model=ProductRead)
def get_one(product_id: int, scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)) -> ProductRead:
    """Return one product filing."""
    return get_product(ctx, product_id, scope=scope)


@router.get("/{product_id}/audit", response_model=list[AuditRead])
def get_audit(
    product_id: int, scope: Scope = Depends(scoped(Permission.AUDIT_READ)), ctx: Context = Depends(get_ctx)
) -> list[AuditRead]:
    """Return the audit trail of one product filing, oldest first."""
    return product_audit(ctx, product_id, scope=scope)


@router.post("/{product_id}/approve", response_model=ProductRead)
def approve(
    product_id: int,
    body: StatusChange,
    principal: Principal = Depends(require(DECIDE)),
    scope: Scope = Depends(scoped(DECIDE)),
    ctx: Context = Depends(get_ctx),
) -> ProductRead:
    """Approve a pending product filing."""
    return change_product_status(
        ctx, product_id, ProductTransition.APPROVE, reason=body.reason, actor=principal.name, scope=scope
    )


@router.post("/{product_id}/revoke", response_model=ProductRead)
def revoke(
    product_id: int,
    body: StatusChange,
    principal: Principal = Depends(require(DECIDE)),
    scope: Scope = Depends(scoped(DECIDE)),
    ctx: Context = Depends(get_ctx),
) -> ProductRead:
    """Revoke a product filing for good."""
    return change_product_status(
        ctx, product_id, ProductTransition.REVOKE, reason=body.reason, actor=principal.name, scope=scope
    )
