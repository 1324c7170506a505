"""Who a message's sender may declare for (申报主体权限): its own codes and those of its delegators.

The pure rules are ``cbec.messages.authority``; this resolves the codes from the filings and the delegations in
force, once per message.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cbec.accounts.repository import valid_delegations_to
from cbec.enterprises import find_active_by_code
from cbec.messages.authority import PartyAuthority

SUBMIT = "ceb.submit"


def _codes(session: Session, code: str) -> set[str]:
    """Return a code with the other code (customs or credit) of its approved enterprise."""
    value = code.strip().upper()
    ref = find_active_by_code(session, value) if value else None
    found = {value} if value else set()
    if ref is not None:
        found |= {ref.customs_code.upper(), ref.uscc.upper()}
    return found


def sender_authority(session: Session, sender_code: str | None, now: datetime) -> PartyAuthority:
    """Return the sender's party authority: its codes and those of enterprises that delegated ceb.submit to it."""
    sender = (sender_code or "").strip().upper()
    allowed = _codes(session, sender)
    if allowed:
        for delegation in valid_delegations_to(session, allowed, now):
            if SUBMIT in (delegation.scopes or []):
                allowed |= _codes(session, delegation.grantor_code)
    return PartyAuthority(sender, frozenset(allowed))
