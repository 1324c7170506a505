"""Audit trail (审计日志): who did what, before and after, when."""

from cbec.audit.repository import record_audit

__all__ = ["record_audit"]
