"""REST routes of the credit configuration (信用配置) under /api/v1/credit/config.

The effective-dated documents (customs schemes, disclosure windows, rating rulesets, supervision, objection deadlines,
list catalogues, accredited agencies) are zone-wide and read by every ``credit.read`` caller. Loading is the hub's
zone office's (``credit.manage``; a city's officers 403 ``AUTH-SCOPE``, an agency officer 403 ``CRD-SOURCE-SCOPE``),
all or none with the rule ids of ``cbec credit config load``; a ruleset is proposed at ``/rulesets`` instead, so that
another account publishes it (``CRD-CONFIG-RULESET``). The loader recorded is the signed-in principal.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from cbec.accounts import Permission, Role
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.scope import Scope
from cbec.credit.schemas import ConfigDocumentRead, ConfigLoadIn, ConfigReport
from cbec.credit.service import config_document, config_documents, load_documents
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/credit", tags=["credit"])
READ, MANAGE = Permission.CREDIT_READ, Permission.CREDIT_MANAGE


@router.get("/config", response_model=list[ConfigDocumentRead])
def documents(
    kind: str | None = Query(None, description="scheme, windows, ruleset, supervision, objection, lists or agencies."),
    _: Principal = Depends(require(READ)),
    ctx: Context = Depends(get_ctx),
) -> list[ConfigDocumentRead]:
    """The configuration documents loaded (without their content), oldest first, each marked when in force today."""
    return config_documents(ctx, kind=kind)


@router.get("/config/{kind}/{code}/{version}", response_model=ConfigDocumentRead)
def document(
    kind: str, code: str, version: str, _: Principal = Depends(require(READ)), ctx: Context = Depends(get_ctx)
) -> ConfigDocumentRead:
    """One configuration document with its content."""
    return config_document(ctx, kind, code, version)


@router.post("/config", response_model=ConfigReport, status_code=201)
def load(
    body: ConfigLoadIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> ConfigReport:
    """Load documents, all or none (a version already loaded with the same content is left as it is)."""
    sources = frozenset({principal.agency or ""}) if principal.role is Role.AGENCY_OFFICER else None
    return load_documents(ctx, body.documents, actor=principal.name, scope=scope, sources=sources)
