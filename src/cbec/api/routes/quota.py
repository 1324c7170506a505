"""REST API of the personal annual quota (/api/v1/quota, 个人年度额度查询)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require
from cbec.api.throttle import quota_rate_limit
from cbec.quota.schemas import QuotaQuery, QuotaStatementRead
from cbec.quota.service import query_quota
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/quota", tags=["quota"])


@router.post("/query", response_model=QuotaStatementRead, dependencies=[Depends(quota_rate_limit)])
def query(
    body: QuotaQuery, _principal: Principal = Depends(require(Permission.QUOTA_QUERY)), ctx: Context = Depends(get_ctx)
) -> QuotaStatementRead:
    """Return a buyer's annual quota position; the ID number and name must both match."""
    statement = query_quota(ctx, id_number=body.id_number, name=body.name, year=body.year)
    return QuotaStatementRead.from_statement(statement)
