"""Registry of enterprises' signing certificates (签名证书备案): register, list, revoke, and the trust lookup.

Intake trusts a signed message only when its certificate is registered, active and valid for the
enterprise that transmits it (BaseTransfer copCode). Registration and revocation are audited.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.errors import AlreadyExists, InvalidInput, NotFound, Problem
from cbec.common.scope import Scope
from cbec.enterprises import repository as repo
from cbec.enterprises.certificate_models import EnterpriseCertificate
from cbec.enterprises.errors import EnterpriseNotFound
from cbec.enterprises.models import FILING, Enterprise
from cbec.messages.signature_signers import SignatureAlgorithm, key_matches, parse_certificate
from cbec.sharing import emit_certificate
from cbec.storage.context import Context
from cbec.storage.revisions import RevisionCache

ACTIVE, REVOKED = "active", "revoked"
ENTITY = "enterprise_certificate"
_active_certificates: RevisionCache[tuple[tuple[bytes, datetime, datetime], ...]] = RevisionCache(FILING)


class CertificateInvalid(InvalidInput):
    """The file is not a usable RSA or SM2 X.509 certificate."""


class CertificateExists(AlreadyExists):
    """The enterprise registered this certificate already."""


class CertificateNotFound(NotFound):
    """The enterprise has no certificate with this serial or fingerprint."""


class CertificateRead(BaseModel):
    """A registered certificate as shown (the DER itself is not repeated)."""

    id: int
    enterprise: str
    serial_hex: str
    algorithm: str
    fingerprint: str
    subject: str
    valid_from: datetime
    valid_to: datetime
    status: str
    registered_at: datetime
    revoked_at: datetime | None


def _der_of(data: bytes) -> bytes:
    """Return DER bytes of a PEM or DER certificate; raise CertificateInvalid when unreadable."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
        x509.load_der_x509_certificate(data)
        return data
    except ValueError as exc:
        raise CertificateInvalid(
            "not an X.509 certificate",
            problems=[
                Problem(
                    "CERT-FORMAT",
                    "certificate",
                    f"证书无法读取 / unreadable certificate: {exc}",
                    "Give a PEM or DER X.509 certificate.",
                )
            ],
        ) from exc


def _subject(der: bytes) -> str:
    return x509.load_der_x509_certificate(der).subject.rfc4514_string()[:300]


def _enterprise(session: Session, key: str, scope: Scope | None = None) -> Enterprise:
    enterprise = repo.by_code(session, key.strip().upper())
    if enterprise is not None and scope is not None and not scope.unrestricted:
        admitted = session.scalar(select(Enterprise.id).where(Enterprise.id == enterprise.id, *repo.in_scope(scope)))
        enterprise = enterprise if admitted is not None else None  # outside the scope: not found, nothing leaks
    if enterprise is None:
        raise EnterpriseNotFound(f"no enterprise {key}", key=key)
    return enterprise


def _read(row: EnterpriseCertificate, enterprise: Enterprise) -> CertificateRead:
    return CertificateRead(
        id=row.id,
        enterprise=enterprise.customs_code,
        serial_hex=row.serial_hex,
        algorithm=row.algorithm,
        fingerprint=row.fingerprint,
        subject=row.subject,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        status=row.status,
        registered_at=row.registered_at,
        revoked_at=row.revoked_at,
    )


def register_certificate(
    ctx: Context, enterprise_key: str, data: bytes, *, actor: str, scope: Scope | None = None
) -> CertificateRead:
    """Register a signing certificate (PEM or DER, RSA or SM2) for an enterprise of the scope (else not found)."""
    der = _der_of(data)
    try:
        info = parse_certificate(der)
    except ValueError as exc:
        raise CertificateInvalid(
            "unusable certificate",
            problems=[
                Problem("CERT-KEY", "certificate", f"证书密钥不可用 / {exc}", "Register an RSA or SM2 certificate.")
            ],
        ) from exc
    fingerprint = hashlib.sha256(der).hexdigest()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        enterprise = _enterprise(session, enterprise_key, scope)
        clash = session.scalar(
            select(EnterpriseCertificate).where(
                EnterpriseCertificate.enterprise_id == enterprise.id, EnterpriseCertificate.fingerprint == fingerprint
            )
        )
        if clash is not None:
            raise CertificateExists(
                f"certificate {info.serial_hex} is already registered for {enterprise.customs_code}",
                serial=info.serial_hex,
            )
        row = EnterpriseCertificate(
            enterprise_id=enterprise.id,
            certificate_der=der,
            fingerprint=fingerprint,
            serial_hex=info.serial_hex,
            algorithm="RSA" if key_matches(SignatureAlgorithm.RSA_SHA1, info) else "SM2",
            subject=_subject(der),
            valid_from=info.not_before,
            valid_to=info.not_after,
            status=ACTIVE,
            registered_at=now,
        )
        session.add(row)
        session.flush()
        record_audit(
            session,
            at=now,
            actor=actor,
            action="enterprises.certificate.registered",
            entity_type=ENTITY,
            entity_key=f"{enterprise.customs_code}/{row.serial_hex}",
            after={
                "serial": row.serial_hex,
                "fingerprint": fingerprint,
                "algorithm": row.algorithm,
                "valid_to": row.valid_to.isoformat(),
            },
        )
        _publish(session, ctx, enterprise.customs_code, row, now, reason=None)
        read = _read(row, enterprise)
        uow.commit()
        return read


def _publish(
    session: Session, ctx: Context, customs_code: str, row: EnterpriseCertificate, now: datetime, *, reason: str | None
) -> None:
    """Write the certificate's event to the outbox, in the transaction of the change."""
    emit_certificate(
        session,
        at=now,
        zone=ctx.settings.zone_customs_code,
        customs_code=customs_code,
        serial=row.serial_hex,
        fingerprint=row.fingerprint,
        algorithm=row.algorithm,
        status=row.status,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        reason=reason,
    )


def list_certificates(ctx: Context, enterprise_key: str, *, scope: Scope | None = None) -> list[CertificateRead]:
    """Return the certificates of an enterprise of the scope (else not found), newest first."""
    with ctx.uow() as uow:
        enterprise = _enterprise(uow.session, enterprise_key, scope)
        rows = uow.session.scalars(
            select(EnterpriseCertificate)
            .where(EnterpriseCertificate.enterprise_id == enterprise.id)
            .order_by(EnterpriseCertificate.id.desc())
        )
        return [_read(row, enterprise) for row in rows]


def revoke_certificate(
    ctx: Context, enterprise_key: str, certificate: str, *, actor: str, reason: str, scope: Scope | None = None
) -> CertificateRead:
    """Revoke a certificate (by serial or fingerprint): messages signed with it are refused from now on.

    The enterprise must lie in the scope (else it is not found).
    """
    if not reason.strip():
        raise InvalidInput(
            "a reason is required",
            problems=[
                Problem(
                    "CERT-REASON",
                    "reason",
                    "必须填写原因 / a reason is required",
                    "Say why the certificate is revoked.",
                )
            ],
        )
    wanted = certificate.strip().lower()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        enterprise = _enterprise(session, enterprise_key, scope)
        row = session.scalar(
            select(EnterpriseCertificate).where(
                EnterpriseCertificate.enterprise_id == enterprise.id,
                (EnterpriseCertificate.serial_hex == wanted) | (EnterpriseCertificate.fingerprint == wanted),
            )
        )
        if row is None:
            raise CertificateNotFound(
                f"{enterprise.customs_code} has no certificate {certificate}", certificate=certificate
            )
        before = row.status
        row.status, row.revoked_at = REVOKED, now
        record_audit(
            session,
            at=now,
            actor=actor,
            action="enterprises.certificate.revoked",
            entity_type=ENTITY,
            entity_key=f"{enterprise.customs_code}/{row.serial_hex}",
            before={"status": before},
            after={"status": REVOKED},
            reason=reason.strip(),
        )
        _publish(session, ctx, enterprise.customs_code, row, now, reason=reason.strip())
        read = _read(row, enterprise)
        uow.commit()
        return read


def trusted_certificates(session: Session, code: str, at: datetime) -> list[bytes]:
    """Return the DER certificates an enterprise may sign with at a moment: active and within validity.

    The active certificates of an enterprise are kept in memory under the ``filing`` revision token (the
    database changes it when a certificate is registered or revoked); validity is checked at each call.
    """
    key = code.strip().upper()
    active = _active_certificates.get(session, key, lambda: _read_active(session, key))
    return [der for der, valid_from, valid_to in active if valid_from <= at <= valid_to]


def _read_active(session: Session, code: str) -> tuple[tuple[bytes, datetime, datetime], ...]:
    stmt = (
        select(EnterpriseCertificate.certificate_der, EnterpriseCertificate.valid_from, EnterpriseCertificate.valid_to)
        .join(Enterprise, Enterprise.id == EnterpriseCertificate.enterprise_id)
        .where((Enterprise.customs_code == code) | (Enterprise.uscc == code), EnterpriseCertificate.status == ACTIVE)
        .order_by(EnterpriseCertificate.id)
    )
    return tuple((bytes(der), start, end) for der, start, end in session.execute(stmt))
