"""The event outbox (事件发件箱): events written in the same transaction as the change they record.

Callers (clearance receipts and documents, enterprise filing) add events with ``emit_event``; the
events become visible with the commit of that transaction or never. Positions are given at commit
in commit order, so a reader that has seen position n will never later find an event below n.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cbec.audit import Head, append, register_journal
from cbec.sharing.models import OutboxEvent
from cbec.sharing.rules import PERSONAL_MASKS, EventKind, mask_personal, parties_of, receipt_business_key
from cbec.storage.bulk import Values

JOURNAL = "sharing_event"


def _seal(rows: list[Values], head: Head) -> None:
    """Give the committing transaction's events the next positions, in the order they were emitted."""
    for row in rows:
        head.last_seq += 1
        row.position = head.last_seq


register_journal(JOURNAL, _seal, OutboxEvent, numbered_only=True)


def emit_event(
    session: Session,
    *,
    at: datetime,
    kind: EventKind,
    document_type: str,
    business_key: str,
    zone: str,
    parties: Sequence[str],
    payload: Mapping[str, Any],
    status: str | None = None,
    personal: bool = True,
) -> Values:
    """Add an event to the current transaction; personal fields in the payload are masked.

    ``personal=False`` is the caller's word that the payload, built fresh for this event, names no personal field
    (a receipt's codes and numbers): it is kept as it is, without the walk that would change nothing.
    """
    row = Values(
        occurred_at=at,
        kind=kind.value,
        document_type=document_type,
        business_key=business_key[:200],
        zone=zone,
        status=status,
        parties=sorted(set(parties)),
        payload=mask_personal(payload) if personal else payload,  # masked: a copy, the caller's left as it was
    )
    append(session, JOURNAL, row)
    return row


def emit_receipt(
    session: Session,
    *,
    at: datetime,
    zone: str,
    document_kind: str,
    message_type: str,
    guid: str,
    status: str,
    info: str,
    keys: Mapping[str, Any],
    business_key: str | None = None,
    returned_at: str | None = None,
) -> Values:
    """Add the event of an issued receipt (回执).

    ``business_key`` (``receipt_business_key`` of the receipt) and ``returned_at`` (``at`` in ISO form) may be
    given by a caller that has worked them out already (the receipt book, once per message or declaration).
    """
    return emit_event(
        session,
        at=at,
        kind=EventKind.RECEIPT,
        document_type=message_type,
        business_key=business_key or receipt_business_key(document_kind, keys, guid),
        zone=str(keys.get("customs_code") or zone),
        parties=parties_of(keys),
        status=status,
        personal=not PERSONAL_MASKS.keys().isdisjoint(keys),
        payload={
            "message_type": message_type,
            "document_kind": document_kind,
            "guid": guid,
            "status": status,
            "info": info,
            "returned_at": returned_at or at.isoformat(),
            "keys": dict(keys),  # its own copy: the receipt row keeps the mapping it was given
        },
    )


def emit_document(
    session: Session,
    *,
    at: datetime,
    zone: str,
    document_kind: str,
    message_type: str,
    business_key: str,
    document: Mapping[str, Any],
) -> Values:
    """Add the event of a stored declaration (数据), its personal fields masked."""
    return emit_event(
        session,
        at=at,
        kind=EventKind.DATA,
        document_type=message_type,
        business_key=business_key,
        zone=str(document.get("customs_code") or zone),
        parties=parties_of(document),
        payload={"message_type": message_type, "document_kind": document_kind, "document": document},
    )


def emit_filing(
    session: Session,
    *,
    at: datetime,
    zone: str,
    customs_code: str,
    uscc: str,
    name: str,
    tenant: str,
    roles: Sequence[str],
    status: str,
    before: str | None,
    reason: str | None,
) -> Values:
    """Add the event of an enterprise filing made or changed in status (企业备案); no contact data."""
    return emit_event(
        session,
        at=at,
        kind=EventKind.FILING,
        document_type="enterprise",
        business_key=f"enterprise:{customs_code}",
        zone=zone,
        parties=[customs_code],
        status=status,
        payload={
            "customs_code": customs_code,
            "uscc": uscc,
            "name": name,
            "tenant": tenant,
            "roles": sorted(roles),
            "status": status,
            "before": before,
            "reason": reason,
        },
    )


def emit_certificate(
    session: Session,
    *,
    at: datetime,
    zone: str,
    customs_code: str,
    serial: str,
    fingerprint: str,
    algorithm: str,
    status: str,
    valid_from: datetime,
    valid_to: datetime,
    reason: str | None,
) -> Values:
    """Add the event of a signing certificate registered or revoked for an enterprise (签名证书备案)."""
    return emit_event(
        session,
        at=at,
        kind=EventKind.CERTIFICATE,
        document_type="certificate",
        business_key=f"certificate:{customs_code}/{serial}",
        zone=zone,
        parties=[customs_code],
        status=status,
        payload={
            "customs_code": customs_code,
            "serial": serial,
            "fingerprint": fingerprint,
            "algorithm": algorithm,
            "status": status,
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat(),
            "reason": reason,
        },
    )
