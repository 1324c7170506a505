"""Password hashing (口令散列) with argon2id, and the random secrets of sessions and API keys."""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cbec.accounts.rules import API_KEY_PREFIX

_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether a password matches a hash; with no hash, spend the same time and say no."""
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether a hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verifying against a throw-away hash keeps "no such user" as slow as "wrong password".
    return _HASHER.hash(secrets.token_urlsafe(16))


def new_token() -> str:
    """Return a random token for a session cookie or a CSRF field (256 bits)."""
    return secrets.token_urlsafe(32)


def new_api_key() -> str:
    """Return a random API key: cbec_ and 256 random bits."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def new_password() -> str:
    """Return a generated password (about 120 bits)."""
    return secrets.token_urlsafe(15)


def digest(secret: str) -> str:
    """Return the SHA-256 hex digest under which a token or API key is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
