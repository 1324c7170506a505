"""SM2 signatures with SM3 and SM2 certificates (国密 SM2/SM3) for the XML signature module.

gmssl supplies the curve arithmetic; this module wraps it so that its pitfalls never reach callers:
gmssl draws nonces from ``random`` (not a CSPRNG), hard-codes the user id, strips the ``04`` point
prefix with ``str.lstrip`` (which also eats leading zeros of x) and does not range-check r and s.
The pre-hash ``e = SM3(Z || M)`` follows GB/T 32918.2 with ``Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA)``.

``cryptography`` cannot build or use SM2 keys, so self-signed SM2 certificates for tests are encoded
here with a small DER writer, and the public key of an SM2 certificate is read from its
SubjectPublicKeyInfo with a small DER reader.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from gmssl import sm2

DEFAULT_SM2_USER_ID = b"1234567812345678"  # GM/T 0009 default signer id
SM2_CURVE_OID = "1.2.156.10197.1.301"
SM2_WITH_SM3_OID = "1.2.156.10197.1.501"
EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"

_TABLE = sm2.default_ecc_table
_P = int(_TABLE["p"], 16)
_A = int(_TABLE["a"], 16)
_B = int(_TABLE["b"], 16)
_N = int(_TABLE["n"], 16)
_GX = int(_TABLE["g"][:64], 16)
_GY = int(_TABLE["g"][64:], 16)


@dataclass(frozen=True, slots=True)
class Sm2PublicKey:
    """An SM2 public key: a point on the SM2 curve."""

    x: int
    y: int

    def __post_init__(self) -> None:
        if not (0 <= self.x < _P and 0 <= self.y < _P) or (self.y * self.y - self.x**3 - _A * self.x - _B) % _P:
            raise ValueError("point is not on the SM2 curve")

    @classmethod
    def from_bytes(cls, data: bytes) -> Sm2PublicKey:
        """Decode an uncompressed point ``04 || x || y``."""
        if len(data) != 65 or data[0] != 4:
            raise ValueError("SM2 public key must be an uncompressed 65-byte point")
        return cls(int.from_bytes(data[1:33], "big"), int.from_bytes(data[33:], "big"))

    def to_bytes(self) -> bytes:
        """Encode as an uncompressed point ``04 || x || y``."""
        return b"\x04" + self.x.to_bytes(32, "big") + self.y.to_bytes(32, "big")

    def _hex(self) -> str:
        return f"{self.x:064x}{self.y:064x}"


def _crypt(public_key: Sm2PublicKey | None, private_key: int | None) -> sm2.CryptSM2:
    """Return a gmssl engine, setting the key attributes directly to bypass its ``lstrip("04")`` bug."""
    engine = sm2.CryptSM2(private_key="", public_key="")
    engine.private_key = f"{private_key:064x}" if private_key is not None else ""
    engine.public_key = public_key._hex() if public_key is not None else ""
    return engine


def generate_sm2_private_key(seed: bytes | None = None) -> int:
    """Return a fresh private scalar in [1, n-2] from the operating system CSPRNG, or derived from a seed
    (SHA-256, reproducible: for demo identities that must be the same in every run, never for real keys)."""
    if seed is not None:
        return int.from_bytes(hashlib.sha256(b"cbec sm2 key/" + seed).digest(), "big") % (_N - 2) + 1
    return secrets.randbelow(_N - 2) + 1


def sm2_public_key_of(private_key: int) -> Sm2PublicKey:
    """Return the public key ``d·G`` of a private scalar."""
    if not 1 <= private_key <= _N - 2:
        raise ValueError("SM2 private key out of range")
    point = _crypt(None, private_key)._kg(private_key, _TABLE["g"])  # gmssl has no public API for this
    return Sm2PublicKey(int(point[:64], 16), int(point[64:], 16))


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sm2_message_digest(public_key: Sm2PublicKey, data: bytes, user_id: bytes = DEFAULT_SM2_USER_ID) -> bytes:
    """Return ``e = SM3(Z || data)``, the value SM2 actually signs."""
    if len(user_id) * 8 > 0xFFFF:
        raise ValueError("SM2 user id too long")
    z = _sm3(
        (len(user_id) * 8).to_bytes(2, "big")
        + user_id
        + b"".join(v.to_bytes(32, "big") for v in (_A, _B, _GX, _GY, public_key.x, public_key.y))
    )
    return _sm3(z + data)


def sm2_sign(
    private_key: int, data: bytes, user_id: bytes = DEFAULT_SM2_USER_ID, *, deterministic: bool = False
) -> tuple[int, int]:
    """Sign data with SM2/SM3 and return (r, s).

    ``deterministic`` derives the nonce from the key and the digest (HMAC-SHA256, in the spirit of RFC 6979)
    instead of the CSPRNG, so that the same key and data always give the same signature: for reproducible
    test and demo certificates only.
    """
    public_key = sm2_public_key_of(private_key)
    e = sm2_message_digest(public_key, data, user_id)
    engine = _crypt(public_key, private_key)
    counter = 0
    while True:
        if deterministic:
            mac = hmac.new(private_key.to_bytes(32, "big"), e + counter.to_bytes(4, "big"), hashlib.sha256)
            nonce = int.from_bytes(mac.digest(), "big") % (_N - 1) + 1
            counter += 1
        else:
            nonce = secrets.randbelow(_N - 1) + 1
        raw = engine.sign(e, f"{nonce:064x}")
        if raw:  # gmssl returns None for the rare r == 0 / r + k == n / s == 0 cases: draw again
            return int(raw[:64], 16), int(raw[64:], 16)


def sm2_verify(public_key: Sm2PublicKey, data: bytes, r: int, s: int, user_id: bytes = DEFAULT_SM2_USER_ID) -> bool:
    """Return whether (r, s) is a valid SM2/SM3 signature of data."""
    if not (1 <= r < _N and 1 <= s < _N):
        return False
    e = sm2_message_digest(public_key, data, user_id)
    try:
        return bool(_crypt(public_key, None).verify(f"{r:064x}{s:064x}", e))
    except (TypeError, ValueError):  # gmssl fails on the point at infinity instead of returning False
        return False


# --- DER ------------------------------------------------------------------------------------------------


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def _der_integer(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def _der_oid(dotted: str) -> bytes:
    arcs = [int(arc) for arc in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return _der(0x06, bytes(body))


def _der_sequence(*items: bytes) -> bytes:
    return _der(0x30, b"".join(items))


def _der_time(moment: datetime) -> bytes:
    if moment.year < 2050:  # RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after
        return _der(0x17, moment.strftime("%y%m%d%H%M%SZ").encode())
    return _der(0x18, moment.strftime("%Y%m%d%H%M%SZ").encode())


def _read(data: bytes, offset: int) -> tuple[int, int, int]:
    """Read one DER element at offset; return (tag, content start, content end)."""
    if offset + 2 > len(data):
        raise ValueError("truncated DER")
    tag, first = data[offset], data[offset + 1]
    start = offset + 2
    if first < 0x80:
        size = first
    else:
        count = first & 0x7F
        if not 1 <= count <= 4:
            raise ValueError("unsupported DER length")
        size = int.from_bytes(data[start : start + count], "big")
        start += count
    if start + size > len(data):
        raise ValueError("truncated DER")
    return tag, start, start + size


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """Return (tag, element start, content start, content end) of each element in data[start:end]."""
    items = []
    offset = start
    while offset < end:
        tag, content_start, content_end = _read(data, offset)
        items.append((tag, offset, content_start, content_end))
        offset = content_end
    return items


def _decode_oid(body: bytes) -> str:
    arcs = [min(body[0] // 40, 2)]
    arcs.append(body[0] - 40 * arcs[0])
    value = 0
    for byte in body[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    return ".".join(str(arc) for arc in arcs)


def sm2_public_key_from_certificate(certificate_der: bytes) -> Sm2PublicKey:
    """Read the SM2 public key from a certificate's SubjectPublicKeyInfo."""
    tag, start, end = _read(certificate_der, 0)
    tbs_tag, tbs_start, tbs_end = _read(certificate_der, start)
    if tag != 0x30 or tbs_tag != 0x30 or end != len(certificate_der):
        raise ValueError("not an X.509 certificate")
    fields = _children(certificate_der, tbs_start, tbs_end)
    if fields and fields[0][0] == 0xA0:  # explicit version tag is absent in v1 certificates
        fields = fields[1:]
    if len(fields) < 6:
        raise ValueError("TBSCertificate too short")
    _, _, spki_start, spki_end = fields[5]  # serial, signature, issuer, validity, subject, spki
    (alg_tag, _, alg_start, alg_end), (key_tag, _, key_start, key_end) = _children(
        certificate_der, spki_start, spki_end
    )
    oids = [
        _decode_oid(certificate_der[s:e]) for t, _, s, e in _children(certificate_der, alg_start, alg_end) if t == 0x06
    ]
    # GM/T 0015 uses id-ecPublicKey with the SM2 curve; some early issuers put the SM2 OID first
    if alg_tag != 0x30 or key_tag != 0x03 or SM2_CURVE_OID not in oids[:2]:
        raise ValueError("certificate key is not an SM2 key")
    bits = certificate_der[key_start:key_end]
    if not bits or bits[0] != 0:
        raise ValueError("malformed public key bit string")
    return Sm2PublicKey.from_bytes(bits[1:])


def build_self_signed_sm2_certificate(
    private_key: int,
    common_name: str,
    *,
    serial_number: int,
    not_before: datetime,
    not_after: datetime,
    user_id: bytes = DEFAULT_SM2_USER_ID,
    deterministic: bool = False,
) -> bytes:
    """Return a DER X.509 v3 certificate for the key, self-signed with SM2/SM3 (for tests and demos);
    ``deterministic``: the same bytes for the same key, name, serial and validity."""
    public_key = sm2_public_key_of(private_key)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, common_name)]).public_bytes()
    algorithm = _der_sequence(_der_oid(SM2_WITH_SM3_OID))
    spki = _der_sequence(
        _der_sequence(_der_oid(EC_PUBLIC_KEY_OID), _der_oid(SM2_CURVE_OID)),
        _der(0x03, b"\x00" + public_key.to_bytes()),
    )
    key_usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    extensions = _der(
        0xA3,
        _der_sequence(
            _der_sequence(
                _der_oid(x509.ExtensionOID.BASIC_CONSTRAINTS.dotted_string),
                _der(0x01, b"\xff"),
                _der(0x04, x509.BasicConstraints(ca=False, path_length=None).public_bytes()),
            ),
            _der_sequence(
                _der_oid(x509.ExtensionOID.KEY_USAGE.dotted_string),
                _der(0x01, b"\xff"),
                _der(0x04, key_usage.public_bytes()),
            ),
        ),
    )
    tbs = _der_sequence(
        _der(0xA0, _der_integer(2)),
        _der_integer(serial_number),
        algorithm,
        name,
        _der_sequence(_der_time(not_before), _der_time(not_after)),
        name,
        spki,
        extensions,
    )
    r, s = sm2_sign(private_key, tbs, user_id, deterministic=deterministic)
    return _der_sequence(tbs, algorithm, _der(0x03, b"\x00" + encode_dss_signature(r, s)))
