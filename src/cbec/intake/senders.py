"""Who sent a message and for whom it may declare (发送方与申报主体权限).

The sender check: a caller may transmit only as itself or as an enterprise that delegated ``ceb.submit`` to it.
Party authority: each document must be declared by a party the sender may act for (pure rules in
``cbec.messages.authority``; the codes come from the filings and delegations in force, resolved once per message).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from cbec.accounts import ACCOUNT
from cbec.accounts.repository import next_delegation_change, valid_delegations_to
from cbec.common.errors import Problem
from cbec.common.scope import OutOfScope
from cbec.enterprises import find_active_by_code
from cbec.enterprises.lookups import FILING
from cbec.messages.authority import PartyAuthority
from cbec.storage.revisions import RevisionCache, tokens

SUBMIT = "ceb.submit"
_COP_CODE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?copCode>\s*([^<\s]{1,40})\s*</", re.ASCII)


class SenderNotAllowed(OutOfScope):
    """The message's transmitting enterprise (BaseTransfer copCode) is not the caller nor delegated to it."""


def visible_sender(payload: bytes) -> str | None:
    """Return the BaseTransfer copCode of a message that may not parse, when it is plainly there (else None)."""
    found = _COP_CODE.search(payload[-65536:]) or _COP_CODE.search(payload[:65536])
    return found.group(1).decode("ascii", errors="replace") if found else None


def check_sender(sender: str | None, senders: frozenset[str] | None, *, unknown_ok: bool = False) -> None:
    """Raise ``SenderNotAllowed`` unless the sender is one of the caller's codes (None: it may send as anyone)."""
    if senders is None or (sender or "").strip().upper() in senders:
        return
    if unknown_ok and sender is None:
        return
    raise SenderNotAllowed(
        f"you may not send messages as {sender}",
        problems=[
            Problem(
                "AUTH-SENDER",
                "BaseTransfer.copCode",
                f"传输企业 {sender} 与认证身份不符 / the sender {sender} is not you nor an enterprise you declare for",
                "Put your own customs code in BaseTransfer copCode, or ask the enterprise to delegate "
                "message submission (ceb.submit) to you.",
            )
        ],
        sender=sender or "",
    )


def _codes(session: Session, code: str) -> set[str]:
    """Return a code with the other code (customs or credit) of its approved enterprise."""
    value = code.strip().upper()
    ref = find_active_by_code(session, value) if value else None
    found = {value} if value else set()
    if ref is not None:
        found |= {ref.customs_code.upper(), ref.uscc.upper()}
    return found


@dataclass(frozen=True, slots=True)
class _Held:
    """A sender's authority and the span it holds for by time alone (until a delegation starts or ends)."""

    authority: PartyAuthority
    valid_from: datetime
    valid_until: datetime


# Per sender, under the ``account`` token (delegations) and, in the key, the ``filing`` token (the codes of the
# sender's and its delegators' enterprises): a delegation granted or revoked by any process is seen by the next
# message; one that starts or ends by time alone ends the kept answer then.
_authorities: RevisionCache[_Held] = RevisionCache(ACCOUNT, limit=4096)


def sender_authority(session: Session, sender_code: str | None, now: datetime) -> PartyAuthority:
    """Return the sender's party authority: its codes and those of enterprises that delegated ceb.submit to it."""
    sender = (sender_code or "").strip().upper()
    held = _authorities.get(
        session,
        (sender, tokens(session).get(FILING)),
        lambda: _authority_of(session, sender, now),
        valid=lambda kept: kept.valid_from <= now < kept.valid_until,
    )
    return held.authority


def _authority_of(session: Session, sender: str, now: datetime) -> _Held:
    own = _codes(session, sender)
    allowed = set(own)
    if own:
        for delegation in valid_delegations_to(session, own, now):
            if SUBMIT in (delegation.scopes or []):
                allowed |= _codes(session, delegation.grantor_code)
    changes = next_delegation_change(session, own, now) if own else None
    return _Held(PartyAuthority(sender, frozenset(allowed)), now, changes or datetime.max.replace(tzinfo=UTC))
