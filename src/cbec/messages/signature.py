"""Enveloped XML signature of CEB messages (数字签名): sign, verify, and report refusals as Problems.

Profile (ceb-messages.md §5): W3C XML-DSig, ``Reference URI=""`` with the enveloped-signature
transform, inclusive C14N 1.0 without comments, RSA-SHA1 or chinaport SM2-SM3, and a KeyInfo with
``KeyName`` (certificate serial, lowercase hex) and ``X509Data/X509Certificate`` (base64 DER).

Choices that make strict verifiers and the ones customs' integrators wrote agree:

* ``ds:Signature`` becomes the root's last child with no whitespace text node before it; the text
  that stood before the closing root tag moves to the Signature's tail. A strict enveloped transform
  (which keeps that text) and the lenient reading (which drops the Signature together with the
  whitespace before it) then digest the same bytes, equal to the unsigned document's.
* SignedInfo is canonicalized in the context of the document, as XML-DSig requires: every namespace
  declaration in scope (the root's and the Signature's) is rendered on ``ds:SignedInfo``. Open-source
  CEB signers instead hard-code ``xmlns:ceb``, ``xmlns:ds`` and ``xmlns:xsi`` there, so signing
  declares ``xmlns:xsi`` on the root when it is missing: for CEB documents (prefix ``ceb``) both
  conventions then produce identical bytes.
* No whitespace inside ``ds:Signature``; base64 values on one line.

Verification tries the strict digest and then the lenient one, and SignedInfo as found, with the
hard-coded namespaces added, and with whitespace between its elements removed (a Signature
pretty-printed after signing); ``VerifyResult.accommodations`` names any leniency that was needed.
Together they accept the published RSA-SHA1 CEB621 that spec §5 analyses (checked by hand against
the RSA key recovered from its certificate; the file is not a fixture: it carries personal data).
It checks the document against the embedded certificate and pins trust to exact certificates; it
does not build chains to the chinaport CA, nor check revocation (CRL/OCSP).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from lxml import etree

from cbec.common.errors import InvalidInput, Problem
from cbec.messages.signature_signers import (
    CertificateInfo,
    SignatureAlgorithm,
    Signer,
    Sm2SignatureEncoding,
    SoftwareRsaSigner,
    SoftwareSm2Signer,
    generate_test_identity,
    key_matches,
    parse_certificate,
    signature_verifies,
)
from cbec.messages.signature_sm2 import DEFAULT_SM2_USER_ID

__all__ = [
    "DEFAULT_SM2_USER_ID",
    "Accommodation",
    "CertificateInfo",
    "SignatureAlgorithm",
    "Signer",
    "SigningRefused",
    "Sm2SignatureEncoding",
    "SoftwareRsaSigner",
    "SoftwareSm2Signer",
    "VerifyResult",
    "generate_test_identity",
    "parse_certificate",
    "sign_document",
    "signature_verifies",
    "verify_document",
]

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
CEB_NS = "http://www.chinaport.gov.cn/ceb"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
C14N_METHOD = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
ENVELOPED_TRANSFORM = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

_DS = "{" + DS_NS + "}"
_HARD_CODED_NAMESPACES = {"ceb": CEB_NS, "ds": DS_NS, "xsi": XSI_NS}
_XML_WHITESPACE = " \t\r\n"
_SIGNATURE = "ds:Signature"


class Accommodation(StrEnum):
    """A leniency verification needed to accept a signature made by another implementation."""

    DIGEST_WITHOUT_PRECEDING_WHITESPACE = "digest-without-whitespace-before-signature"
    SIGNED_INFO_HARD_CODED_NAMESPACES = "signedinfo-with-hard-coded-namespaces"
    SIGNED_INFO_WITHOUT_WHITESPACE = "signedinfo-without-whitespace"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of verifying a signed document; ``problems`` lists every reason to refuse it."""

    valid: bool
    algorithm: SignatureAlgorithm | None = None
    certificate_serial: str | None = None
    certificate_der: bytes | None = None
    problems: list[Problem] = field(default_factory=list)
    accommodations: tuple[Accommodation, ...] = ()


class SigningRefused(InvalidInput):
    """The document or the signer cannot produce a valid signature; ``problems`` says why."""


class _Refused(Exception):
    """Internal: stop with one problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


# Codes are the DXP security codes (spec §7 table 7-1); business receipts of the inventory use
# -621028 加签数据比对失败 and -621029 验签失败 for the same faults.
def _malformed(field_name: str, en: str, zh: str = "报文格式错误") -> Problem:
    return Problem("SIG-MALFORMED", field_name, f"{zh} / {en}", "Send well-formed XML with one ds:Signature.", "0001")


def _algorithm_problem(field_name: str, found: str | None) -> Problem:
    return Problem(
        "SIG-ALGORITHM",
        field_name,
        f"不支持的签名算法 / unsupported algorithm {found!r}",
        "Use C14N 1.0, enveloped-signature, and RSA-SHA1 with SHA-1 or SM2-SM3 with SM3.",
        "1999",
    )


def _parse(xml: bytes) -> etree._ElementTree:
    """Parse untrusted XML without entities, network or DTDs; refuse any DOCTYPE."""
    parser = etree.XMLParser(  # one parser per call: lxml parsers are not thread-safe
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        tree = etree.fromstring(xml, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise _Refused(_malformed("document", f"not well-formed XML: {exc}")) from None
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise _Refused(_malformed("document", "DOCTYPE is not allowed", "报文不得包含DOCTYPE"))
    return tree


def _canonical(node: etree._Element | etree._ElementTree) -> bytes:
    """Return inclusive C14N 1.0 without comments; an element keeps the namespaces in scope."""
    return etree.tostring(node, method="c14n", exclusive=False, with_comments=False)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str | None) -> bytes:
    return base64.b64decode("".join((text or "").split()), validate=True)


def _declare_xsi(tree: etree._ElementTree) -> etree._ElementTree:
    """Return the tree with ``xmlns:xsi`` declared on the root (lxml cannot add it in place)."""
    root = tree.getroot()
    if "xsi" in root.nsmap:
        return tree
    new_root = etree.Element(root.tag, attrib=dict(root.attrib), nsmap={**root.nsmap, "xsi": XSI_NS})
    new_root.text = root.text
    for child in list(root):
        new_root.append(child)  # moves the child with its tail
    for node in reversed(list(root.itersiblings(preceding=True))):
        new_root.addprevious(copy.copy(node))
    for node in reversed(list(root.itersiblings())):
        new_root.addnext(copy.copy(node))
    return new_root.getroottree()


def _ds(parent: etree._Element, name: str, text: str | None = None, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, _DS + name, attrib)
    element.text = text
    return element


def sign_document(xml: bytes, signer: Signer, *, sm2_user_id: bytes = DEFAULT_SM2_USER_ID) -> bytes:
    """Return the document with an enveloped ds:Signature appended as the root's last child.

    The new signature is checked against the signer's certificate, with the SM2 user id the receiver
    will verify with, so a device that signs with another key, id or encoding is caught here.
    """
    try:
        tree = _parse(xml)
        if tree.getroot().find(f".//{_DS}Signature") is not None:
            raise _Refused(_malformed(_SIGNATURE, "document is already signed", "报文已加签"))
        try:
            algorithm = SignatureAlgorithm(signer.algorithm)
        except ValueError:
            raise _Refused(_algorithm_problem("signer.algorithm", str(signer.algorithm))) from None
        certificate = parse_certificate(signer.certificate_der())
        if not key_matches(algorithm, certificate):
            raise _Refused(_algorithm_problem("signer.certificate", "key type does not fit " + algorithm))
    except _Refused as refused:
        raise SigningRefused("document cannot be signed", problems=[refused.problem]) from None
    except ValueError as exc:
        problem = _malformed("signer.certificate", f"unusable certificate: {exc}", "证书无效")
        raise SigningRefused("document cannot be signed", problems=[problem]) from None

    tree = _declare_xsi(tree)
    root = tree.getroot()
    previous = root[-1] if len(root) else None
    carried = previous.tail if previous is not None else root.text
    if previous is not None:
        previous.tail = None
    else:
        root.text = None
    signature = etree.SubElement(root, _DS + "Signature", nsmap={"ds": DS_NS})
    signature.tail = carried

    signed_info = _ds(signature, "SignedInfo")
    _ds(signed_info, "CanonicalizationMethod", Algorithm=C14N_METHOD)
    _ds(signed_info, "SignatureMethod", Algorithm=algorithm.value)
    reference = _ds(signed_info, "Reference", URI="")
    _ds(_ds(reference, "Transforms"), "Transform", Algorithm=ENVELOPED_TRANSFORM)
    _ds(reference, "DigestMethod", Algorithm=algorithm.digest_method)
    digest = algorithm.digest(_without_signature(tree, signature, lenient=False))
    _ds(reference, "DigestValue", _b64(digest))

    signed_bytes = _canonical(signed_info)
    value = signer.sign(signed_bytes)
    if not signature_verifies(algorithm, certificate, signed_bytes, value, sm2_user_id=sm2_user_id):
        problem = Problem(
            "SIG-VALUE",
            "signer",
            "数字签名无效 / the signer's signature does not verify against its own certificate",
            "Check that the signer's key, certificate and signature encoding belong together.",
            "1001",
        )
        raise SigningRefused("signer produced an invalid signature", problems=[problem])
    _ds(signature, "SignatureValue", _b64(value))
    key_info = _ds(signature, "KeyInfo")
    _ds(key_info, "KeyName", certificate.serial_hex)
    _ds(_ds(key_info, "X509Data"), "X509Certificate", _b64(certificate.der))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(tree, encoding="UTF-8", xml_declaration=False)


def _without_signature(tree: etree._ElementTree, signature: etree._Element, *, lenient: bool) -> bytes:
    """Return the canonical document with the root-level Signature removed (enveloped transform).

    Strict keeps the text around the Signature; lenient also drops the whitespace just before it.
    """
    index = tree.getroot().index(signature)
    doc = copy.deepcopy(tree)
    root = doc.getroot()
    element = root[index]
    previous = element.getprevious()
    before = (previous.tail if previous is not None else root.text) or ""
    if lenient:
        before = before.rstrip(_XML_WHITESPACE)
    joined = (before + (element.tail or "")) or None
    if previous is not None:
        previous.tail = joined
    else:
        root.text = joined
    root.remove(element)
    return _canonical(doc)


_DECLARATION = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:<\?xml[^?]*\?>)?[ \t\r\n]*")


def _as_sent(xml: bytes, signature: etree._Element) -> bytes | None:
    """Return the bytes as sent without the declaration and the Signature element, where they may be canonical.

    A signer that serialises canonically (as C14N writes it) sends exactly the bytes it digested, the Signature
    put in: cutting it out gives them back without re-serialising the tree. None where the bytes cannot be
    cut simply (the Signature's tag written more than once, anything but a declaration before the root, or
    anything after it): the caller canonicalises instead. A digest that matches these bytes proves them to be
    the digested bytes; one that does not proves nothing, and the tree is canonicalised as before.
    """
    prefix = signature.prefix
    name = f"{prefix}:Signature" if prefix else "Signature"
    closing = f"</{name}>".encode()
    openings = [m.start() for m in re.finditer(re.escape(f"<{name}").encode() + rb"[ \t\r\n/>]", xml)]
    if len(openings) != 1 or xml.count(closing) != 1:
        return None
    start, end = openings[0], xml.find(closing)
    if end < start:
        return None
    head = _DECLARATION.match(xml)
    body_start = head.end() if head else 0
    body_end = len(xml.rstrip(b" \t\r\n"))
    if not xml.startswith(b"<", body_start) or xml[body_start + 1 : body_start + 2] in (b"!", b"?"):
        return None
    return xml[body_start:start] + xml[end + len(closing) : body_end]


def _is_blank(text: str | None) -> bool:
    return text is not None and not text.strip(_XML_WHITESPACE)


def _signed_info_forms(signed_info: etree._Element) -> list[tuple[tuple[Accommodation, ...], bytes]]:
    """Return the canonical SignedInfo as found, then the variants other implementations sign."""
    forms: list[tuple[tuple[Accommodation, ...], bytes]] = [((), _canonical(signed_info))]
    missing = {p: uri for p, uri in _HARD_CODED_NAMESPACES.items() if p not in signed_info.nsmap}
    blank = _is_blank(signed_info.text) or any(
        _is_blank(n.text) or _is_blank(n.tail) for n in signed_info.iterdescendants()
    )
    for add_namespaces in (False, True) if missing else (False,):
        for compact in (False, True) if blank else (False,):
            if not (add_namespaces or compact):
                continue
            clone = etree.Element(
                signed_info.tag,
                attrib=dict(signed_info.attrib),
                nsmap={**signed_info.nsmap, **(missing if add_namespaces else {})},
            )
            clone.text = signed_info.text
            for child in signed_info:
                clone.append(copy.deepcopy(child))
            if compact:
                clone.text = None if _is_blank(clone.text) else clone.text
                for node in clone.iterdescendants():
                    node.text = None if _is_blank(node.text) else node.text
                    node.tail = None if _is_blank(node.tail) else node.tail
            tags = ((Accommodation.SIGNED_INFO_HARD_CODED_NAMESPACES,) if add_namespaces else ()) + (
                (Accommodation.SIGNED_INFO_WITHOUT_WHITESPACE,) if compact else ()
            )
            forms.append((tags, _canonical(clone)))
    return forms


@dataclass(frozen=True, slots=True)
class _Parts:
    """The pieces of a ds:Signature that verification needs."""

    signed_info: etree._Element
    algorithm: SignatureAlgorithm
    digest_value: bytes
    signature_value: bytes
    certificate_der: bytes
    key_name: str | None


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]  # skip comments and PIs


def _one(parent: etree._Element, name: str, path: str) -> etree._Element:
    found = parent.findall(_DS + name)
    if len(found) != 1:
        raise _Refused(_malformed(f"{path}/ds:{name}", f"expected exactly one ds:{name}, found {len(found)}"))
    return found[0]


def _read_signature(signature: etree._Element) -> _Parts:
    """Check the shape and algorithms of a ds:Signature and return its parts."""
    signed_info = _one(signature, "SignedInfo", _SIGNATURE)
    si_path = f"{_SIGNATURE}/ds:SignedInfo"
    expected = [_DS + "CanonicalizationMethod", _DS + "SignatureMethod", _DS + "Reference"]
    if [child.tag for child in _children(signed_info)] != expected:
        raise _Refused(_malformed(si_path, "SignedInfo must hold CanonicalizationMethod, SignatureMethod, Reference"))
    c14n, method, reference = _children(signed_info)
    ref_path = f"{si_path}/ds:Reference"
    if c14n.get("Algorithm") != C14N_METHOD or _children(c14n):
        raise _Refused(_algorithm_problem(f"{si_path}/ds:CanonicalizationMethod", c14n.get("Algorithm")))
    try:
        algorithm = SignatureAlgorithm(method.get("Algorithm"))
    except ValueError:
        raise _Refused(_algorithm_problem(f"{si_path}/ds:SignatureMethod", method.get("Algorithm"))) from None
    if reference.get("URI") != "":
        raise _Refused(_malformed(ref_path, "Reference URI must be empty (whole document)"))
    transforms = [t.get("Algorithm") for t in _children(_one(reference, "Transforms", ref_path))]
    if transforms not in ([ENVELOPED_TRANSFORM], [ENVELOPED_TRANSFORM, C14N_METHOD]):
        raise _Refused(_algorithm_problem(f"{ref_path}/ds:Transforms", ", ".join(map(str, transforms))))
    digest_method = _one(reference, "DigestMethod", ref_path).get("Algorithm")
    if digest_method != algorithm.digest_method:
        raise _Refused(_algorithm_problem(f"{ref_path}/ds:DigestMethod", digest_method))
    key_info = _one(signature, "KeyInfo", _SIGNATURE)
    certificates = key_info.findall(f"{_DS}X509Data/{_DS}X509Certificate")
    if not certificates:
        raise _Refused(_malformed(f"{_SIGNATURE}/ds:KeyInfo/ds:X509Data/ds:X509Certificate", "no certificate"))
    values = {}
    for name, element in (
        ("DigestValue", _one(reference, "DigestValue", ref_path)),
        ("SignatureValue", _one(signature, "SignatureValue", _SIGNATURE)),
        ("X509Certificate", certificates[0]),
    ):
        try:
            values[name] = _unb64(element.text)
        except (binascii.Error, ValueError):
            raise _Refused(_malformed(f"{_SIGNATURE}//ds:{name}", "not valid base64")) from None
    key_name = key_info.find(_DS + "KeyName")
    return _Parts(
        signed_info,
        algorithm,
        values["DigestValue"],
        values["SignatureValue"],
        values["X509Certificate"],
        None if key_name is None else (key_name.text or "").strip(),
    )


def _certificate_problems(
    certificate: CertificateInfo, trusted: Sequence[bytes] | None, at: datetime | None, key_name: str | None
) -> list[Problem]:
    """Return trust, validity and KeyName problems of the signer certificate."""
    problems = []
    if trusted is not None and not any(hmac.compare_digest(certificate.der, bytes(c)) for c in trusted):
        problems.append(
            Problem(
                "SIG-CERT-UNTRUSTED",
                f"{_SIGNATURE}/ds:KeyInfo/ds:X509Data/ds:X509Certificate",
                f"证书不受信任 / certificate {certificate.serial_hex} is not a trusted certificate",
                "Register the sender's signing certificate, or sign with a registered one.",
                "1999",
            )
        )
    if at is not None and not certificate.not_before <= at <= certificate.not_after:
        problems.append(
            Problem(
                "SIG-CERT-EXPIRED",
                f"{_SIGNATURE}/ds:KeyInfo/ds:X509Data/ds:X509Certificate",
                f"数字签名过期 / certificate valid {certificate.not_before:%Y-%m-%d}"
                f" to {certificate.not_after:%Y-%m-%d}",
                "Renew the certificate and sign again.",
                "1002",
            )
        )
    if key_name is not None and _hex_value(key_name) != certificate.serial_number:
        problems.append(
            Problem(
                "SIG-KEYNAME",
                f"{_SIGNATURE}/ds:KeyInfo/ds:KeyName",
                f"KeyName {key_name!r} is not the certificate serial {certificate.serial_hex}",
                "Write the certificate serial in hex in ds:KeyName.",
                None,
                "warning",
            )
        )
    return problems


def _hex_value(text: str) -> int | None:
    try:
        return int(text, 16)
    except ValueError:
        return None


def verify_document(
    xml: bytes,
    *,
    trusted_certificates: Sequence[bytes] | None = None,
    at: datetime | None = None,
    sm2_user_id: bytes = DEFAULT_SM2_USER_ID,
) -> VerifyResult:
    """Check a document's enveloped signature and report every reason to refuse it.

    ``trusted_certificates`` pins the DER certificates accepted as signers (None: any embedded
    certificate, which proves integrity only); ``at`` (timezone-aware) checks the validity period.
    """
    if at is not None and at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    try:
        tree = _parse(xml)
        root = tree.getroot()
        signatures = root.findall(f".//{_DS}Signature")
        if not signatures:
            missing = Problem(
                "SIG-MISSING", _SIGNATURE, "缺少数字签名 / the document is not signed", "Sign the document.", "1001"
            )
            return VerifyResult(valid=False, problems=[missing])
        if len(signatures) > 1 or signatures[0].getparent() is not root:
            raise _Refused(_malformed(_SIGNATURE, "expected one ds:Signature as a child of the root"))
        parts = _read_signature(signatures[0])
    except _Refused as refused:
        return VerifyResult(valid=False, problems=[refused.problem])
    try:
        certificate = parse_certificate(parts.certificate_der)
    except ValueError as exc:
        problem = _malformed(f"{_SIGNATURE}/ds:KeyInfo/ds:X509Data/ds:X509Certificate", f"bad certificate: {exc}")
        return VerifyResult(False, parts.algorithm, problems=[problem])

    problems = _certificate_problems(certificate, trusted_certificates, at, parts.key_name)
    accommodations: list[Accommodation] = []
    as_sent = _as_sent(xml, signatures[0])
    if as_sent is not None and hmac.compare_digest(parts.algorithm.digest(as_sent), parts.digest_value):
        pass  # the bytes as sent are the digested canonical bytes: nothing to re-serialise
    else:
        for lenient in (False, True):
            digest = parts.algorithm.digest(_without_signature(tree, signatures[0], lenient=lenient))
            if hmac.compare_digest(digest, parts.digest_value):
                accommodations += [Accommodation.DIGEST_WITHOUT_PRECEDING_WHITESPACE] if lenient else []
                break
        else:
            problems.append(
                Problem(
                    "SIG-DIGEST",
                    f"{_SIGNATURE}/ds:SignedInfo/ds:Reference/ds:DigestValue",
                    "签名与数据不符 / the document was changed after it was signed",
                    "Sign the final document again; do not edit or reformat a signed document.",
                    "1004",
                )
            )
    if not key_matches(parts.algorithm, certificate):
        problems.append(_algorithm_problem(f"{_SIGNATURE}/ds:KeyInfo", "certificate key does not fit the method"))
    else:
        for tags, signed_bytes in _signed_info_forms(parts.signed_info):
            if signature_verifies(
                parts.algorithm, certificate, signed_bytes, parts.signature_value, sm2_user_id=sm2_user_id
            ):
                accommodations += tags
                break
        else:
            problems.append(
                Problem(
                    "SIG-VALUE",
                    f"{_SIGNATURE}/ds:SignatureValue",
                    "数字签名无效 / the signature value does not verify with the certificate",
                    "Sign with the key that belongs to the certificate in ds:KeyInfo.",
                    "1001",
                )
            )
    return VerifyResult(
        valid=not any(p.severity == "error" for p in problems),
        algorithm=parts.algorithm,
        certificate_serial=certificate.serial_hex,
        certificate_der=certificate.der,
        problems=problems,
        accommodations=tuple(accommodations),
    )
