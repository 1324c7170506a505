"""Signature check of a whole message at intake (验签): trusted only if signed with a certificate its sender registered.

The whole message is signed (enveloped XML-DSig); what a failure means for its documents is each document
family's rule (imports refuse each document with its 验签失败 code, exports refuse the message).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from cbec.common.errors import Problem
from cbec.enterprises.certificates import trusted_certificates
from cbec.messages.documents import Message
from cbec.messages.signature import verify_document
from cbec.storage.context import Context

log = logging.getLogger(__name__)


def signature_problems(ctx: Context, session: Session, message: Message, xml: bytes, now: datetime) -> list[Problem]:
    """Verify a signed message against the certificates its sender (BaseTransfer copCode) registered."""
    if not ctx.settings.verify_signatures or not message.signed:
        return []
    trusted = trusted_certificates(session, message.transfer.sender_code, now)
    result = verify_document(xml, trusted_certificates=trusted, at=now)
    errors = [p for p in result.problems if p.severity == "error"]
    if errors:
        log.warning(
            "message %s from %s refused: signature %s",
            message.guid,
            message.transfer.sender_code,
            ",".join(p.rule_id for p in errors),
        )
    return errors
