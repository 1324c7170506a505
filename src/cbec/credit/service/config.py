"""Use cases of the credit configuration (信用配置): load schemes, windows and rulesets as effective-dated documents;
list, show and load them over REST (``load_documents``: the hub's zone office, rulesets by proposal only)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.scope import EVERYTHING, Scope, require_whole
from cbec.credit import repository as repo
from cbec.credit.errors import (
    CreditConfigMissing,
    CreditConflict,
    CreditForbidden,
    CreditInvalid,
    CreditNotFound,
    problem,
)
from cbec.credit.models import CreditConfig
from cbec.credit.schemas import ConfigDocumentRead, ConfigReport
from cbec.credit.schemes import (
    ConfigKind,
    Configuration,
    Document,
    build_configuration,
    document_of,
    shipped_documents,
)
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


# --- configuration over REST ----------------------------------------------------------------------------------------


def _in_force(rows: Sequence[CreditConfig], today: date) -> set[int]:
    """Return the ids of the documents the configuration uses today: per kind the latest started and not ended (of
    windows, every started document: their rows combine, each with its own dates)."""
    chosen: set[int] = set()
    started = [r for r in rows if r.effective_from <= today and (r.effective_to is None or today < r.effective_to)]
    for kind in {r.kind for r in started}:
        mine = [r for r in started if r.kind == kind]
        if kind == ConfigKind.WINDOWS:
            chosen.update(r.id for r in mine)
        else:
            chosen.add(max(mine, key=lambda r: (r.effective_from, r.id)).id)
    return chosen


def _config_read(row: CreditConfig, in_force: bool, *, value: bool) -> ConfigDocumentRead:
    return ConfigDocumentRead(
        id=row.id,
        kind=row.kind,
        code=row.code,
        version=row.version,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        digest=row.digest,
        legal_basis=row.legal_basis or None,
        loaded_at=row.loaded_at,
        loaded_by=row.loaded_by,
        in_force=in_force,
        value=row.value if value else None,
    )


def _kind(kind: str | None, field: str = "kind") -> None:
    if kind is not None and kind not in ConfigKind.ALL:
        raise CreditInvalid(
            f"unknown kind {kind!r}",
            problems=[
                problem(
                    "CRD-CONFIG-KIND",
                    field,
                    f"未知配置类型 {kind}",
                    f"unknown kind {kind!r}",
                    ", ".join(ConfigKind.ALL),
                )
            ],
        )


def config_documents(ctx: Context, *, kind: str | None = None) -> list[ConfigDocumentRead]:
    """Return the stored configuration documents (of a kind), oldest first, each marked when in force today."""
    _kind(kind)
    with ctx.uow() as uow:
        rows = repo.config_documents(uow.session)
        live = _in_force(rows, business_date(ctx.clock.now()))
        return [_config_read(r, r.id in live, value=False) for r in rows if kind is None or r.kind == kind]


def config_document(ctx: Context, kind: str, code: str, version: str) -> ConfigDocumentRead:
    """Return one configuration document with its content."""
    _kind(kind)
    with ctx.uow() as uow:
        rows = repo.config_documents(uow.session)
        found = next((r for r in rows if (r.kind, r.code, r.version) == (kind, code, version)), None)
        if found is None:
            raise CreditNotFound(
                f"no configuration {kind}:{code}@{version}",
                problems=[
                    problem(
                        "CRD-CONFIG-UNKNOWN",
                        "version",
                        f"无此配置 {kind}:{code}@{version}",
                        f"no configuration {kind}:{code}@{version}",
                        "List them: GET /api/v1/credit/config.",
                    )
                ],
            )
        return _config_read(found, found.id in _in_force(rows, business_date(ctx.clock.now())), value=True)


def load_documents(
    ctx: Context,
    items: Sequence[Any],
    *,
    actor: str,
    scope: Scope = EVERYTHING,
    sources: frozenset[str] | None = None,
) -> ConfigReport:
    """Load configuration documents sent over REST (``[{"kind", "document"}]``), all or none, with the checks and rule
    ids of ``cbec credit config load``. Zone-wide: the hub's zone office only (a city's: ``AUTH-SCOPE``; an agency
    officer: ``CRD-SOURCE-SCOPE``). A ruleset is proposed instead (``CRD-CONFIG-RULESET``: another account
    publishes it)."""
    require_whole(scope, "信用配置", "credit configuration")
    if sources is not None:
        raise CreditForbidden(
            "credit configuration is the zone office's",
            problems=[
                problem(
                    "CRD-SOURCE-SCOPE",
                    "documents",
                    "信用配置由综试办载入",
                    "the zone office loads credit configuration",
                    "Ask the zone office.",
                )
            ],
        )
    problems: list[Problem] = []
    pairs: list[tuple[str, Any]] = []
    for index, item in enumerate(items):
        field = f"documents[{index}]"
        kind = item.get("kind") if isinstance(item, dict) else None
        extra = sorted(set(item) - {"kind", "document"}) if isinstance(item, dict) else []
        if not isinstance(kind, str) or "document" not in item or extra:
            problems.append(
                problem(
                    "CRD-REQUIRED",
                    field,
                    "每项须且只能有 kind 和 document",
                    "each item has exactly kind and document",
                    '{"kind": "lists", "document": {...}}',
                )
            )
        elif kind == ConfigKind.RULESET:
            problems.append(
                problem(
                    "CRD-CONFIG-RULESET",
                    f"{field}.kind",
                    "评级规则集须提议并由另一账号发布",
                    "a ruleset is proposed and published by another account",
                    "POST /api/v1/credit/rulesets (dry run, then another account publishes).",
                )
            )
        else:
            pairs.append((kind, item["document"]))
    if problems:
        raise CreditInvalid(f"{len(problems)} problem(s) in the request; nothing was loaded", problems=problems)
    return load_configuration(ctx, pairs, actor=actor)
