"""The platform signs its receipts, tax bills and CEB900s with the signer configured in settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from tests.builders import PARTIES, SERUM, a_set
from tests.keys import rsa_files
from tests.zone import Zone

from cbec.bootstrap import load_signer, sign_outgoing
from cbec.config import Settings
from cbec.messages import render_receipts, render_tax_bills
from cbec.messages.signature import SignatureAlgorithm, verify_document
from cbec.messages.signature_sm2 import build_self_signed_sm2_certificate, generate_sm2_private_key


def released(zone: Zone):  # type: ignore[no-untyped-def]
    s = a_set(items=[(SERUM, Decimal(1))], trade_mode="1210")
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    return zone.send([s.inventory], PARTIES.agent)


def test_receipts_and_tax_bills_are_signed_with_the_software_rsa_key(zone: Zone, tmp_path: Path) -> None:
    key_file, cert_file, der = rsa_files(tmp_path)
    settings = Settings(signer="software", signing_key_file=key_file, signing_certificate_file=cert_file)
    result = released(zone)
    at = datetime(2026, 3, 2, tzinfo=UTC)
    for xml in (render_receipts(result.receipts), render_tax_bills(result.tax_bills)):
        signed = sign_outgoing(settings, xml)
        verdict = verify_document(signed, trusted_certificates=[der], at=at)
        assert (verdict.valid, verdict.certificate_serial) == (True, "01691fe9")


def test_sm2_key_file_signs_too(zone: Zone, tmp_path: Path) -> None:
    key = generate_sm2_private_key()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    der = build_self_signed_sm2_certificate(
        key, "平台", serial_number=7, not_before=start, not_after=start + timedelta(days=9)
    )
    (tmp_path / "sm2.key").write_text(key.to_bytes(32, "big").hex())
    (tmp_path / "sm2.der").write_bytes(der)
    settings = Settings(
        signer="software", signing_key_file=tmp_path / "sm2.key", signing_certificate_file=tmp_path / "sm2.der"
    )
    signed = sign_outgoing(settings, render_receipts(zone.send([a_set().order], PARTIES.ecommerce).receipts))
    verdict = verify_document(signed, trusted_certificates=[der])
    assert (verdict.valid, verdict.algorithm) == (True, SignatureAlgorithm.SM2_SM3)


def test_no_signer_leaves_messages_as_they_are_and_unknown_signers_are_refused(zone: Zone) -> None:
    xml = render_receipts(zone.send([a_set().order], PARTIES.ecommerce).receipts)
    assert sign_outgoing(Settings(), xml) == xml
    with pytest.raises(ValueError, match="CBEC_SIGNER 'hsm' is not a signer"):
        load_signer(Settings(signer="hsm"))
    with pytest.raises(ValueError, match="CBEC_SIGNER=pkcs11 needs CBEC_PKCS11_MODULE"):
        load_signer(Settings(signer="pkcs11"))
