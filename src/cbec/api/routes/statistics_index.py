"""REST routes of the development index's published editions (发展指数发布版) under /api/v1/statistics/index.

An edition is visible to its publisher's tenant, the tenants below it and those above it (``statistics.read``).
Publishing (``statistics.manage``) computes from the observations given, or from the caller's rollups for the
zones and years asked for, with the method given or the shipped one; the publisher and the tenant come from the
authenticated identity. Every edition's files can be downloaded, so anyone can recompute it with
``cbec index compute``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.bootstrap import sign_outgoing
from cbec.common.errors import InvalidInput, Problem
from cbec.common.scope import OutOfScope, Scope
from cbec.statistics import EDITION_FILES, method_codes, shipped_method
from cbec.statistics.queries import get_edition, index_observations, list_editions
from cbec.statistics.service import publish_edition, verify_edition
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/statistics/index", tags=["statistics"])
READ, MANAGE = Permission.STATISTICS_READ, Permission.STATISTICS_MANAGE


class EditionIn(BaseModel):
    """An edition to publish: observations given, or zones and years taken from the rollups."""

    label: str = Field(max_length=40, description="2026-Q3, zone-2026.1 … (never reused).")
    seed: int = Field(20261206, ge=0, lt=2**63, description="Seed of the uncertainty analysis.")
    method: dict[str, Any] | None = Field(None, description="The method (docs/index.md); default: the shipped one.")
    observations: list[dict[str, Any]] | None = Field(
        None, max_length=200_000, description="Rows of zone, period, indicator, value."
    )
    zones: list[str] | None = Field(None, max_length=400, description="Without observations: tenants (zones).")
    years: list[int] | None = Field(None, max_length=30, description="Without observations: years.")


def _inputs(body: EditionIn, scope: Scope, ctx: Context) -> list[dict[str, Any]]:
    if body.observations is not None:
        return body.observations
    if not body.zones or not body.years:
        raise InvalidInput(
            "no observations",
            problems=[
                Problem(
                    "IDX-EDITION-INPUT",
                    "observations",
                    "请提供观测值，或分区与年份 / give observations, or zones and years",
                    "E.g. zones=[hub/a, hub/b], years=[2025, 2026].",
                )
            ],
        )
    for zone in body.zones:
        if not scope.admits_tenant(zone):
            raise OutOfScope(
                f"zone {zone} is not yours",
                problems=[
                    Problem(
                        "AUTH-SCOPE",
                        "zones",
                        f"无权使用 {zone} 的统计 / {zone} is outside your tenant",
                        "Choose your tenant or tenants below it.",
                    )
                ],
            )
    codes = method_codes(body.method or shipped_method())
    return index_observations(ctx, list(body.zones), sorted(set(body.years)), codes=codes)


@router.get("/editions")
def editions(scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)) -> list[dict[str, Any]]:
    """Return the published editions the caller may see, newest first."""
    return [e.as_row() for e in list_editions(ctx, scope)]


@router.post("/editions", status_code=201)
def publish(
    body: EditionIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> dict[str, Any]:
    """Publish an immutable edition (signed when the platform has a signer); 409 IDX-EDITION-EXISTS if taken."""
    done = publish_edition(
        ctx,
        label=body.label,
        observations=_inputs(body, scope, ctx),
        method=body.method if body.method is not None else shipped_method(),
        seed=body.seed,
        actor=principal.name,
        tenant=scope.tenant or "hub",
        sign=lambda xml: sign_outgoing(ctx.settings, xml),
    )
    return done.as_row()


@router.get("/editions/{label}")
def edition(label: str, scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)) -> dict[str, Any]:
    """Return one edition: its summary and its result (every zone's index, rank, pillars and rank band)."""
    found = get_edition(ctx, label, scope)
    return found.summary.as_row() | {"result": found.result}


@router.get("/editions/{label}/verify")
def verify(label: str, scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)) -> dict[str, Any]:
    """Recompute the edition from its published inputs; say whether digests and signature hold."""
    check = verify_edition(ctx, label, scope)
    return {
        "label": check.label,
        "digest": check.digest,
        "recomputed": check.recomputed,
        "inputs_match": check.inputs_match,
        "signed": check.signed,
        "signature_valid": check.signature_valid,
        "ok": check.ok,
        "problems": [p.as_dict() for p in check.problems],
    }


@router.get("/editions/{label}/files/{name}")
def download(label: str, name: str, scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)) -> Response:
    """Download one of the edition's files: observations.csv, method.json, result.json or manifest.xml."""
    if name not in EDITION_FILES:
        raise InvalidInput(
            "unknown file",
            problems=[
                Problem(
                    "IDX-EDITION-FILE", "name", f"没有文件 {name} / no file {name}", f"Use {sorted(EDITION_FILES)}."
                )
            ],
        )
    text = get_edition(ctx, label, scope).files()[name]
    headers = {"Content-Disposition": f'attachment; filename="{label}-{name}"'}
    return Response(text.encode("utf-8"), media_type=EDITION_FILES[name], headers=headers)
