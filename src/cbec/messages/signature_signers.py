"""Signing keys and certificates for CEB message signatures (签名密钥与证书).

``Signer`` is the seam for key custody: the software signers here keep the key in process memory; the
PKCS#11 signer (``signature_pkcs11``: UKey 智能密码钥匙, server crypto device 服务器密码机) keeps it on a
device, and the remote signer (``signature_remote``: signing server 签名服务器) asks an external signing
service over HTTP. All implement the same three members and raise ``SignerUnavailable`` subclasses.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.serialization import pkcs12

from cbec.common.errors import DomainError, ErrorCode
from cbec.messages.signature_sm2 import (
    DEFAULT_SM2_USER_ID,
    Sm2PublicKey,
    build_self_signed_sm2_certificate,
    generate_sm2_private_key,
    sm2_public_key_from_certificate,
    sm2_public_key_of,
    sm2_sign,
    sm2_verify,
)


class SignatureAlgorithm(StrEnum):
    """XML-DSig SignatureMethod URIs accepted by customs (签名算法)."""

    RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    SM2_SM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"

    @property
    def digest_method(self) -> str:
        """Return the DigestMethod URI paired with this signature method."""
        if self is SignatureAlgorithm.RSA_SHA1:
            return "http://www.w3.org/2000/09/xmldsig#sha1"
        return "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"

    def digest(self, data: bytes) -> bytes:
        """Hash data with this method's digest (SHA-1 or SM3)."""
        digest = hashes.Hash(hashes.SHA1() if self is SignatureAlgorithm.RSA_SHA1 else hashes.SM3())
        digest.update(data)
        return digest.finalize()


class Signer(Protocol):
    """Holder of a signing key and its certificate; ``sign`` receives the canonical SignedInfo bytes.

    The signer hashes the data itself (SHA-1, or SM3 with the SM2 Z value) and returns the raw
    SignatureValue bytes: PKCS#1 v1.5 for RSA, DER SEQUENCE{r, s} for SM2.
    """

    @property
    def algorithm(self) -> SignatureAlgorithm:
        """Return the SignatureMethod this signer produces."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Return the signature of data."""
        ...

    def certificate_der(self) -> bytes:
        """Return the signer's X.509 certificate, DER-encoded."""
        ...


class SignerUnavailable(DomainError):
    """The platform's signing key cannot be used (device, token or signing service); ``hint`` says how to fix it.

    ``retryable`` tells a passing fault (service down, timeout, device busy) from one that needs an operator.
    """

    code = ErrorCode.UNAVAILABLE

    def __init__(self, message: str, *, hint: str, retryable: bool = False) -> None:
        super().__init__(message, hint=hint)
        self.hint = hint
        self.retryable = retryable

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})"


class SignerMisconfigured(SignerUnavailable, ValueError):
    """The signer's settings do not describe a usable key and certificate; found when the signer is loaded."""


class SignerKeyMismatch(SignerMisconfigured):
    """The key that signs does not belong to the certificate the signatures will carry."""


class Sm2SignatureEncoding(StrEnum):
    """How an SM2 SignatureValue is encoded."""

    DER = "der"  # SEQUENCE{INTEGER r, INTEGER s}: GM/T 0009 and what Java SM3withSM2 providers emit
    RAW = "raw"  # r || s, 32 bytes each


def _load_certificate(data: bytes) -> x509.Certificate:
    """Load a PEM or DER certificate."""
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


class SoftwareRsaSigner:
    """Sign with an RSA key held in memory: PKCS#1 v1.5 over SHA-1."""

    __slots__ = ("_certificate_der", "_key")

    algorithm = SignatureAlgorithm.RSA_SHA1

    def __init__(self, private_key_pem: bytes, certificate: bytes, *, password: bytes | None = None) -> None:
        key = serialization.load_pem_private_key(private_key_pem, password)
        cert = _load_certificate(certificate)
        self._key, self._certificate_der = _checked_rsa_pair(key, cert)

    @classmethod
    def from_pkcs12(cls, data: bytes, password: bytes | None) -> SoftwareRsaSigner:
        """Load the key and certificate from a PKCS#12 (.pfx) file."""
        key, cert, _ = pkcs12.load_key_and_certificates(data, password)
        if key is None or cert is None:
            raise ValueError("PKCS#12 file lacks a private key or a certificate")
        signer = cls.__new__(cls)
        signer._key, signer._certificate_der = _checked_rsa_pair(key, cert)
        return signer

    def sign(self, data: bytes) -> bytes:
        """Return the PKCS#1 v1.5 SHA-1 signature of data."""
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA1())

    def certificate_der(self) -> bytes:
        """Return the signer's certificate, DER-encoded."""
        return self._certificate_der


def _checked_rsa_pair(key: object, cert: x509.Certificate) -> tuple[rsa.RSAPrivateKey, bytes]:
    """Return the key and DER certificate after checking that they belong together."""
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("private key is not an RSA key")
    public = cert.public_key()
    if not isinstance(public, rsa.RSAPublicKey) or public.public_numbers() != key.public_key().public_numbers():
        raise ValueError("certificate does not match the private key")
    return key, cert.public_bytes(serialization.Encoding.DER)


class SoftwareSm2Signer:
    """Sign with an SM2 key held in memory: SM2 over SM3(Z || data)."""

    __slots__ = ("_certificate_der", "_encoding", "_key", "_user_id")

    algorithm = SignatureAlgorithm.SM2_SM3

    def __init__(
        self,
        private_key: bytes,
        certificate_der: bytes,
        *,
        user_id: bytes = DEFAULT_SM2_USER_ID,
        encoding: Sm2SignatureEncoding = Sm2SignatureEncoding.DER,
    ) -> None:
        if len(private_key) != 32:
            raise ValueError("SM2 private key must be 32 bytes")
        key = int.from_bytes(private_key, "big")
        if sm2_public_key_from_certificate(certificate_der) != sm2_public_key_of(key):
            raise ValueError("certificate does not match the private key")
        self._key = key
        self._certificate_der = certificate_der
        self._user_id = user_id
        self._encoding = encoding

    def sign(self, data: bytes) -> bytes:
        """Return the SM2/SM3 signature of data in the configured encoding."""
        r, s = sm2_sign(self._key, data, self._user_id)
        if self._encoding is Sm2SignatureEncoding.RAW:
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return encode_dss_signature(r, s)

    def certificate_der(self) -> bytes:
        """Return the signer's certificate, DER-encoded."""
        return self._certificate_der


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """What verification needs from a signer certificate."""

    der: bytes
    serial_number: int
    not_before: datetime
    not_after: datetime
    public_key: rsa.RSAPublicKey | Sm2PublicKey

    @property
    def serial_hex(self) -> str:
        """Return the serial as KeyName writes it: lowercase hex of its big-endian bytes."""
        return self.serial_number.to_bytes(max(1, (self.serial_number.bit_length() + 7) // 8), "big").hex()


def parse_certificate(der: bytes) -> CertificateInfo:
    """Parse a DER certificate carrying an RSA or SM2 key; raise ValueError otherwise."""
    cert = x509.load_der_x509_certificate(der)
    public_key: rsa.RSAPublicKey | Sm2PublicKey
    try:
        loaded = cert.public_key()
    except UnsupportedAlgorithm:  # cryptography knows no SM2 curve: read the point ourselves
        public_key = sm2_public_key_from_certificate(der)
    else:
        if not isinstance(loaded, rsa.RSAPublicKey):
            raise ValueError("certificate key is neither RSA nor SM2")
        public_key = loaded
    if cert.serial_number < 0:
        raise ValueError("negative certificate serial number")
    return CertificateInfo(der, cert.serial_number, cert.not_valid_before_utc, cert.not_valid_after_utc, public_key)


def key_matches(algorithm: SignatureAlgorithm, certificate: CertificateInfo) -> bool:
    """Return whether the certificate's key type fits the signature algorithm."""
    if algorithm is SignatureAlgorithm.RSA_SHA1:
        return isinstance(certificate.public_key, rsa.RSAPublicKey)
    return isinstance(certificate.public_key, Sm2PublicKey)


def signature_verifies(
    algorithm: SignatureAlgorithm,
    certificate: CertificateInfo,
    data: bytes,
    signature: bytes,
    *,
    sm2_user_id: bytes = DEFAULT_SM2_USER_ID,
) -> bool:
    """Return whether signature is valid for data under the certificate's key."""
    key = certificate.public_key
    if algorithm is SignatureAlgorithm.RSA_SHA1 and isinstance(key, rsa.RSAPublicKey):
        try:
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA1())
        except InvalidSignature:
            return False
        return True
    if algorithm is SignatureAlgorithm.SM2_SM3 and isinstance(key, Sm2PublicKey):
        try:
            r, s = decode_dss_signature(signature)
        except ValueError:
            if len(signature) != 64:
                return False
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        return sm2_verify(key, data, r, s, sm2_user_id)
    return False


def generate_test_identity(
    algorithm: SignatureAlgorithm,
    common_name: str,
    *,
    not_before: datetime | None = None,
    days: int = 365,
    seed: bytes | None = None,
) -> tuple[Signer, bytes]:
    """Create a throw-away key pair and self-signed certificate for tests and demos; return (signer, cert DER).

    With ``seed`` (SM2 only) key, serial and certificate are derived from it: the same bytes every time, so that
    a demo's files verify against the certificate any other run of the demo registered. Anyone who knows the
    seed can sign: never for a real enterprise.
    """
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    end = start + timedelta(days=days)
    serial = secrets.randbits(63) + 1  # positive, at most 8 bytes, like chinaport serials
    if seed is not None and algorithm is not SignatureAlgorithm.SM2_SM3:
        raise ValueError("a seeded test identity is SM2 only")
    if algorithm is SignatureAlgorithm.SM2_SM3:
        key = generate_sm2_private_key(seed)
        if seed is not None:
            serial = int.from_bytes(hashlib.sha256(b"cbec serial/" + seed).digest()[:8], "big") >> 1 or 1
        der = build_self_signed_sm2_certificate(
            key, common_name, serial_number=serial, not_before=start, not_after=end, deterministic=seed is not None
        )
        return SoftwareSm2Signer(key.to_bytes(32, "big"), der), der
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(rsa_key.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(rsa_key, hashes.SHA256())
    )
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    return SoftwareRsaSigner(pem, der), der
