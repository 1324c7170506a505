"""PKCS#11 signer: the platform key stays on a device (UKey 智能密码钥匙, server crypto device 服务器密码机).

RSA-SHA1 uses ``CKM_SHA1_RSA_PKCS``: the device hashes the canonical SignedInfo and pads it (PKCS#1 v1.5).
SM2-SM3 has no standard PKCS#11 mechanism: Chinese devices expose it under vendor-defined numbers
(``CKM_VENDOR_DEFINED`` + n, different per vendor), so the number is a setting. Devices also differ in what
they take: the message itself (the device computes SM3(Z || M) with the default user id) or the 32-byte
digest e = SM3(Z || M) computed here (``Sm2Input``). Both are refused at load time unless the token lists
the mechanism, and every signer signs a probe at load time that must verify with the certificate, so a
wrong mechanism, input form, user id or key shows up before the first receipt. SoftHSM2, which the tests
use, has no SM2: the SM2 path is exercised against real devices only (docs/decisions/0003).

The session is opened once and reused; PKCS#11 forbids interleaving two operations on one session and
python-pkcs11 releases the GIL inside the device call, so ``sign`` holds a lock. A session the device
dropped (token pulled out and put back, device restarted) is reopened once before giving up.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from contextlib import suppress
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pkcs11
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11 import exceptions as p11
from pkcs11.attributes import AttributeMapper

from cbec.messages.signature_signers import (
    CertificateInfo,
    SignatureAlgorithm,
    SignerKeyMismatch,
    SignerMisconfigured,
    SignerUnavailable,
    parse_certificate,
    signature_verifies,
)
from cbec.messages.signature_sm2 import DEFAULT_SM2_USER_ID, Sm2PublicKey, sm2_message_digest

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Pkcs11Library

VENDOR_DEFINED = 0x80000000

_E = TypeVar("_E", bound=IntEnum)


class Pkcs11ModuleNotFound(SignerMisconfigured):
    """The PKCS#11 module (the vendor's .so) cannot be loaded."""


class Pkcs11TokenNotFound(SignerMisconfigured):
    """No token (or more than one) carries the configured label."""


class Pkcs11PinIncorrect(SignerMisconfigured):
    """The token refused the user PIN (wrong, locked, expired or of the wrong length)."""


class Pkcs11KeyNotFound(SignerMisconfigured):
    """No private key (or more than one) on the token has the configured label or id."""


class Pkcs11CertificateNotFound(SignerMisconfigured):
    """The token holds no certificate with the key's label or id, and no certificate file is set."""


class Pkcs11MechanismNotOffered(SignerMisconfigured):
    """The token does not offer the signing mechanism the algorithm needs."""


class Pkcs11DeviceError(SignerUnavailable):
    """The device failed while signing."""


class Sm2Input(StrEnum):
    """What an SM2 vendor mechanism signs."""

    MESSAGE = "message"  # the device computes e = SM3(Z || M) itself (default user id 1234567812345678)
    DIGEST = "digest"  # the device signs e = SM3(Z || M), computed here with the certificate's public key


def _member(enum: type[_E], value: int, prefix: str) -> _E:
    """Return the enum member for value, or a pseudo-member for a vendor-defined value.

    python-pkcs11 accepts only its own enum members as mechanisms and unpacks key types into its enum, so a
    vendor-defined number (CKM_VENDOR_DEFINED + n, CKK_VENDOR_DEFINED + n) is wrapped the way Enum wraps
    unknown Flag values.
    """
    try:
        return enum(value)
    except ValueError:
        pseudo = int.__new__(enum, value)
        pseudo._name_ = f"{prefix}{value:#x}"
        pseudo._value_ = value
        return pseudo


def vendor_mechanism(number: int) -> Mechanism:
    """Return the python-pkcs11 Mechanism for a mechanism number, vendor-defined or not."""
    return _member(Mechanism, number, "VENDOR_")


def _attribute_mapper() -> AttributeMapper:
    """Return python-pkcs11's attribute mapper, tolerant of vendor-defined key types (SM2 keys on Chinese devices)."""
    mapper = AttributeMapper()
    pack, unpack_ulong = mapper.attribute_types[Attribute.KEY_TYPE]

    def unpack(value: bytes) -> KeyType:
        return _member(KeyType, int(unpack_ulong(value)), "VENDOR_")

    mapper.register_handler(Attribute.KEY_TYPE, pack, unpack)
    return mapper


_LIBRARIES: dict[str, Pkcs11Library] = {}
_LIBRARIES_LOCK = threading.Lock()


def _library(module: Path) -> Pkcs11Library:
    """Load and initialize a PKCS#11 module once per process (C_Initialize may be called only once)."""
    key = str(module.resolve())
    with _LIBRARIES_LOCK:
        if key not in _LIBRARIES:
            if not module.is_file():
                raise Pkcs11ModuleNotFound(
                    f"PKCS#11 module {module} does not exist",
                    hint="set CBEC_PKCS11_MODULE to the vendor's library, e.g. /usr/lib/softhsm/libsofthsm2.so",
                )
            try:
                _LIBRARIES[key] = pkcs11.lib(str(module))
            except p11.PKCS11Error as exc:
                raise Pkcs11ModuleNotFound(
                    f"PKCS#11 module {module} cannot be loaded: {exc!r}",
                    hint="check that CBEC_PKCS11_MODULE is the device's PKCS#11 library for this architecture "
                    "and that its configuration (e.g. SOFTHSM2_CONF) is readable",
                ) from exc
        return _LIBRARIES[key]


_REOPEN_ON = (p11.SessionHandleInvalid, p11.SessionClosed, p11.DeviceRemoved, p11.TokenNotPresent, p11.UserNotLoggedIn)


class Pkcs11Signer:
    """Sign on a PKCS#11 token; the algorithm follows the certificate's key (RSA or SM2)."""

    def __init__(
        self,
        module: Path,
        *,
        token_label: str,
        pin: str,
        key_label: str | None = None,
        key_id: bytes | None = None,
        certificate_der: bytes | None = None,
        sm2_mechanism: int | None = None,
        sm2_input: Sm2Input = Sm2Input.MESSAGE,
        sm2_user_id: bytes = DEFAULT_SM2_USER_ID,
    ) -> None:
        if not key_label and not key_id:
            raise SignerMisconfigured(
                "PKCS#11 signer needs the key's label or id", hint="set CBEC_PKCS11_KEY_LABEL or CBEC_PKCS11_KEY_ID"
            )
        self._lib = _library(module)
        self._token_label = token_label
        self._pin = pin
        self._key_attributes: dict[str, Any] = {"label": key_label or None, "id": key_id or None}
        self._lock = threading.Lock()
        self._session: pkcs11.Session | None = None
        self._described_key = f"label {key_label!r}" if key_label else f"id {key_id.hex() if key_id else ''}"
        self._sm2_input = sm2_input
        self._sm2_user_id = sm2_user_id
        self._token = self._find_token()
        self._open()
        try:
            self._certificate = self._load_certificate(certificate_der)
            self._algorithm, self._mechanism = self._mechanism_for(sm2_mechanism)
            self._check_mechanism()
            self._check_key_matches_certificate()
        except BaseException:
            self.close()
            raise

    @property
    def algorithm(self) -> SignatureAlgorithm:
        """Return the SignatureMethod this signer produces (from the certificate's key type)."""
        return self._algorithm

    def certificate_der(self) -> bytes:
        """Return the signer's certificate, DER-encoded."""
        return self._certificate.der

    def sign(self, data: bytes) -> bytes:
        """Return the signature of data made on the device: PKCS#1 v1.5 for RSA, DER SEQUENCE{r, s} for SM2."""
        payload = data
        if self._algorithm is SignatureAlgorithm.SM2_SM3 and self._sm2_input is Sm2Input.DIGEST:
            assert isinstance(self._certificate.public_key, Sm2PublicKey)
            payload = sm2_message_digest(self._certificate.public_key, data, self._sm2_user_id)
        with self._lock:
            value = self._with_session(lambda key: key.sign(payload, mechanism=self._mechanism))
        if self._algorithm is SignatureAlgorithm.SM2_SM3 and len(value) == 64:  # PKCS#11 convention: r || s
            return encode_dss_signature(int.from_bytes(value[:32], "big"), int.from_bytes(value[32:], "big"))
        return value

    def close(self) -> None:
        """Close the session (log out); the next ``sign`` opens a new one."""
        with self._lock:
            if self._session is not None:
                session, self._session = self._session, None
                with suppress(p11.PKCS11Error):  # the device is gone already: nothing left to close
                    session.close()

    # -- internals --

    def _load_certificate(self, certificate_der: bytes | None) -> CertificateInfo:
        der = certificate_der or self._certificate_on_token()
        try:
            return parse_certificate(der)
        except ValueError as exc:
            source = "CBEC_SIGNING_CERTIFICATE_FILE" if certificate_der else "the token's certificate object"
            raise SignerMisconfigured(
                f"the certificate from {source} is unusable: {exc}",
                hint="give the platform's X.509 certificate (RSA or SM2), PEM or DER",
            ) from exc

    def _mechanism_for(self, sm2_mechanism: int | None) -> tuple[SignatureAlgorithm, Mechanism]:
        if not isinstance(self._certificate.public_key, Sm2PublicKey):
            return SignatureAlgorithm.RSA_SHA1, Mechanism.SHA1_RSA_PKCS
        if sm2_mechanism is None:
            raise SignerMisconfigured(
                "the certificate carries an SM2 key but no SM2 mechanism is configured",
                hint="set CBEC_PKCS11_SM2_MECHANISM to the device's vendor-defined SM2 signing mechanism "
                "(CKM_VENDOR_DEFINED + n, from the vendor's PKCS#11 manual)",
            )
        return SignatureAlgorithm.SM2_SM3, vendor_mechanism(sm2_mechanism)

    def _find_token(self) -> pkcs11.Token:
        try:
            return self._lib.get_token(token_label=self._token_label)
        except (p11.NoSuchToken, p11.MultipleTokensReturned) as exc:
            labels = sorted({str(t.label) for t in self._lib.get_tokens()})
            many = isinstance(exc, p11.MultipleTokensReturned)
            raise Pkcs11TokenNotFound(
                f"{'more than one token is' if many else 'no token is'} labelled {self._token_label!r} "
                f"(tokens present: {', '.join(repr(label) for label in labels) or 'none'})",
                hint="plug in the UKey or check CBEC_PKCS11_TOKEN_LABEL (softhsm2-util --show-slots, "
                "pkcs11-tool --list-slots)",
            ) from exc

    def _open(self) -> None:
        try:
            session = self._token.open(user_pin=self._pin, attribute_mapper=_attribute_mapper())
        except p11.UserAlreadyLoggedIn:
            # PKCS#11 logs an application in per token, not per session: another signer of this process holds a
            # logged-in session on the token, so a new session is authenticated already.
            session = self._token.open(attribute_mapper=_attribute_mapper())
        except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange, p11.PinLocked, p11.PinExpired) as exc:
            reason = {
                p11.PinLocked: "is locked",
                p11.PinExpired: "has expired",
            }.get(type(exc), "was refused")
            raise Pkcs11PinIncorrect(
                f"the user PIN of token {self._token_label!r} {reason} ({type(exc).__name__})",
                hint="check CBEC_PKCS11_PIN; a locked PIN must be unblocked with the SO PIN by the key's custodian",
            ) from exc
        self._key: Any = self._find_key(session)
        self._session = session

    def _find_key(self, session: pkcs11.Session) -> Any:
        try:
            return session.get_key(object_class=ObjectClass.PRIVATE_KEY, **self._key_attributes)
        except (p11.NoSuchKey, p11.MultipleObjectsReturned) as exc:
            many = isinstance(exc, p11.MultipleObjectsReturned)
            label, key_id = self._key_attributes["label"], self._key_attributes["id"]
            wanted = " and ".join(
                part for part in (f"label {label!r}" if label else "", f"id {key_id.hex()}" if key_id else "") if part
            )
            with suppress(p11.PKCS11Error):
                session.close()
            raise Pkcs11KeyNotFound(
                f"{'more than one private key has' if many else 'no private key has'} {wanted} "
                f"on token {self._token_label!r}",
                hint="check CBEC_PKCS11_KEY_LABEL / CBEC_PKCS11_KEY_ID (pkcs11-tool --list-objects --login)",
            ) from exc

    def _certificate_on_token(self) -> bytes:
        assert self._session is not None
        template: dict[Attribute, Any] = {Attribute.CLASS: ObjectClass.CERTIFICATE}
        if self._key_attributes["label"]:
            template[Attribute.LABEL] = self._key_attributes["label"]
        if self._key_attributes["id"]:
            template[Attribute.ID] = self._key_attributes["id"]
        found = [bytes(obj[Attribute.VALUE]) for obj in self._session.get_objects(template)]
        if len(set(found)) != 1:
            raise Pkcs11CertificateNotFound(
                f"{'several certificates' if found else 'no certificate'} with the key's {self._described_key} "
                f"on token {self._token_label!r}",
                hint="set CBEC_SIGNING_CERTIFICATE_FILE to the platform certificate, or store it on the token "
                "with the key's label and id",
            )
        return found[0]

    def _check_mechanism(self) -> None:
        offered = self._token.slot.get_mechanisms()
        if self._mechanism in offered:
            return
        vendor = sorted(int(m) for m in offered if int(m) >= VENDOR_DEFINED)
        if self._algorithm is SignatureAlgorithm.SM2_SM3:
            listed = ", ".join(f"{m:#x}" for m in vendor) or "none"
            hint = (
                "set CBEC_PKCS11_SM2_MECHANISM to the device's SM2 signing mechanism "
                f"(vendor-defined mechanisms offered: {listed})"
            )
        else:
            hint = "use a device that signs RSA with SHA-1 in the device (CKM_SHA1_RSA_PKCS)"
        raise Pkcs11MechanismNotOffered(
            f"token {self._token_label!r} does not offer mechanism {int(self._mechanism):#x} "
            f"({self._mechanism.name}) needed for {self._algorithm.name}",
            hint=hint,
        )

    def _check_key_matches_certificate(self) -> None:
        probe = b"cbec signer probe " + secrets.token_bytes(16)
        try:
            value = self.sign(probe)
        except SignerUnavailable as exc:
            raise SignerKeyMismatch(
                f"the key with {self._described_key} on token {self._token_label!r} cannot sign: {exc.message}",
                hint=exc.hint,
            ) from exc
        if not signature_verifies(self._algorithm, self._certificate, probe, value, sm2_user_id=self._sm2_user_id):
            extra = " or CBEC_PKCS11_SM2_INPUT" if self._algorithm is SignatureAlgorithm.SM2_SM3 else ""
            raise SignerKeyMismatch(
                f"the key with {self._described_key} on token {self._token_label!r} does not belong to the "
                f"certificate (serial {self._certificate.serial_hex}): a probe signature does not verify",
                hint=f"pair the key with its own certificate (CBEC_PKCS11_KEY_LABEL / _KEY_ID, "
                f"CBEC_SIGNING_CERTIFICATE_FILE){extra}",
            )

    def _with_session(self, operation: Callable[[Any], bytes]) -> bytes:
        """Run operation with the private key, reopening a session the device dropped once; hold the lock."""
        for attempt in (1, 2):
            try:
                if self._session is None:
                    self._open()
                return operation(self._key)
            except _REOPEN_ON as exc:
                self._session = None
                if attempt == 2:
                    raise Pkcs11DeviceError(
                        f"token {self._token_label!r} is not reachable: {type(exc).__name__}",
                        hint="check that the UKey is plugged in or the crypto device is up",
                        retryable=True,
                    ) from exc
            except p11.PKCS11Error as exc:
                raise Pkcs11DeviceError(
                    f"token {self._token_label!r} failed to sign: {type(exc).__name__} {exc}",
                    hint="see the device's log; for SM2 check CBEC_PKCS11_SM2_MECHANISM and CBEC_PKCS11_SM2_INPUT",
                ) from exc
        raise AssertionError("unreachable")


__all__ = [
    "VENDOR_DEFINED",
    "Pkcs11CertificateNotFound",
    "Pkcs11DeviceError",
    "Pkcs11KeyNotFound",
    "Pkcs11MechanismNotOffered",
    "Pkcs11ModuleNotFound",
    "Pkcs11PinIncorrect",
    "Pkcs11Signer",
    "Pkcs11TokenNotFound",
    "Sm2Input",
    "vendor_mechanism",
]
