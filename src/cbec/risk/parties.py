"""A party's own phone as the consignee (R5.1, laundering): the payment-ownership cycle the platform can see.

A consumer's ID pays the seller for goods shipped to a phone that the seller (or its platform) filed as its own
contact: money and goods loop back to a related party (seller → its contact phone → the order's consignee → the
payer's payment → seller), the shortest cycle in the payment and ownership graph that import data holds. Both sides
are subject keys (``cbec.common.pseudonyms``): the facts' consignee phone key and the enterprise's
``contact_phone_key``; nothing is decrypted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from cbec.enterprises import find_active_by_code


def party_consignee(phone_key: str | None, contact_keys: Iterable[str | None]) -> Decimal | None:
    """Return 1 when the consignee phone key is one of the parties' contact keys, 0 when not, None when unknown."""
    if phone_key is None:
        return None
    return Decimal(int(any(key == phone_key for key in contact_keys if key)))


@dataclass(slots=True)
class ContactBook:
    """The filed contact phone key of each party a batch meets, looked up once (the look-up is cached too)."""

    session: Session
    _known: dict[str, str | None] = field(default_factory=dict)

    def key(self, code: str) -> str | None:
        """Return the contact phone key of an approved enterprise, None when it has none or is not approved."""
        if code not in self._known:
            ref = find_active_by_code(self.session, code)
            self._known[code] = ref.contact_phone_key if ref is not None else None
        return self._known[code]
