"""Routing of export messages into the shared intake (出口报文接收): which processor handles a message type."""

from __future__ import annotations

from cbec.exports.service.aftercare import ExportMessageProcessor
from cbec.messages.export_documents import ExportMessageType

EXPORT_TYPES = frozenset(t.value for t in ExportMessageType)


def is_export_message(message_type: str) -> bool:
    """Tell whether a CEB message type belongs to the export side."""
    return str(message_type) in EXPORT_TYPES


__all__ = ["EXPORT_TYPES", "ExportMessageProcessor", "is_export_message"]
