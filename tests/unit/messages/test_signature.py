"""XML signature of CEB messages: ceb-messages.md §5 (enveloped XML-DSig, RSA-SHA1 and SM2-SM3)."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import pkcs12
from gmssl import sm2 as gmssl_sm2
from lxml import etree

from cbec.messages.signature import (
    Accommodation,
    SignatureAlgorithm,
    Signer,
    SigningRefused,
    Sm2SignatureEncoding,
    SoftwareRsaSigner,
    SoftwareSm2Signer,
    VerifyResult,
    generate_test_identity,
    sign_document,
    verify_document,
)
from cbec.messages.signature_sm2 import (
    build_self_signed_sm2_certificate,
    generate_sm2_private_key,
    sm2_public_key_from_certificate,
    sm2_public_key_of,
    sm2_verify,
)

CEB = "http://www.chinaport.gov.cn/ceb"
DS = "http://www.w3.org/2000/09/xmldsig#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
RSA = SignatureAlgorithm.RSA_SHA1
SM2 = SignatureAlgorithm.SM2_SM3
NOT_BEFORE = datetime(2026, 1, 1, tzinfo=UTC)

FIELDS = {
    "guid": "CEB621_TEST_0001",
    "appType": "1",
    "appStatus": "2",
    "orderNo": "ORDER-2026-0001",
    "ebpCode": "3301960001",
    "copNo": "COP-0001",
    "buyerName": "张三",
    "gnum": "1",
    "itemName": "奶粉",
    "totalPrice": "199.00",
    "copCode": "1101180326",
    "dxpId": "DXPENT0000000001",
}


def ceb621(**overrides: str) -> bytes:
    """Build a small indented CEB621-like inventory message; overrides replace field values."""
    v = {**FIELDS, **overrides}
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ceb:CEB621Message xmlns:ceb="{CEB}" guid="{v["guid"]}" version="1.0">
\t<ceb:Inventory>
\t\t<ceb:InventoryHead>
\t\t\t<ceb:guid>{v["guid"]}</ceb:guid>
\t\t\t<ceb:appType>{v["appType"]}</ceb:appType>
\t\t\t<ceb:appStatus>{v["appStatus"]}</ceb:appStatus>
\t\t\t<ceb:orderNo>{v["orderNo"]}</ceb:orderNo>
\t\t\t<ceb:ebpCode>{v["ebpCode"]}</ceb:ebpCode>
\t\t\t<ceb:copNo>{v["copNo"]}</ceb:copNo>
\t\t\t<ceb:buyerName>{v["buyerName"]}</ceb:buyerName>
\t\t</ceb:InventoryHead>
\t\t<ceb:InventoryList>
\t\t\t<ceb:gnum>{v["gnum"]}</ceb:gnum>
\t\t\t<ceb:itemName>{v["itemName"]}</ceb:itemName>
\t\t\t<ceb:totalPrice>{v["totalPrice"]}</ceb:totalPrice>
\t\t</ceb:InventoryList>
\t</ceb:Inventory>
\t<ceb:BaseTransfer>
\t\t<ceb:copCode>{v["copCode"]}</ceb:copCode>
\t\t<ceb:copName>测试企业</ceb:copName>
\t\t<ceb:dxpMode>DXP</ceb:dxpMode>
\t\t<ceb:dxpId>{v["dxpId"]}</ceb:dxpId>
\t</ceb:BaseTransfer>
</ceb:CEB621Message>
""".encode()


@pytest.fixture(scope="module")
def rsa_identity() -> tuple[Signer, bytes]:
    return generate_test_identity(RSA, "测试电商企业 RSA", not_before=NOT_BEFORE)


@pytest.fixture(scope="module")
def sm2_identity() -> tuple[Signer, bytes]:
    return generate_test_identity(SM2, "测试电商企业 SM2", not_before=NOT_BEFORE)


@pytest.fixture(scope="module")
def identities(rsa_identity: tuple[Signer, bytes], sm2_identity: tuple[Signer, bytes]) -> dict:
    return {RSA: rsa_identity, SM2: sm2_identity}


@pytest.fixture(scope="module")
def signed(identities: dict) -> dict[SignatureAlgorithm, bytes]:
    return {alg: sign_document(ceb621(), signer) for alg, (signer, _) in identities.items()}


def rule_ids(result: VerifyResult) -> list[str]:
    return [p.rule_id for p in result.problems]


def signature_of(xml: bytes) -> etree._Element:
    return etree.fromstring(xml).find(f"{{{DS}}}Signature")


def ds_text(xml: bytes, name: str) -> str:
    return etree.fromstring(xml).find(f".//{{{DS}}}{name}").text


# --- round trips -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", [RSA, SM2])
def test_round_trip_verifies_with_trusted_certificate(algorithm: SignatureAlgorithm, identities: dict) -> None:
    signer, der = identities[algorithm]
    signed_xml = sign_document(ceb621(), signer)

    result = verify_document(signed_xml, trusted_certificates=[der])

    serial = x509.load_der_x509_certificate(der).serial_number
    assert result == VerifyResult(
        valid=True,
        algorithm=algorithm,
        certificate_serial=serial.to_bytes((serial.bit_length() + 7) // 8, "big").hex(),
        certificate_der=der,
        problems=[],
        accommodations=(),
    )


@pytest.mark.parametrize("algorithm", [RSA, SM2])
def test_signed_structure_follows_the_ceb_profile(algorithm: SignatureAlgorithm, identities: dict) -> None:
    signer, der = identities[algorithm]
    signed_xml = sign_document(ceb621(), signer)
    signature = signature_of(signed_xml)
    q = f"{{{DS}}}"

    assert [el.tag for el in signature] == [q + "SignedInfo", q + "SignatureValue", q + "KeyInfo"]
    info = signature.find(q + "SignedInfo")
    assert [(el.tag, el.get("Algorithm")) for el in info.iter(q + "CanonicalizationMethod", q + "SignatureMethod")] == [
        (q + "CanonicalizationMethod", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"),
        (q + "SignatureMethod", algorithm.value),
    ]
    assert info.find(q + "Reference").get("URI") == ""
    assert [t.get("Algorithm") for t in info.iter(q + "Transform")] == [
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    ]
    assert (
        info.find(f"{q}Reference/{q}DigestMethod").get("Algorithm")
        == {
            RSA: "http://www.w3.org/2000/09/xmldsig#sha1",
            SM2: "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3",
        }[algorithm]
    )
    serial = x509.load_der_x509_certificate(der).serial_number
    key_name = signature.find(f"{q}KeyInfo/{q}KeyName").text
    assert key_name == key_name.lower()
    assert len(key_name) % 2 == 0
    assert int(key_name, 16) == serial
    assert base64.b64decode(signature.find(f"{q}KeyInfo/{q}X509Data/{q}X509Certificate").text) == der


@pytest.mark.parametrize("algorithm", [RSA, SM2])
def test_signature_is_last_child_with_no_whitespace_before_it(algorithm: SignatureAlgorithm, signed: dict) -> None:
    root = etree.fromstring(signed[algorithm])

    assert root[-1].tag == f"{{{DS}}}Signature"
    assert [el.tag for el in root] == [f"{{{CEB}}}Inventory", f"{{{CEB}}}BaseTransfer", f"{{{DS}}}Signature"]
    assert root[-2].tail is None  # no text node at all between BaseTransfer and ds:Signature
    assert root[-1].tail == "\n"  # the indentation that preceded </root> now follows the signature
    assert b"</ceb:BaseTransfer><ds:Signature " in signed[algorithm]


@pytest.mark.parametrize("algorithm", [RSA, SM2])
def test_strict_and_lenient_digests_agree_and_equal_the_digest_value(
    algorithm: SignatureAlgorithm, signed: dict
) -> None:
    def without_signature(lenient: bool) -> bytes:
        root = etree.fromstring(signed[algorithm])
        signature = root[-1]
        before = root[-2].tail or ""
        root[-2].tail = (before.rstrip() if lenient else before) + (signature.tail or "")
        root.remove(signature)
        return etree.tostring(root.getroottree(), method="c14n")

    strict, lenient = without_signature(False), without_signature(True)
    hashed = hashlib.sha1(strict).digest() if algorithm is RSA else algorithm.digest(strict)

    assert strict == lenient
    assert ds_text(signed[algorithm], "DigestValue") == base64.b64encode(hashed).decode()


def test_signed_info_is_canonicalized_with_the_namespaces_in_scope(signed: dict, rsa_identity: tuple) -> None:
    _, der = rsa_identity
    signature = signature_of(signed[RSA])
    canonical = etree.tostring(signature.find(f"{{{DS}}}SignedInfo"), method="c14n")

    assert canonical.startswith(f'<ds:SignedInfo xmlns:ceb="{CEB}" xmlns:ds="{DS}" xmlns:xsi="{XSI}">'.encode())
    key = x509.load_der_x509_certificate(der).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(
        base64.b64decode(signature.find(f"{{{DS}}}SignatureValue").text),
        canonical,
        padding.PKCS1v15(),
        hashes.SHA1(),
    )  # raises InvalidSignature on mismatch


def test_signing_declares_xsi_on_the_root_and_keeps_the_content(signed: dict) -> None:
    root = etree.fromstring(signed[RSA])

    assert root.nsmap == {"ceb": CEB, "xsi": XSI}
    assert dict(root.attrib) == {"guid": "CEB621_TEST_0001", "version": "1.0"}
    unsigned = etree.fromstring(ceb621())
    root.remove(root[-1])
    assert [(el.tag, el.text) for el in root.iter()] == [(el.tag, el.text) for el in unsigned.iter()]


def test_signed_output_starts_with_a_utf8_declaration(signed: dict) -> None:
    assert signed[SM2].startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<ceb:CEB621Message ')


# --- refusals ----------------------------------------------------------------------------------------------


LEAVES = [etree.QName(el).localname for el in etree.fromstring(ceb621()).iter() if len(el) == 0]


def tamper(xml: bytes, leaf: str, value: str) -> bytes:
    """Return xml with the text of the one element named leaf replaced by value."""
    tree = etree.fromstring(xml).getroottree()
    (element,) = tree.xpath(f"//*[local-name()='{leaf}']")
    element.text = value
    return etree.tostring(tree, encoding="UTF-8", xml_declaration=True)


def test_leaves_cover_every_field_of_the_test_document() -> None:
    assert len(LEAVES) == 14
    assert set(FIELDS) <= set(LEAVES)


@pytest.mark.parametrize("leaf", LEAVES)
def test_tampering_with_any_field_value_is_a_digest_refusal(leaf: str, signed: dict) -> None:
    original = etree.fromstring(signed[RSA]).xpath(f"string(//*[local-name()='{leaf}'])")
    tampered = tamper(signed[RSA], leaf, original + "0")

    result = verify_document(tampered)

    assert result.valid is False
    assert rule_ids(result) == ["SIG-DIGEST"]
    assert result.problems[0].code == "1004"
    assert result.problems[0].field == "ds:Signature/ds:SignedInfo/ds:Reference/ds:DigestValue"


@pytest.mark.parametrize("leaf", ["orderNo", "totalPrice", "copCode"])
def test_tampering_with_an_sm2_signed_field_is_a_digest_refusal(leaf: str, signed: dict) -> None:
    tampered = tamper(signed[SM2], leaf, "0")

    result = verify_document(tampered)

    assert (result.valid, rule_ids(result), result.problems[0].code) == (False, ["SIG-DIGEST"], "1004")


def test_tampering_with_an_attribute_or_adding_an_element_is_a_digest_refusal(signed: dict) -> None:
    renamed = signed[RSA].replace(b'0001" version="1.0"', b'0001" version="2.0"')
    added = signed[RSA].replace(b"<ceb:copName>", b"<ceb:note>x</ceb:note><ceb:copName>")

    assert rule_ids(verify_document(renamed)) == ["SIG-DIGEST"]
    assert rule_ids(verify_document(added)) == ["SIG-DIGEST"]


@pytest.mark.parametrize("algorithm", [RSA, SM2])
def test_tampering_with_signature_value_is_a_value_refusal(algorithm: SignatureAlgorithm, signed: dict) -> None:
    value = bytearray(base64.b64decode(ds_text(signed[algorithm], "SignatureValue")))
    value[-5] ^= 0x01
    old, new = ds_text(signed[algorithm], "SignatureValue"), base64.b64encode(bytes(value)).decode()
    tampered = signed[algorithm].replace(old.encode(), new.encode())

    result = verify_document(tampered)

    assert result.valid is False
    assert rule_ids(result) == ["SIG-VALUE"]
    assert (result.problems[0].code, result.problems[0].field) == ("1001", "ds:Signature/ds:SignatureValue")


def test_tampering_with_the_digest_value_fails_both_checks(signed: dict) -> None:
    old = ds_text(signed[RSA], "DigestValue")
    tampered = signed[RSA].replace(old.encode(), base64.b64encode(b"\x00" * 20))

    assert rule_ids(verify_document(tampered)) == ["SIG-DIGEST", "SIG-VALUE"]


@pytest.mark.parametrize("algorithm", [RSA, SM2])
def test_wrong_trusted_certificate_is_refused(algorithm: SignatureAlgorithm, signed: dict) -> None:
    _, other_der = generate_test_identity(algorithm, "另一家企业", not_before=NOT_BEFORE)

    result = verify_document(signed[algorithm], trusted_certificates=[other_der])

    assert result.valid is False
    assert rule_ids(result) == ["SIG-CERT-UNTRUSTED"]
    assert result.problems[0].code == "1999"


def test_certificate_swapped_for_another_key_is_a_value_refusal(signed: dict) -> None:
    _, other_der = generate_test_identity(RSA, "另一家企业", not_before=NOT_BEFORE)
    old = ds_text(signed[RSA], "X509Certificate")
    swapped = signed[RSA].replace(old.encode(), base64.b64encode(other_der))

    result = verify_document(swapped, trusted_certificates=[other_der])

    assert result.valid is False
    assert [(p.rule_id, p.severity) for p in result.problems] == [("SIG-KEYNAME", "warning"), ("SIG-VALUE", "error")]


def test_every_problem_is_reported_at_once(signed: dict) -> None:
    _, other_der = generate_test_identity(RSA, "另一家企业", not_before=NOT_BEFORE)
    tampered = signed[RSA].replace(b">COP-0001<", b">COP-0002<")

    result = verify_document(tampered, trusted_certificates=[other_der], at=NOT_BEFORE + timedelta(days=400))

    assert rule_ids(result) == ["SIG-CERT-UNTRUSTED", "SIG-CERT-EXPIRED", "SIG-DIGEST"]
    assert [p.code for p in result.problems] == ["1999", "1002", "1004"]


def test_certificate_validity_is_checked_at_the_given_time(signed: dict) -> None:
    assert verify_document(signed[SM2], at=NOT_BEFORE + timedelta(days=10)).valid is True
    result = verify_document(signed[SM2], at=NOT_BEFORE - timedelta(days=1))
    assert (result.valid, rule_ids(result)) == (False, ["SIG-CERT-EXPIRED"])
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_document(signed[SM2], at=datetime(2026, 3, 1))


def test_unsigned_document_is_refused_as_missing() -> None:
    result = verify_document(ceb621())

    assert result == VerifyResult(valid=False, problems=result.problems)
    assert rule_ids(result) == ["SIG-MISSING"]
    assert result.problems[0].code == "1001"


def test_unknown_signature_method_is_an_algorithm_refusal(signed: dict) -> None:
    tampered = signed[RSA].replace(b"xmldsig#rsa-sha1", b"xmldsig-more#rsa-sha256")

    result = verify_document(tampered)

    assert (result.valid, rule_ids(result), result.problems[0].field) == (
        False,
        ["SIG-ALGORITHM"],
        "ds:Signature/ds:SignedInfo/ds:SignatureMethod",
    )


def test_mismatched_digest_method_is_an_algorithm_refusal(signed: dict) -> None:
    tampered = signed[SM2].replace(b"2022/04/xmldsig#sm3", b"2022/04/xmldsig#sha1")

    assert rule_ids(verify_document(tampered)) == ["SIG-ALGORITHM"]


def test_canonicalization_with_comments_is_an_algorithm_refusal(signed: dict) -> None:
    tampered = signed[RSA].replace(b"REC-xml-c14n-20010315", b"REC-xml-c14n-20010315#WithComments")

    assert rule_ids(verify_document(tampered)) == ["SIG-ALGORITHM"]


def test_signature_not_under_the_root_is_malformed(signed: dict) -> None:
    root = etree.fromstring(signed[RSA])
    root.find(f"{{{CEB}}}BaseTransfer").append(root[-1])

    result = verify_document(etree.tostring(root))

    assert (rule_ids(result), result.problems[0].code) == (["SIG-MALFORMED"], "0001")


def test_bad_base64_is_malformed(signed: dict) -> None:
    old = ds_text(signed[RSA], "SignatureValue")

    assert rule_ids(verify_document(signed[RSA].replace(old.encode(), b"not*base64"))) == ["SIG-MALFORMED"]


def test_not_well_formed_xml_is_malformed() -> None:
    result = verify_document(b"<ceb:CEB621Message xmlns:ceb='x'><a></ceb:CEB621Message>")

    assert rule_ids(result) == ["SIG-MALFORMED"]


def test_wrong_key_name_is_a_warning_only(signed: dict) -> None:
    key_name = ds_text(signed[RSA], "KeyName")
    result = verify_document(signed[RSA].replace(f">{key_name}<".encode(), b">0001<"))

    assert result.valid is True
    assert [(p.rule_id, p.severity) for p in result.problems] == [("SIG-KEYNAME", "warning")]


HOSTILE = {
    "billion laughs": b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<ceb:CEB621Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&lol2;</ceb:CEB621Message>""",
    "external entity": b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ceb:CEB621Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&xxe;</ceb:CEB621Message>""",
    "external dtd": b"""<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "http://example.invalid/evil.dtd">
<ceb:CEB621Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>""",
    "bare doctype": b"""<!DOCTYPE ceb:CEB621Message><ceb:CEB621Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>""",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_with_doctype_is_refused(name: str, rsa_identity: tuple) -> None:
    signer, _ = rsa_identity

    result = verify_document(HOSTILE[name])
    with pytest.raises(SigningRefused) as refused:
        sign_document(HOSTILE[name], signer)

    assert (result.valid, rule_ids(result), result.problems[0].code) == (False, ["SIG-MALFORMED"], "0001")
    assert "DOCTYPE" in result.problems[0].message
    assert [p.rule_id for p in refused.value.problems] == ["SIG-MALFORMED"]


def test_doctype_is_refused_even_on_a_validly_signed_document(signed: dict) -> None:
    with_doctype = signed[RSA].replace(b"?>\n", b'?>\n<!DOCTYPE ceb:CEB621Message [<!ENTITY e "x">]>\n', 1)

    assert rule_ids(verify_document(with_doctype)) == ["SIG-MALFORMED"]


# --- leniency towards other implementations ---------------------------------------------------------------


def test_lenient_digest_variant_verifies(rsa_identity: tuple) -> None:
    """A signer that digests the unsigned file, then inserts an indented Signature before </root>."""
    signer, der = rsa_identity
    unsigned = ceb621()
    canonical = etree.tostring(etree.fromstring(unsigned).getroottree(), method="c14n")
    digest = base64.b64encode(hashlib.sha1(canonical).digest())
    signed_info = (
        f'<ds:SignedInfo xmlns:ceb="{CEB}" xmlns:ds="{DS}" xmlns:xsi="{XSI}">'
        '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315">'
        "</ds:CanonicalizationMethod>"
        f'<ds:SignatureMethod Algorithm="{RSA.value}"></ds:SignatureMethod>'
        '<ds:Reference URI=""><ds:Transforms>'
        '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></ds:Transform>'
        "</ds:Transforms>"
        '<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"></ds:DigestMethod>'
        f"<ds:DigestValue>{digest.decode()}</ds:DigestValue></ds:Reference></ds:SignedInfo>"
    )
    value = base64.b64encode(signer.sign(signed_info.encode())).decode()
    pretty_signed_info = re.sub(' xmlns:(ceb|ds|xsi)="[^"]+"', "", signed_info).replace("><", ">\n\t\t<")
    signature = (
        f'\t<ds:Signature xmlns:ds="{DS}">\n\t\t{pretty_signed_info}\n'
        f"\t\t<ds:SignatureValue>\n{value[:76]}\n{value[76:]}\n</ds:SignatureValue>\n"
        f"\t\t<ds:KeyInfo><ds:KeyName>0001</ds:KeyName><ds:X509Data><ds:X509Certificate>"
        f"{base64.encodebytes(der).decode()}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\n"
        "\t</ds:Signature>\n"
    )
    foreign = unsigned.replace(b"</ceb:CEB621Message>", signature.encode() + b"</ceb:CEB621Message>")

    result = verify_document(foreign, trusted_certificates=[der])

    assert result.valid is True
    assert result.accommodations == (
        Accommodation.DIGEST_WITHOUT_PRECEDING_WHITESPACE,
        Accommodation.SIGNED_INFO_HARD_CODED_NAMESPACES,
        Accommodation.SIGNED_INFO_WITHOUT_WHITESPACE,
    )
    assert [(p.rule_id, p.severity) for p in result.problems] == [("SIG-KEYNAME", "warning")]


def test_whitespace_added_before_our_signature_still_verifies_leniently(signed: dict) -> None:
    reindented = signed[SM2].replace(b"</ceb:BaseTransfer><ds:Signature", b"</ceb:BaseTransfer>\n\t<ds:Signature")

    result = verify_document(reindented)

    assert (result.valid, result.accommodations) == (True, (Accommodation.DIGEST_WITHOUT_PRECEDING_WHITESPACE,))


def test_lenient_digest_does_not_forgive_other_changes(signed: dict) -> None:
    changed = signed[RSA].replace(b"</ceb:BaseTransfer><ds:Signature", b"</ceb:BaseTransfer>x<ds:Signature")

    assert rule_ids(verify_document(changed)) == ["SIG-DIGEST"]


# --- the digest of the bytes as sent (no re-serialisation when they are canonical) ------------------------


def _counting_canonicalisations(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    from cbec.messages import signature as module

    calls: list[bool] = []
    original = module._without_signature

    def counted(tree: etree._ElementTree, signature: etree._Element, *, lenient: bool) -> bytes:
        calls.append(lenient)
        return original(tree, signature, lenient=lenient)

    monkeypatch.setattr(module, "_without_signature", counted)
    return calls


@pytest.mark.parametrize("algorithm", [RSA, SM2])
def test_canonical_bytes_as_sent_are_digested_without_re_serialising_the_tree(
    algorithm: SignatureAlgorithm, signed: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting_canonicalisations(monkeypatch)

    result = verify_document(signed[algorithm])

    assert (result.valid, result.accommodations, calls) == (True, (), [])


def test_bytes_that_are_not_canonical_are_canonicalised_and_still_verify(
    signed: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Attribute quotes and an empty-element tag C14N writes differently: the same document, other bytes.
    root_tag = re.search(rb"<ceb:CEB621Message [^>]*>", signed[RSA]).group(0)
    requoted = signed[RSA].replace(root_tag, root_tag.replace(b'version="1.0"', b"version='1.0'"))
    calls = _counting_canonicalisations(monkeypatch)

    result = verify_document(requoted)

    assert (result.valid, result.accommodations, calls) == (True, (), [False])


def test_a_comment_after_the_root_is_not_signed_content_and_is_canonicalised_away(
    signed: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    commented = signed[SM2].replace(b"</ceb:CEB621Message>", b"</ceb:CEB621Message>\n<!-- archived -->\n")
    calls = _counting_canonicalisations(monkeypatch)

    assert (verify_document(commented).valid, calls) == (True, [False])


@pytest.mark.parametrize(
    "edit",
    [
        (b"<ceb:copNo>COP-0001</ceb:copNo>", b"<ceb:copNo>COP-0002</ceb:copNo>"),  # a changed value
        (b"<ceb:copNo>COP-0001</ceb:copNo>", b"<ceb:copNo><![CDATA[<ds:Signature>]]></ceb:copNo>"),
    ],
)
def test_a_change_is_refused_whichever_way_the_digest_is_taken(edit: tuple[bytes, bytes], signed: dict) -> None:
    assert rule_ids(verify_document(signed[RSA].replace(*edit))) == ["SIG-DIGEST"]


# --- signers -----------------------------------------------------------------------------------------------


def test_sign_refuses_an_already_signed_document(signed: dict, rsa_identity: tuple) -> None:
    with pytest.raises(SigningRefused) as refused:
        sign_document(signed[RSA], rsa_identity[0])

    assert [p.rule_id for p in refused.value.problems] == ["SIG-MALFORMED"]


class _LyingSigner:
    """A signer whose device signs with a key other than its certificate's."""

    algorithm = RSA

    def __init__(self, signer: Signer, certificate_der: bytes) -> None:
        self._signer, self._der = signer, certificate_der

    def sign(self, data: bytes) -> bytes:
        return self._signer.sign(data)

    def certificate_der(self) -> bytes:
        return self._der


def test_sign_refuses_a_signer_whose_signature_does_not_match_its_certificate(rsa_identity: tuple) -> None:
    _, other_der = generate_test_identity(RSA, "另一家企业", not_before=NOT_BEFORE)

    with pytest.raises(SigningRefused) as refused:
        sign_document(ceb621(), _LyingSigner(rsa_identity[0], other_der))

    assert [(p.rule_id, p.code) for p in refused.value.problems] == [("SIG-VALUE", "1001")]


def test_sign_refuses_a_certificate_of_the_other_algorithm(rsa_identity: tuple, sm2_identity: tuple) -> None:
    with pytest.raises(SigningRefused) as refused:
        sign_document(ceb621(), _LyingSigner(rsa_identity[0], sm2_identity[1]))

    assert [p.rule_id for p in refused.value.problems] == ["SIG-ALGORITHM"]


def rsa_key_and_certificate() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "RSA")])
    cert = x509.CertificateBuilder(
        name, name, key.public_key(), 0x01691FE9, NOT_BEFORE, NOT_BEFORE + timedelta(days=9)
    ).sign(key, hashes.SHA256())
    return key, cert


def test_rsa_signer_loads_encrypted_pem_with_pem_certificate() -> None:
    key, cert = rsa_key_and_certificate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    )
    signer = SoftwareRsaSigner(pem, cert.public_bytes(serialization.Encoding.PEM), password=b"pw")

    signed_xml = sign_document(ceb621(), signer)

    der = cert.public_bytes(serialization.Encoding.DER)
    assert signer.certificate_der() == der
    assert ds_text(signed_xml, "KeyName") == "01691fe9"
    assert verify_document(signed_xml, trusted_certificates=[der]).valid is True


def test_rsa_signer_loads_pkcs12_and_refuses_a_mismatched_pair() -> None:
    key, cert = rsa_key_and_certificate()
    _, other_cert = rsa_key_and_certificate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    pfx = pkcs12.serialize_key_and_certificates(b"t", key, cert, None, serialization.BestAvailableEncryption(b"pw"))

    with pytest.raises(ValueError, match="does not match"):
        SoftwareRsaSigner(pem, other_cert.public_bytes(serialization.Encoding.DER))
    signer = SoftwareRsaSigner.from_pkcs12(pfx, b"pw")
    assert signer.certificate_der() == cert.public_bytes(serialization.Encoding.DER)
    assert verify_document(sign_document(ceb621(), signer)).valid is True


def test_sm2_signer_checks_the_pair_and_supports_raw_encoding() -> None:
    key = generate_sm2_private_key()
    der = build_self_signed_sm2_certificate(
        key, "SM2", serial_number=0x03000000000CDE6F, not_before=NOT_BEFORE, not_after=NOT_BEFORE + timedelta(days=9)
    )
    with pytest.raises(ValueError, match="does not match"):
        SoftwareSm2Signer((key + 1).to_bytes(32, "big"), der)
    raw = SoftwareSm2Signer(key.to_bytes(32, "big"), der, encoding=Sm2SignatureEncoding.RAW)

    signed_xml = sign_document(ceb621(), raw)

    assert len(base64.b64decode(ds_text(signed_xml, "SignatureValue"))) == 64
    assert ds_text(signed_xml, "KeyName") == "03000000000cde6f"
    result = verify_document(signed_xml, trusted_certificates=[der])
    assert (result.valid, result.certificate_serial) == (True, "03000000000cde6f")


def test_sm2_user_id_must_match_between_signer_and_verifier() -> None:
    key = generate_sm2_private_key()
    der = build_self_signed_sm2_certificate(
        key, "SM2", serial_number=7, not_before=NOT_BEFORE, not_after=NOT_BEFORE + timedelta(days=9)
    )
    signer = SoftwareSm2Signer(key.to_bytes(32, "big"), der, user_id=b"ALICE123")
    with pytest.raises(SigningRefused) as refused:  # customs verifies with the default id
        sign_document(ceb621(), signer)
    signed_xml = sign_document(ceb621(), signer, sm2_user_id=b"ALICE123")

    assert [p.rule_id for p in refused.value.problems] == ["SIG-VALUE"]
    assert rule_ids(verify_document(signed_xml)) == ["SIG-VALUE"]
    assert verify_document(signed_xml, sm2_user_id=b"ALICE123").valid is True


def test_self_made_sm2_certificate_is_a_valid_x509_v3_certificate(sm2_identity: tuple) -> None:
    _, der = sm2_identity
    cert = x509.load_der_x509_certificate(der)

    assert cert.version is x509.Version.v3
    assert cert.signature_algorithm_oid.dotted_string == "1.2.156.10197.1.501"
    assert cert.public_key_algorithm_oid.dotted_string == "1.2.840.10045.2.1"
    assert cert.subject.rfc4514_string() == "CN=测试电商企业 SM2"
    assert cert.not_valid_before_utc == NOT_BEFORE
    r, s = decode_dss_signature(cert.signature)
    assert sm2_verify(sm2_public_key_from_certificate(der), cert.tbs_certificate_bytes, r, s) is True


def test_sm2_signatures_interoperate_with_gmssl_default_user_id() -> None:
    key = generate_sm2_private_key()
    public = sm2_public_key_of(key)
    engine = gmssl_sm2.CryptSM2(private_key=f"{key:064x}", public_key="")
    engine.public_key = f"{public.x:064x}{public.y:064x}"  # set directly: the constructor's lstrip("04") eats digits
    theirs = engine.sign_with_sm3(b"CEB621", f"{generate_sm2_private_key():064x}")

    assert sm2_verify(public, b"CEB621", int(theirs[:64], 16), int(theirs[64:], 16)) is True
    assert sm2_verify(public, b"CEB622", int(theirs[:64], 16), int(theirs[64:], 16)) is False
