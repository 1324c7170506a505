"""Intake trusts a signed message only with a certificate its sender registered; anything else is refused whole."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.builders import AT, PARTIES, a_set
from tests.zone import Zone

from cbec.clearance.models import ArrivalRecordRow, InventoryRecord, OrderRecord
from cbec.demo.builders import build_arrival, build_message
from cbec.enterprises.certificates import register_certificate, revoke_certificate
from cbec.intake import ingest_message
from cbec.intake.models import IssuedReceipt
from cbec.messages import render_message
from cbec.messages.signature import SignatureAlgorithm, generate_test_identity, sign_document

INVENTORY_REFUSED = [("CEB622Message", "-621029")]


def statuses(result) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(r.message_type.value, r.status) for r in result.receipts]


def rules(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.rule_id for d in result.documents for p in d.problems]


def count(zone: Zone, model: type) -> int:
    with zone.ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def signed(zone: Zone, documents: list, sender, signer=None) -> bytes:  # type: ignore[no-untyped-def]
    return sign_document(render_message(build_message(documents, sender)), signer or zone.signer)


def test_a_message_signed_with_a_registered_certificate_is_accepted(zone: Zone) -> None:
    result = zone.send([a_set().order], PARTIES.ecommerce)
    assert statuses(result) == [("CEB312Message", "120")]


def test_a_tampered_inventory_is_refused_with_the_signature_problem_and_nothing_is_stored(zone: Zone) -> None:
    s = a_set()
    xml = signed(zone, [s.inventory], PARTIES.agent)
    tampered = xml.replace(b"<ceb:grossWeight>", b"<ceb:grossWeight>1", 1)
    assert tampered != xml
    result = ingest_message(zone.ctx, tampered)
    assert statuses(result) == INVENTORY_REFUSED
    assert rules(result) == ["SIG-DIGEST"]
    assert result.receipts[0].info.startswith("[Code:-621029;Desc:签名与数据不符")
    assert count(zone, InventoryRecord) == 0
    with zone.ctx.uow() as uow:
        [receipt] = uow.session.scalars(select(IssuedReceipt))
        assert (receipt.document_id, receipt.status) == (None, "-621029")


def test_a_tampered_order_message_refuses_every_document_in_it(zone: Zone) -> None:
    first, second = a_set("ORD20260302000001"), a_set("ORD20260302000002")
    xml = signed(zone, [first.order, second.order], PARTIES.ecommerce)
    tampered = xml.replace(b"ORD20260302000002", b"ORD20260302000003")
    result = ingest_message(zone.ctx, tampered)
    assert statuses(result) == [("CEB312Message", "-301020"), ("CEB312Message", "-301020")]
    assert rules(result) == ["SIG-DIGEST", "SIG-DIGEST"]
    assert count(zone, OrderRecord) == 0


def test_a_certificate_nobody_registered_is_refused(zone: Zone) -> None:
    stranger, _ = generate_test_identity(
        SignatureAlgorithm.RSA_SHA1, "陌生人", not_before=zone.ctx.clock.now() - timedelta(days=1)
    )
    result = ingest_message(zone.ctx, signed(zone, [a_set().order], PARTIES.ecommerce, stranger))
    assert statuses(result) == [("CEB312Message", "-301020")]
    assert rules(result) == ["SIG-CERT-UNTRUSTED"]
    assert count(zone, OrderRecord) == 0


def test_a_certificate_of_another_enterprise_is_refused(zone: Zone) -> None:
    signer, certificate = generate_test_identity(
        SignatureAlgorithm.SM2_SM3, "南海支付", not_before=zone.ctx.clock.now() - timedelta(days=1)
    )
    register_certificate(zone.ctx, PARTIES.payment.code, certificate, actor="test")
    accepted = ingest_message(zone.ctx, signed(zone, [a_set().payment], PARTIES.payment, signer))
    refused = ingest_message(zone.ctx, signed(zone, [a_set().order], PARTIES.ecommerce, signer))
    assert statuses(accepted) == [("CEB412Message", "120")]
    assert (statuses(refused), rules(refused)) == ([("CEB312Message", "-301020")], ["SIG-CERT-UNTRUSTED"])


def test_a_revoked_certificate_is_refused(zone: Zone) -> None:
    certificate = zone.signer.certificate_der()
    with zone.ctx.uow() as uow:
        from cbec.enterprises.certificate_models import EnterpriseCertificate

        serial = uow.session.scalars(select(EnterpriseCertificate.serial_hex)).first()
    assert serial is not None and certificate
    revoke_certificate(zone.ctx, PARTIES.ecommerce.code, serial, actor="officer", reason="key lost")
    result = zone.send([a_set().order], PARTIES.ecommerce)
    assert rules(result) == ["SIG-CERT-UNTRUSTED"]


def test_an_expired_certificate_is_refused(zone: Zone) -> None:
    signer, certificate = generate_test_identity(
        SignatureAlgorithm.RSA_SHA1, "过期", not_before=zone.ctx.clock.now() - timedelta(days=400), days=365
    )
    register_certificate(zone.ctx, PARTIES.ecommerce.code, certificate, actor="test")
    result = ingest_message(zone.ctx, signed(zone, [a_set().order], PARTIES.ecommerce, signer))
    assert rules(result) == ["SIG-CERT-UNTRUSTED", "SIG-CERT-EXPIRED"]


def test_unsigned_declared_arrival_is_refused_and_a_signed_one_is_stored(zone: Zone) -> None:
    s = a_set()
    arrival = build_arrival(PARTIES, [s.waybill.logistics_no], bill_no=s.inventory.bill_no or "B1", at=AT)
    refused = zone.send([arrival], PARTIES.site_operator, sign=False)
    assert (statuses(refused), rules(refused)) == ([("CEB712Message", "100")], ["CEB-R10"])
    assert count(zone, ArrivalRecordRow) == 0
    accepted = zone.send([arrival], PARTIES.site_operator)
    assert statuses(accepted) == [("CEB712Message", "120")]


def test_unsigned_orders_stay_allowed(zone: Zone) -> None:
    result = zone.send([a_set().order], PARTIES.ecommerce, sign=False)
    assert statuses(result) == [("CEB312Message", "120")]


def test_verification_can_be_switched_off(zone: Zone) -> None:
    zone.ctx.settings = zone.ctx.settings.model_copy(update={"verify_signatures": False})
    stranger, _ = generate_test_identity(SignatureAlgorithm.RSA_SHA1, "陌生人")
    result = ingest_message(zone.ctx, signed(zone, [a_set().order], PARTIES.ecommerce, stranger))
    assert statuses(result) == [("CEB312Message", "120")]


@pytest.mark.parametrize("dry_run", [True, False])
def test_preflight_reports_signature_problems_too(zone: Zone, dry_run: bool) -> None:
    xml = signed(zone, [a_set().inventory], PARTIES.agent).replace(b"<ceb:grossWeight>", b"<ceb:grossWeight>1", 1)
    result = ingest_message(zone.ctx, xml, dry_run=dry_run)
    assert rules(result) == ["SIG-DIGEST"]
    assert count(zone, IssuedReceipt) == (0 if dry_run else 1)
