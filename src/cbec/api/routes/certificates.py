"""REST routes of enterprises' signing certificates (签名证书备案) under /api/v1/enterprises/{key}/certificates."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import require
from cbec.common.errors import InvalidInput, Problem
from cbec.enterprises.certificates import (
    CertificateRead,
    list_certificates,
    register_certificate,
    revoke_certificate,
)
from cbec.storage.context import Context

router = APIRouter(prefix="/api/v1/enterprises", tags=["enterprises"])
MANAGE = [Depends(require(Permission.CERTIFICATES_MANAGE))]


class CertificateIn(BaseModel):
    """A certificate as PEM text or base64 DER."""

    certificate: str = Field(min_length=1)
    actor: str = "api"


class RevokeIn(BaseModel):
    """Why a certificate is revoked, and by whom."""

    reason: str = Field(min_length=1)
    actor: str = "api"


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


@router.post("/{key}/certificates", response_model=CertificateRead, status_code=201, dependencies=MANAGE)
def add_certificate(key: str, body: CertificateIn, ctx: Context = Depends(get_ctx)) -> CertificateRead:
    """Register a signing certificate for an enterprise (customs code or credit code)."""
    return register_certificate(ctx, key, _bytes_of(body.certificate), actor=body.actor)


@router.get(
    "/{key}/certificates",
    response_model=list[CertificateRead],
    dependencies=[Depends(require(Permission.ENTERPRISES_READ))],
)
def certificates(key: str, ctx: Context = Depends(get_ctx)) -> list[CertificateRead]:
    """List an enterprise's certificates, newest first."""
    return list_certificates(ctx, key)


@router.post("/{key}/certificates/{certificate}/revoke", response_model=CertificateRead, dependencies=MANAGE)
def revoke(key: str, certificate: str, body: RevokeIn, ctx: Context = Depends(get_ctx)) -> CertificateRead:
    """Revoke a certificate by serial (hex) or SHA-256 fingerprint."""
    return revoke_certificate(ctx, key, certificate, actor=body.actor, reason=body.reason)
