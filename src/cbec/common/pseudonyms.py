"""Subject keys (主体假名键): the keyed pseudonyms of ID numbers, phones and addresses, pure.

The platform's blind index (``PersonalDataCipher.blind_index``, an HMAC under the platform's key) of a value,
normalised first, stands for the value wherever a system must match subjects without holding their personal data:
the trade facts' buyer, payer, phone and address keys, the quota ledger's buyer key, the risk counters, and an
enterprise's filed contact phone (``contact_phone_key``), so that a consignee phone can be matched to a party.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable


def normalise_phone(phone: str) -> str:
    """Return a phone number as digits only, without a +86/0086/86 country prefix on a mobile number."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def normalise_address(address: str) -> str:
    """Return an address with full-width forms folded (NFKC), whitespace and punctuation dropped, upper case."""
    folded = unicodedata.normalize("NFKC", address)
    return "".join(ch for ch in folded if ch.isalnum()).upper()


def subject_key(blind_index: Callable[[str], str], kind: str, value: str | None) -> str | None:
    """Return the keyed pseudonym of a subject (buyer, payer: the ID number as is; phone, address: normalised).

    ID numbers use the bare blind index, so a buyer's key is the quota ledger's ``buyer_key``; phones and
    addresses are prefixed with their kind, so equal strings of different kinds never share a key.
    """
    if value is None or not value.strip():
        return None
    if kind == "id":
        return blind_index(value)
    if kind == "phone":
        normalised = normalise_phone(value)
    elif kind == "address":
        normalised = normalise_address(value)
    else:
        raise ValueError(f"unknown subject kind {kind!r}")
    return blind_index(f"{kind}:{normalised}") if normalised else None
