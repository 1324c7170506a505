"""Audit trail (审计日志): who did what, before and after, when; hash-chained and append-only."""

from cbec.audit.journal import Head, append, register_journal
from cbec.audit.repository import record_audit

__all__ = ["Head", "append", "record_audit", "register_journal"]
