"""PKCS#11 signer (UKey 智能密码钥匙, server crypto device 服务器密码机) against a real SoftHSM2 token.

A PKCS#11 module is initialized once per process and SoftHSM2 reads SOFTHSM2_CONF then, so one token
directory serves the whole test process: it is made in a temporary folder with softhsm2-util before the library
loads. SoftHSM2 has no SM2 mechanism: the SM2 path is tested up to the refusal at load time only.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pkcs11 import Attribute, KeyType, ObjectClass
from pkcs11 import exceptions as p11
from pkcs11.util.x509 import decode_x509_certificate

from cbec.bootstrap import _cached_signer, load_signer, sign_outgoing
from cbec.config import Settings
from cbec.messages import MessageType, render_receipts
from cbec.messages.signature import SignatureAlgorithm, sign_document, verify_document
from cbec.messages.signature_pkcs11 import (
    Pkcs11CertificateNotFound,
    Pkcs11KeyNotFound,
    Pkcs11MechanismNotOffered,
    Pkcs11ModuleNotFound,
    Pkcs11PinIncorrect,
    Pkcs11Signer,
    Pkcs11TokenNotFound,
    vendor_mechanism,
)
from cbec.messages.signature_signers import SignerKeyMismatch, SignerMisconfigured, SignerUnavailable
from cbec.messages.signature_sm2 import build_self_signed_sm2_certificate, generate_sm2_private_key
from tests.unit.messages import builders as b

MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN = "cbec-platform"
PIN = "271828"
SO_PIN = "31415926"
SERIAL = 0x0A1B2C3D

pytestmark = pytest.mark.skipif(
    shutil.which("softhsm2-util") is None or not MODULE.exists(),
    reason="SoftHSM2 is not installed: apt-get install softhsm2 (make test runs tools/install-softhsm.sh)",
)


@dataclass(frozen=True)
class Hsm:
    """The test token: an RSA key generated on it (label platform, id 01) with its certificate stored beside it,
    and an RSA key imported from a PKCS#8 file (label imported, id 02) whose certificate is a file."""

    platform_der: bytes
    imported_der: bytes
    platform_cert_file: Path


def _ca() -> tuple[rsa.RSAPrivateKey, x509.Name]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "throw-away test CA")])


def _certificate(public_key: rsa.RSAPublicKey, ca: tuple[rsa.RSAPrivateKey, x509.Name], serial: int) -> bytes:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "cbec 平台 PKCS#11")]))
        .issuer_name(ca[1])
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .sign(ca[0], hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="session")  # once per process: the library reads SOFTHSM2_CONF when it initializes
def hsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hsm]:

    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    ca = _ca()
    imported = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "imported.p8").write_bytes(
        imported.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    imported_der = _certificate(imported.public_key(), ca, SERIAL + 1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOFTHSM2_CONF", str(conf))
        run = dict(check=True, capture_output=True, env={"SOFTHSM2_CONF": str(conf), "PATH": "/usr/bin:/bin"})
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN], **run
        )
        subprocess.run(
            [
                *("softhsm2-util", "--import", str(folder / "imported.p8"), "--token", TOKEN),
                *("--label", "imported", "--id", "02", "--pin", PIN),
            ],
            **run,
        )
        lib = pkcs11.lib(str(MODULE))
        with lib.get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
            public, _ = session.generate_keypair(KeyType.RSA, 2048, store=True, label="platform", id=b"\x01")
            exponent, modulus = (
                int.from_bytes(public[a], "big") for a in (Attribute.PUBLIC_EXPONENT, Attribute.MODULUS)
            )
            numbers = rsa.RSAPublicNumbers(exponent, modulus)
            platform_der = _certificate(numbers.public_key(), ca, SERIAL)
            attributes = decode_x509_certificate(platform_der)
            attributes.update({Attribute.LABEL: "platform", Attribute.ID: b"\x01", Attribute.TOKEN: True})
            attributes[Attribute.CLASS] = ObjectClass.CERTIFICATE
            session.create_object(attributes)
        (folder / "platform.pem").write_bytes(
            x509.load_der_x509_certificate(platform_der).public_bytes(serialization.Encoding.PEM)
        )
        yield Hsm(platform_der, imported_der, folder / "platform.pem")


@pytest.fixture
def signer(hsm: Hsm) -> Iterator[Pkcs11Signer]:

    made = Pkcs11Signer(MODULE, token_label=TOKEN, pin=PIN, key_label="platform")
    yield made
    made.close()


def receipt_xml(n: int = 1) -> bytes:
    return render_receipts([b.receipt(MessageType.INVENTORY_RECEIPT, guid=f"{n:08d}-0000-4000-8000-000000000000")])


def test_a_receipt_signed_on_the_token_verifies_with_the_token_certificate(hsm: Hsm, signer: Pkcs11Signer) -> None:
    signed = sign_document(receipt_xml(), signer)
    verdict = verify_document(signed, trusted_certificates=[hsm.platform_der], at=datetime(2026, 3, 2, tzinfo=UTC))
    assert (verdict.valid, verdict.algorithm, verdict.certificate_serial, verdict.problems) == (
        True,
        SignatureAlgorithm.RSA_SHA1,
        "0a1b2c3d",
        [],
    )
    assert signer.algorithm is SignatureAlgorithm.RSA_SHA1
    assert signer.certificate_der() == hsm.platform_der


def test_the_device_hashes_with_sha1_and_pads_pkcs1(hsm: Hsm, signer: Pkcs11Signer) -> None:
    public = x509.load_der_x509_certificate(hsm.platform_der).public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    value = signer.sign(b"<ds:SignedInfo/>")
    assert len(value) == 256
    public.verify(value, b"<ds:SignedInfo/>", padding.PKCS1v15(), hashes.SHA1())  # raises when wrong


def test_a_tampered_signed_receipt_is_refused(hsm: Hsm, signer: Pkcs11Signer) -> None:
    signed = sign_document(receipt_xml(), signer)
    tampered = signed.replace(b"<ceb:returnStatus>", b"<ceb:returnStatus>9", 1)
    assert tampered != signed
    verdict = verify_document(tampered, trusted_certificates=[hsm.platform_der])
    assert (verdict.valid, [p.rule_id for p in verdict.problems]) == (False, ["SIG-DIGEST"])


def test_key_by_id_with_certificate_from_a_file(hsm: Hsm) -> None:

    made = Pkcs11Signer(MODULE, token_label=TOKEN, pin=PIN, key_id=b"\x02", certificate_der=hsm.imported_der)
    try:
        verdict = verify_document(sign_document(receipt_xml(), made), trusted_certificates=[hsm.imported_der])
        assert (verdict.valid, verdict.certificate_serial) == (True, "0a1b2c3e")
    finally:
        made.close()


def test_wrong_pin_is_refused_with_a_hint(hsm: Hsm) -> None:

    with pytest.raises(Pkcs11PinIncorrect) as caught:
        Pkcs11Signer(MODULE, token_label=TOKEN, pin="000000", key_label="platform")
    assert caught.value.message == f"the user PIN of token {TOKEN!r} was refused (PinIncorrect)"
    assert caught.value.hint.startswith("check CBEC_PKCS11_PIN")
    assert isinstance(caught.value, ValueError)


def test_unknown_token_and_unknown_key_are_refused(hsm: Hsm) -> None:

    with pytest.raises(Pkcs11TokenNotFound, match=r"no token is labelled 'ukey-2' \(tokens present: .*'cbec-platform'"):
        Pkcs11Signer(MODULE, token_label="ukey-2", pin=PIN, key_label="platform")
    with pytest.raises(Pkcs11KeyNotFound) as caught:
        Pkcs11Signer(MODULE, token_label=TOKEN, pin=PIN, key_label="platform-2027")
    assert caught.value.message == f"no private key has label 'platform-2027' on token {TOKEN!r}"
    # The failed attempts left no session logged in: the right PIN is still checked afresh.

    with pytest.raises(Pkcs11PinIncorrect):
        Pkcs11Signer(MODULE, token_label=TOKEN, pin="999999", key_label="platform")


def test_missing_module_and_missing_certificate_are_refused(hsm: Hsm) -> None:

    with pytest.raises(Pkcs11ModuleNotFound, match=r"PKCS#11 module /nowhere/libvendor\.so does not exist"):
        Pkcs11Signer(Path("/nowhere/libvendor.so"), token_label=TOKEN, pin=PIN, key_label="platform")
    with pytest.raises(Pkcs11CertificateNotFound, match="no certificate with the key's label 'imported'"):
        Pkcs11Signer(MODULE, token_label=TOKEN, pin=PIN, key_label="imported")


def test_a_key_that_does_not_belong_to_the_certificate_is_refused_at_load(hsm: Hsm) -> None:

    with pytest.raises(SignerKeyMismatch, match="a probe signature does not verify"):
        Pkcs11Signer(MODULE, token_label=TOKEN, pin=PIN, key_label="imported", certificate_der=hsm.platform_der)


def test_sm2_needs_a_vendor_mechanism_the_token_offers(hsm: Hsm) -> None:

    key = generate_sm2_private_key()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    sm2_der = build_self_signed_sm2_certificate(
        key, "平台", serial_number=9, not_before=start, not_after=start + timedelta(days=9)
    )
    with pytest.raises(SignerMisconfigured, match="SM2 key but no SM2 mechanism is configured"):
        Pkcs11Signer(MODULE, token_label=TOKEN, pin=PIN, key_label="platform", certificate_der=sm2_der)
    with pytest.raises(Pkcs11MechanismNotOffered) as caught:
        Pkcs11Signer(
            MODULE, token_label=TOKEN, pin=PIN, key_label="platform", certificate_der=sm2_der, sm2_mechanism=0x80000A01
        )
    assert (
        caught.value.message
        == f"token {TOKEN!r} does not offer mechanism 0x80000a01 (VENDOR_0x80000a01) needed for SM2_SM3"
    )
    assert caught.value.hint.endswith("(vendor-defined mechanisms offered: none)")


def test_a_vendor_mechanism_number_reaches_the_device(hsm: Hsm) -> None:

    session = pkcs11.lib(str(MODULE)).get_token(token_label=TOKEN).open(user_pin=PIN)
    try:
        key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label="platform")
        with pytest.raises(p11.MechanismInvalid):  # python-pkcs11 alone would refuse with ArgumentsBad
            key.sign(b"data", mechanism=vendor_mechanism(0x80000A01))
    finally:
        session.close()
    assert (int(vendor_mechanism(0x80000A01)), vendor_mechanism(0x6).name) == (0x80000A01, "SHA1_RSA_PKCS")


def test_concurrent_signing_from_several_threads_shares_one_session(hsm: Hsm, signer: Pkcs11Signer) -> None:
    results: dict[int, bytes] = {}
    errors: list[BaseException] = []

    def work(thread: int) -> None:
        try:
            for i in range(6):
                n = thread * 100 + i
                results[n] = sign_document(receipt_xml(n), signer)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(1, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 36
    assert all(verify_document(xml, trusted_certificates=[hsm.platform_der]).valid for xml in results.values())


def test_a_closed_session_is_reopened_on_the_next_signature(hsm: Hsm, signer: Pkcs11Signer) -> None:
    signer.close()
    assert verify_document(sign_document(receipt_xml(), signer), trusted_certificates=[hsm.platform_der]).valid


def test_cbec_signer_pkcs11_through_load_signer(hsm: Hsm) -> None:
    settings = Settings(
        signer="pkcs11",
        pkcs11_module=MODULE,
        pkcs11_token_label=TOKEN,
        pkcs11_pin=PIN,
        pkcs11_key_label="platform",
        pkcs11_key_id="01",
    )
    made: list[Any] = []
    try:
        loaded = load_signer(settings)
        made.append(loaded)
        assert loaded is load_signer(settings)  # one signer, one session, per configuration
        signed = sign_outgoing(settings, receipt_xml())
        verdict = verify_document(signed, trusted_certificates=[hsm.platform_der])
        assert (verdict.valid, verdict.certificate_serial) == (True, "0a1b2c3d")
        # A second signer on the same token (certificate from a file) shares the process's login.
        from_file = load_signer(settings.model_copy(update={"signing_certificate_file": hsm.platform_cert_file}))
        made.append(from_file)
        assert from_file is not loaded
        assert verify_document(sign_outgoing(settings, receipt_xml(2)), trusted_certificates=[hsm.platform_der]).valid
    finally:
        for one in made:
            one.close()
        _cached_signer.cache_clear()


def test_pkcs11_settings_are_checked_before_the_device_is_touched() -> None:
    with pytest.raises(SignerMisconfigured, match="CBEC_SIGNER=pkcs11 needs CBEC_PKCS11_MODULE, CBEC_PKCS11_PIN"):
        load_signer(Settings(signer="pkcs11", pkcs11_token_label=TOKEN))
    with pytest.raises(SignerMisconfigured, match="CBEC_PKCS11_KEY_ID is hex"):
        load_signer(
            Settings(
                signer="pkcs11", pkcs11_module=MODULE, pkcs11_token_label=TOKEN, pkcs11_pin=PIN, pkcs11_key_id="zz"
            )
        )
    with pytest.raises(SignerUnavailable, match="is not a signer"):
        load_signer(Settings(signer="hsm"))
