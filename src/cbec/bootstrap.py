"""Composition root: builds the engine, clock, cipher, signer and context from settings."""

from __future__ import annotations

import base64
import importlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pydantic import SecretStr
from sqlalchemy import MetaData

from cbec.audit.keys import bind_audit_key, load_audit_key
from cbec.common.clock import Clock, FixedClock, SystemClock
from cbec.common.personal import PersonalDataCipher
from cbec.config import Settings, get_settings
from cbec.intake import assemble, bind_number_blocks
from cbec.messages.signature import SoftwareRsaSigner, SoftwareSm2Signer, sign_document
from cbec.messages.signature_remote import RemoteSigner
from cbec.messages.signature_signers import Signer, SignerMisconfigured
from cbec.storage.base import Base
from cbec.storage.context import Context
from cbec.storage.engine import make_engine, make_session_factory

# Every package that owns tables; importing them registers the tables on Base.metadata.
MODEL_MODULES = (
    "cbec.audit.models",
    "cbec.reference.models",
    "cbec.enterprises.models",
    "cbec.products.models",
    "cbec.quota.models",
    "cbec.intake.models",
    "cbec.clearance.models",
    "cbec.exports.models",
    "cbec.accounts.models",
    "cbec.sharing.models",
    "cbec.enterprises.certificate_models",
    "cbec.privacy.models",
    "cbec.statistics.models",
    "cbec.statistics.b2b.models",
    "cbec.facts.models",
    "cbec.credit.models",
    "cbec.risk.models",
    "cbec.risk.cases.models",
    "cbec.risk.versions.models",
    "cbec.risk.lists.models",
    "cbec.risk.conditions.models",
    "cbec.supervision.models",
    "cbec.storage.revisions",
)


def all_metadata() -> MetaData:
    """Import every model module and return the shared metadata."""
    for name in MODEL_MODULES:
        importlib.import_module(name)  # a module that fails to import fails loudly (no silent skip)
    return Base.metadata


def load_data_key(settings: Settings) -> bytes:
    """Return the personal-data key from settings, or from a local key file made on first use."""
    if settings.data_key:
        key = base64.b64decode(settings.data_key)
    else:
        path = Path(settings.data_dir) / "personal-data.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(base64.b64encode(os.urandom(32)))
        key = base64.b64decode(path.read_bytes())
    if len(key) != 32:
        raise ValueError("CBEC_DATA_KEY must be 32 bytes, base64-encoded")
    return key


def make_clock(settings: Settings) -> Clock:
    """Return a fixed clock when CBEC_NOW is set, else the system clock."""
    return FixedClock(settings.now) if settings.now else SystemClock()


def assemble_intake() -> None:
    """Put the document families in intake's handler table and the customs-rate source in place (explicit)."""
    from cbec.clearance.service import IMPORTS
    from cbec.exports.service.family import EXPORTS
    from cbec.exports.service.reference import cny_per_unit
    from cbec.facts import assemble_rates

    assemble((IMPORTS, EXPORTS))
    assemble_rates(cny_per_unit)  # import facts convert at the customs rates exports keep


def build_context(settings: Settings | None = None, *, clock: Clock | None = None) -> Context:
    """Build the context every use case runs in (and assemble intake's handler table)."""
    settings = settings or get_settings()
    assemble_intake()
    url = settings.resolved_database_url()
    if url.startswith("sqlite"):
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    all_metadata()
    engine = make_engine(url)
    bind_audit_key(engine, load_audit_key(settings))  # the audit chain is sealed and verified under this key
    bind_number_blocks(engine, settings.number_block)
    return Context(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock or make_clock(settings),
        cipher=make_cipher(settings),
    )


def parse_old_keys(text: str | None) -> tuple[tuple[str, bytes], ...]:
    """Return the earlier personal-data keys of ``id:base64,id:base64``."""
    keys: list[tuple[str, bytes]] = []
    for item in (text or "").split(","):
        if not item.strip():
            continue
        key_id, sep, encoded = item.strip().partition(":")
        if not sep or not key_id:
            raise ValueError("CBEC_DATA_OLD_KEYS must be 'id:base64,id:base64'")
        keys.append((key_id, base64.b64decode(encoded)))
    return tuple(keys)


def make_cipher(settings: Settings) -> PersonalDataCipher:
    """Return the personal-data cipher: current key and id, earlier keys, and the stable blind-index key.

    Blind indexes (buyer lookups, the quota ledger) must not change when the encryption key rotates, so
    once earlier keys are configured the index key must be given explicitly (docs/decisions/0003).
    """
    old_keys = parse_old_keys(settings.data_old_keys)
    if old_keys and not settings.data_index_key:
        raise ValueError(
            "CBEC_DATA_OLD_KEYS is set but CBEC_DATA_INDEX_KEY is not: set it to the key the blind indexes "
            "were made with (usually the first CBEC_DATA_KEY)"
        )
    index_key = base64.b64decode(settings.data_index_key) if settings.data_index_key else None
    return PersonalDataCipher(
        load_data_key(settings), key_id=settings.data_key_id, old_keys=old_keys, index_key=index_key
    )


def load_signer(settings: Settings) -> Signer | None:
    """Return the platform's signer of outgoing receipts, or None when signing is off (CBEC_SIGNER=none).

    ``software`` keeps the key in process memory; ``pkcs11`` signs on a device (UKey, server crypto device);
    ``remote`` asks an external signing service. A signer is built once per configuration and reused: the
    PKCS#11 session stays open, the service's certificate is fetched once.
    """
    return _cached_signer(_SignerSettings.of(settings))


@dataclass(frozen=True, slots=True)
class _SignerSettings:
    """The settings a signer is built from (hashable, so that one signer serves every request)."""

    kind: str
    key_file: str
    certificate_file: str
    # Secrets (password, PIN, token) stay out of the repr, which tracebacks and logs may show.
    password: str | None = field(repr=False)
    pkcs11: tuple[str, str, str, str, str, str, str] | None = field(repr=False)
    remote: tuple[str, str, str, float, str] | None = field(repr=False)

    @classmethod
    def of(cls, settings: Settings) -> _SignerSettings:
        def secret(value: SecretStr | None) -> str:
            return value.get_secret_value() if value is not None else ""

        pkcs11 = remote = None
        if settings.signer == "pkcs11":
            pkcs11 = (
                str(settings.pkcs11_module or ""),
                settings.pkcs11_token_label or "",
                secret(settings.pkcs11_pin),
                settings.pkcs11_key_label or "",
                settings.pkcs11_key_id or "",
                settings.pkcs11_sm2_mechanism or "",
                settings.pkcs11_sm2_input,
            )
        elif settings.signer == "remote":
            remote = (
                settings.signing_service_url or "",
                settings.signing_service_key_id or "",
                secret(settings.signing_service_token),
                settings.signing_service_timeout_seconds,
                str(settings.signing_service_ca_file or ""),
            )
        password = settings.signing_key_password
        return cls(
            settings.signer,
            str(settings.signing_key_file or ""),
            str(settings.signing_certificate_file or ""),
            password.get_secret_value() if password is not None else None,
            pkcs11,
            remote,
        )


@lru_cache(maxsize=4)
def _cached_signer(config: _SignerSettings) -> Signer | None:
    if config.kind == "none":
        return None
    if config.kind == "software":
        return _software_signer(config.key_file, config.certificate_file, config.password)
    if config.kind == "pkcs11" and config.pkcs11 is not None:
        return _pkcs11_signer(config.certificate_file, *config.pkcs11)
    if config.kind == "remote" and config.remote is not None:
        url, key_id, token, timeout, ca_file = config.remote
        if not url:
            raise SignerMisconfigured(
                "CBEC_SIGNER=remote needs CBEC_SIGNING_SERVICE_URL", hint="set it to the signing service's base URL"
            )
        return RemoteSigner(
            url, key_id=key_id, token=token, timeout=timeout, ca_file=Path(ca_file) if ca_file else None
        )
    raise SignerMisconfigured(
        f"CBEC_SIGNER {config.kind!r} is not a signer", hint="use none, software, pkcs11 or remote"
    )


def software_signer(key_file: str, certificate_file: str, password: str | None) -> Signer:
    """Return a signer of key files: PKCS#12, RSA PEM + certificate, or SM2 (64 hex digits) + certificate."""
    return _software_signer(key_file, certificate_file, password)


def _software_signer(key_file: str, certificate_file: str, password: str | None) -> Signer:
    if not key_file:
        raise ValueError("CBEC_SIGNER=software needs CBEC_SIGNING_KEY_FILE")
    key = Path(key_file).read_bytes()
    secret = password.encode("utf-8") if password else None
    if key_file.lower().endswith((".p12", ".pfx")):
        return SoftwareRsaSigner.from_pkcs12(key, secret)
    if not certificate_file:
        raise ValueError("CBEC_SIGNER=software needs CBEC_SIGNING_CERTIFICATE_FILE for a PEM or SM2 key")
    certificate = Path(certificate_file).read_bytes()
    if key.lstrip().startswith(b"-----BEGIN"):
        return SoftwareRsaSigner(key, certificate, password=secret)
    return SoftwareSm2Signer(bytes.fromhex(key.decode("ascii").strip()), _der(certificate))


def _der(certificate: bytes) -> bytes:
    """Return a PEM or DER certificate as DER."""
    if certificate.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(certificate).public_bytes(serialization.Encoding.DER)
    return certificate


def _pkcs11_signer(
    certificate_file: str,
    module: str,
    token_label: str,
    pin: str,
    key_label: str,
    key_id: str,
    sm2_mechanism: str,
    sm2_input: str,
) -> Signer:
    # Imported here: python-pkcs11 is a compiled extension that only a PKCS#11 installation needs to load.
    from cbec.messages.signature_pkcs11 import Pkcs11Signer, Sm2Input

    missing = [
        name
        for name, value in (
            ("CBEC_PKCS11_MODULE", module),
            ("CBEC_PKCS11_TOKEN_LABEL", token_label),
            ("CBEC_PKCS11_PIN", pin),
        )
        if not value
    ]
    if missing:
        raise SignerMisconfigured(f"CBEC_SIGNER=pkcs11 needs {', '.join(missing)}", hint="set them (docs/signing.md)")
    try:
        key_id_bytes = bytes.fromhex(key_id) if key_id else None
        mechanism = int(sm2_mechanism, 0) if sm2_mechanism else None
        input_form = Sm2Input(sm2_input)
    except ValueError as exc:
        raise SignerMisconfigured(
            f"PKCS#11 setting unusable: {exc}",
            hint="CBEC_PKCS11_KEY_ID is hex, CBEC_PKCS11_SM2_MECHANISM a number (0x… allowed), "
            "CBEC_PKCS11_SM2_INPUT message or digest",
        ) from exc
    return Pkcs11Signer(
        Path(module),
        token_label=token_label,
        pin=pin,
        key_label=key_label or None,
        key_id=key_id_bytes,
        certificate_der=_der(Path(certificate_file).read_bytes()) if certificate_file else None,
        sm2_mechanism=mechanism,
        sm2_input=input_form,
    )


def sign_outgoing(settings: Settings, xml: bytes) -> bytes:
    """Return an outgoing message (receipt, tax bill, CEB900) signed by the platform's signer, if one is set."""
    signer = load_signer(settings)
    return xml if signer is None else sign_document(xml, signer)
