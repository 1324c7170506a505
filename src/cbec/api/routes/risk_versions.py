"""REST routes of ruleset versions (规则集版本) under /api/v1/risk/versions: list, show, shadow delta, backtest,
and the lifecycle actions.

Versions are zone-wide configuration, the same for every ``risk.read`` caller. Acting on them (draft, shadow,
backtest, publish, retire) needs ``risk.manage`` and the whole zone's scope (a city's officers are refused with
403 ``AUTH-SCOPE``); the actor is always the signed-in principal, and the author of a version may not publish it
(409 ``RSK-VERSION-SELF-APPROVAL``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.scope import Scope, require_whole
from cbec.risk.versions import (
    BacktestReport,
    ShadowReport,
    VersionRead,
    draft,
    last_report,
    list_versions,
    publish,
    retire,
    run_backtest,
    shadow_report,
    show,
    to_shadow,
)
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/risk/versions", tags=["risk"])
READ, MANAGE = Permission.RISK_READ, Permission.RISK_MANAGE


class DraftIn(BaseModel):
    """A ruleset document (the format of cbec/risk/data/ruleset.json)."""

    document: dict[str, Any] = Field(description="version, parameters, typologies, rules.")


def _whole(scope: Scope) -> None:
    require_whole(scope, "风险规则集", "the risk ruleset")


@router.get("", response_model=list[VersionRead])
def versions(_scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)) -> list[VersionRead]:
    """Return every version, newest first: state, author, approver, digest."""
    return list_versions(ctx)


@router.post("", response_model=VersionRead, status_code=201)
def create(
    body: DraftIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> VersionRead:
    """Store a ruleset document as a draft (every problem listed with its rule id, 422)."""
    _whole(scope)
    return draft(ctx, json.dumps(body.document, ensure_ascii=False, indent=2), actor=principal.name)


@router.get("/{version}", response_model=VersionRead)
def one(version: str, _scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)) -> VersionRead:
    """Return one version with its JSON document."""
    return show(ctx, version)


@router.get("/{version}/delta", response_model=ShadowReport)
def delta(
    version: str,
    since: datetime | None = Query(None, description="Decided at or after (ISO 8601)."),
    until: datetime | None = Query(None, description="Decided before (ISO 8601)."),
    _scope: Scope = Depends(scoped(READ)),
    ctx: Context = Depends(get_ctx),
) -> ShadowReport:
    """Return the shadow volume delta: per typology and band, live against shadow decisions over the period."""
    return shadow_report(ctx, version, since=since, until=until)


@router.get("/{version}/backtest", response_model=BacktestReport | None)
def backtest_report(
    version: str, _scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)
) -> BacktestReport | None:
    """Return the version's latest backtest report (null when none was run)."""
    show(ctx, version)  # 404 RSK-VERSION-UNKNOWN
    return last_report(ctx, version)


@router.post("/{version}/backtest", response_model=BacktestReport)
def backtest_run(
    version: str,
    since: datetime | None = Query(None),
    until: datetime | None = Query(None),
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> BacktestReport:
    """Backtest the version over the stored decisions of the period (one process) and store the report."""
    _whole(scope)
    return run_backtest(ctx, version, since=since, until=until, actor=principal.name)


@router.post("/{version}/shadow", response_model=VersionRead)
def shadow(
    version: str,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> VersionRead:
    """Put a draft in shadow: phantom decisions beside the live ones, no holds or alerts."""
    _whole(scope)
    return to_shadow(ctx, version, actor=principal.name)


@router.post("/{version}/publish", response_model=VersionRead)
def publish_version(
    version: str,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> VersionRead:
    """Publish a version in shadow: a second person, never its author (409 RSK-VERSION-SELF-APPROVAL)."""
    _whole(scope)
    return publish(ctx, version, actor=principal.name)


@router.post("/{version}/retire", response_model=VersionRead)
def retire_version(
    version: str,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> VersionRead:
    """Retire a draft or a shadow version (409 RSK-VERSION-LIVE for the published one)."""
    _whole(scope)
    return retire(ctx, version, actor=principal.name)
