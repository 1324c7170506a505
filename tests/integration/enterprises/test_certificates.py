"""Registry of enterprises' signing certificates: register (PEM or DER), list, revoke, and which are trusted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from tests.builders import PARTIES
from tests.zone import file_zone

from cbec.audit.models import AuditRecord
from cbec.enterprises.certificates import (
    CertificateExists,
    CertificateInvalid,
    CertificateNotFound,
    list_certificates,
    register_certificate,
    revoke_certificate,
    trusted_certificates,
)
from cbec.enterprises.errors import EnterpriseNotFound
from cbec.messages.signature import SignatureAlgorithm, generate_test_identity
from cbec.storage.context import Context


def identity(ctx: Context, algorithm: SignatureAlgorithm = SignatureAlgorithm.RSA_SHA1, days: int = 365) -> bytes:
    _, der = generate_test_identity(algorithm, "测试", not_before=ctx.clock.now() - timedelta(days=1), days=days)
    return der


def trusted(ctx: Context, code: str, days: int = 0) -> list[bytes]:
    with ctx.uow() as uow:
        return trusted_certificates(uow.session, code, ctx.clock.now() + timedelta(days=days))


def test_register_pem_or_der_list_and_revoke(ctx: Context) -> None:
    file_zone(ctx)
    rsa = identity(ctx)
    sm2 = identity(ctx, SignatureAlgorithm.SM2_SM3)
    pem = x509.load_der_x509_certificate(rsa).public_bytes(serialization.Encoding.PEM)
    first = register_certificate(ctx, PARTIES.agent.code, pem, actor="officer")
    second = register_certificate(ctx, PARTIES.agent.code, sm2, actor="officer")
    assert (first.algorithm, second.algorithm, first.status, first.enterprise) == (
        "RSA",
        "SM2",
        "active",
        PARTIES.agent.code,
    )
    assert first.subject == "CN=测试"
    assert [c.serial_hex for c in list_certificates(ctx, PARTIES.agent.code)] == [second.serial_hex, first.serial_hex]
    assert sorted(trusted(ctx, PARTIES.agent.code)) == sorted([rsa, sm2])
    assert trusted(ctx, PARTIES.payment.code) == []
    revoked = revoke_certificate(ctx, PARTIES.agent.code, first.fingerprint, actor="officer", reason="密钥泄露")
    assert revoked.status == "revoked"
    assert trusted(ctx, PARTIES.agent.code) == [sm2]
    with ctx.uow() as uow:
        actions = list(
            uow.session.scalars(
                select(AuditRecord.action)
                .where(AuditRecord.entity_type == "enterprise_certificate")
                .order_by(AuditRecord.seq)
            )
        )
    assert actions == [
        "enterprises.certificate.registered",
        "enterprises.certificate.registered",
        "enterprises.certificate.revoked",
    ]


def test_only_certificates_valid_at_the_moment_are_trusted(ctx: Context) -> None:
    file_zone(ctx)
    der = identity(ctx, days=10)
    register_certificate(ctx, PARTIES.agent.code, der, actor="officer")
    assert trusted(ctx, PARTIES.agent.code) == [der]
    assert trusted(ctx, PARTIES.agent.code, days=30) == []


def test_refusals(ctx: Context) -> None:
    file_zone(ctx)
    der = identity(ctx)
    register_certificate(ctx, PARTIES.agent.code, der, actor="officer")
    with pytest.raises(CertificateExists):
        register_certificate(ctx, PARTIES.agent.code, der, actor="officer")
    with pytest.raises(CertificateInvalid) as bad:
        register_certificate(ctx, PARTIES.agent.code, b"not a certificate", actor="officer")
    assert [p.rule_id for p in bad.value.problems] == ["CERT-FORMAT"]
    with pytest.raises(EnterpriseNotFound):
        register_certificate(ctx, "4601999999", der, actor="officer")
    with pytest.raises(CertificateNotFound):
        revoke_certificate(ctx, PARTIES.agent.code, "abcdef", actor="officer", reason="x")
