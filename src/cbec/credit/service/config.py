"""Use cases of the credit configuration (信用配置): load schemes, windows and rulesets as effective-dated documents."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.errors import Problem
from cbec.credit import repository as repo
from cbec.credit.errors import CreditConfigMissing, CreditConflict, CreditInvalid, problem
from cbec.credit.models import CreditConfig
from cbec.credit.schemas import ConfigReport
from cbec.credit.schemes import Configuration, Document, build_configuration, document_of, shipped_documents
from cbec.storage.context import Context


def digest_of(value: Any) -> str:
    """Return the SHA-256 of a document's canonical JSON."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def load_configuration(ctx: Context, documents: Sequence[tuple[str, Any]], *, actor: str) -> ConfigReport:
    """Store configuration documents, all or none. A document already stored with the same content is left as it
    is; one with the same kind, code and version but other content is refused (make a new version)."""
    now = ctx.clock.now()
    problems: list[Problem] = []
    parsed = []
    for index, (kind, value) in enumerate(documents):
        document, found = document_of(kind, value)
        problems.extend(Problem(p.rule_id, f"document[{index}].{p.field}", p.message, p.hint) for p in found)
        if document is not None:
            parsed.append(document)
    if problems:
        raise CreditInvalid(f"{len(problems)} problem(s) in the configuration; nothing was loaded", problems=problems)
    loaded: list[str] = []
    unchanged: list[str] = []
    with ctx.uow() as uow:
        for document in parsed:
            name = f"{document.kind}:{document.code}@{document.version}"
            row = store_document(uow.session, document, actor=actor, now=now)
            (loaded if row is not None else unchanged).append(name)
        uow.commit()
    return ConfigReport(loaded=loaded, unchanged=unchanged)


def store_document(session: Session, document: Document, *, actor: str, now: datetime) -> CreditConfig | None:
    """Store one checked document in the caller's transaction; None when it is stored already with the same
    content; ``CRD-CONFIG-CHANGED`` when the same kind, code and version is stored with other content."""
    name = f"{document.kind}:{document.code}@{document.version}"
    digest = digest_of(document.value)
    held = repo.config_document(session, document.kind, document.code, document.version)
    if held is not None:
        if held.digest != digest:
            raise CreditConflict(
                f"{name} is loaded with other content",
                problems=[
                    problem(
                        "CRD-CONFIG-CHANGED",
                        "version",
                        f"{name} 已载入且内容不同",
                        f"{name} is already loaded with other content",
                        "Past configuration never changes: give the document a new version.",
                    )
                ],
            )
        return None
    row = repo.add_config(
        session,
        kind=document.kind,
        code=document.code,
        version=document.version,
        effective_from=document.effective_from,
        effective_to=document.effective_to,
        value=document.value,
        digest=digest,
        legal_basis=document.legal_basis,
        loaded_at=now,
        loaded_by=actor,
    )
    record_audit(
        session,
        at=now,
        actor=actor,
        action="credit.config.loaded",
        entity_type="credit_config",
        entity_key=name,
        after={"digest": digest, "effective_from": document.effective_from},
    )
    return row


def seed_configuration(ctx: Context, *, actor: str = "cli") -> ConfigReport:
    """Load the configuration shipped with cbec (Decree 251 and 282 schemes, NDRC windows, the zone ruleset)."""
    return load_configuration(ctx, shipped_documents(), actor=actor)


_PARSED: dict[tuple[tuple[int, str], ...], Configuration] = {}


def configuration(session: Session) -> Configuration:
    """Return the stored configuration, parsed once per set of documents (ids and digests: a stored document never
    changes, a change is a new document), so an as-of query does not parse every scheme and ruleset again."""
    key = repo.config_fingerprint(session)
    found = _PARSED.get(key)
    if found is None:
        found = build_configuration([(row.kind, row.value) for row in repo.config_documents(session)])
        if len(_PARSED) > 64:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def missing(what: str) -> CreditConfigMissing:
    """Return the error of a configuration not loaded."""
    return CreditConfigMissing(
        f"no credit {what} is loaded",
        problems=[
            problem(
                "CRD-CONFIG-MISSING",
                what,
                f"未载入信用{what}配置",
                f"no credit {what} is loaded",
                "Run `cbec credit seed` (or load the zone's own with `cbec credit config load`).",
            )
        ],
    )
