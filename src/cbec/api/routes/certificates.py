"""REST routes of enterprises' signing certificates (签名证书备案) under /api/v1/enterprises/{key}/certificates.

Only enterprises in the caller's scope are reached: another tenant's (or, for an enterprise, another
enterprise's) filing is not found (404). The audit records the signed-in principal.
"""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import Principal, require, scoped
from cbec.common.errors import InvalidInput, Problem
from cbec.common.scope import Scope
from cbec.enterprises.certificates import (
    CertificateRead,
    list_certificates,
    register_certificate,
    revoke_certificate,
)
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/enterprises", tags=["enterprises"])
MANAGE, READ = Permission.CERTIFICATES_MANAGE, Permission.ENTERPRISES_READ


class CertificateIn(BaseModel):
    """A certificate as PEM text or base64 DER."""

    certificate: str = Field(min_length=1)


class RevokeIn(BaseModel):
    """Why a certificate is revoked (the signed-in principal is recorded as who)."""

    reason: str = Field(min_length=1)


def _bytes_of(text: str) -> bytes:
    if "-----BEGIN" in text:
        return text.encode("ascii", errors="replace")
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(
            "certificate is neither PEM nor base64 DER",
            problems=[Problem("CERT-FORMAT", "certificate", "证书格式错误 / not PEM or base64 DER", "Send PEM text.")],
        ) from exc


@router.post("/{key}/certificates", response_model=CertificateRead, status_code=201)
def add_certificate(
    key: str,
    body: CertificateIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> CertificateRead:
    """Register a signing certificate for an enterprise (customs code or credit code) in the caller's scope."""
    return register_certificate(ctx, key, _bytes_of(body.certificate), actor=principal.name, scope=scope)


@router.get("/{key}/certificates", response_model=list[CertificateRead])
def certificates(
    key: str, scope: Scope = Depends(scoped(READ)), ctx: Context = Depends(get_ctx)
) -> list[CertificateRead]:
    """List the certificates of an enterprise in the caller's scope, newest first."""
    return list_certificates(ctx, key, scope=scope)


@router.post("/{key}/certificates/{certificate}/revoke", response_model=CertificateRead)
def revoke(
    key: str,
    certificate: str,
    body: RevokeIn,
    principal: Principal = Depends(require(MANAGE)),
    scope: Scope = Depends(scoped(MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> CertificateRead:
    """Revoke a certificate of an enterprise in the caller's scope by serial (hex) or SHA-256 fingerprint."""
    return revoke_certificate(ctx, key, certificate, actor=principal.name, reason=body.reason, scope=scope)
