"""Personal data (个人信息): encryption at rest, keyed-hash lookup and masking.

Buyer ID numbers, names, phones and addresses are stored as AES-GCM ciphertext with a key id
prefix (so keys can rotate), found through an HMAC-SHA256 blind index, and masked in outputs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class PersonalDataError(Exception):
    """Ciphertext that cannot be decrypted with any configured key."""


@dataclass(frozen=True, slots=True)
class PersonalDataCipher:
    """Encrypts, decrypts and blind-indexes personal data with a 32-byte master key."""

    key: bytes
    key_id: str = "k1"
    old_keys: tuple[tuple[str, bytes], ...] = ()
    index_key: bytes | None = None  # blind indexes; stays when the encryption key rotates (default: key)

    def __post_init__(self) -> None:
        if len(self.key) != 32 or any(len(k) != 32 for _, k in self.old_keys):
            raise ValueError("the personal-data key must be 32 bytes")
        if self.index_key is not None and len(self.index_key) != 32:
            raise ValueError("the blind-index key must be 32 bytes")

    def encrypt(self, plaintext: str) -> str:
        """Return ``keyid:base64(nonce|ciphertext)`` for a text."""
        nonce = os.urandom(12)
        sealed = _sealer(self.key).encrypt(nonce, plaintext.encode("utf-8"), None)
        return f"{self.key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, token: str) -> str:
        """Return the text of a token made by :meth:`encrypt` with the current or an old key."""
        key_id, _, body = token.partition(":")
        key = self.key if key_id == self.key_id else dict(self.old_keys).get(key_id)
        if key is None:
            raise PersonalDataError(f"unknown personal-data key id {key_id!r}")
        raw = base64.b64decode(body)
        try:
            plain = _sealer(key).decrypt(raw[:12], raw[12:], None)
        except InvalidTag as exc:
            raise PersonalDataError("personal data failed authentication") from exc
        return plain.decode("utf-8")

    def is_current(self, token: str) -> bool:
        """Tell whether a token was encrypted with the current key (rotation leaves it alone)."""
        return token.startswith(self.key_id + ":")

    def blind_index(self, value: str) -> str:
        """Return a keyed hash used to look a value up without decrypting (stable per index key)."""
        normalised = value.strip().upper()
        keyed = _indexer(self.index_key or self.key).copy()
        keyed.update(normalised.encode("utf-8"))
        return keyed.hexdigest()


def _subkey(key: bytes, purpose: bytes) -> bytes:
    """Derive the key of one purpose (encryption, blind index) from a master key."""
    return hmac.new(key, purpose, hashlib.sha256).digest()


# A process holds one or two master keys (current and old ones): their derived keys and cipher objects are made
# once, not per value (deriving and setting up AES-GCM cost more than sealing one short text).
@lru_cache(maxsize=16)
def _sealer(key: bytes) -> AESGCM:
    return AESGCM(_subkey(key, b"enc"))


@lru_cache(maxsize=16)
def _indexer(key: bytes) -> hmac.HMAC:
    return hmac.new(_subkey(key, b"idx"), digestmod=hashlib.sha256)


def mask_id_number(value: str) -> str:
    """Mask an ID number: keep the first 6 and last 4 characters (110105********002X)."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_name(value: str) -> str:
    """Mask a personal name: keep the first character (张**)."""
    if not value:
        return value
    return value[0] + "*" * max(1, len(value) - 1)


def mask_phone(value: str) -> str:
    """Mask a phone number: keep the first 3 and last 4 digits (138****5678)."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_address(value: str) -> str:
    """Mask an address: keep the first 6 characters."""
    if len(value) <= 6:
        return value[:2] + "*" * max(0, len(value) - 2)
    return value[:6] + "*" * min(8, len(value) - 6)
