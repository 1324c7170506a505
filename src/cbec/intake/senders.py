"""Who sent a message and for whom it may declare (发送方与申报主体权限).

The sender check: a caller may transmit only as itself or as an enterprise that delegated ``ceb.submit`` to it.
Party authority: each document must be declared by a party the sender may act for (pure rules in
``cbec.messages.authority``; the codes come from the filings and delegations in force, resolved once per message).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from cbec.accounts.repository import valid_delegations_to
from cbec.common.errors import Problem
from cbec.common.scope import OutOfScope
from cbec.enterprises import find_active_by_code
from cbec.messages.authority import PartyAuthority

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


def sender_authority(session: Session, sender_code: str | None, now: datetime) -> PartyAuthority:
    """Return the sender's party authority: its codes and those of enterprises that delegated ceb.submit to it."""
    sender = (sender_code or "").strip().upper()
    allowed = _codes(session, sender)
    if allowed:
        for delegation in valid_delegations_to(session, allowed, now):
            if SUBMIT in (delegation.scopes or []):
                allowed |= _codes(session, delegation.grantor_code)
    return PartyAuthority(sender, frozenset(allowed))
