"""Use cases of negative-list screening (名单筛查): one name (and codes) against the list entries in force, and
every filed enterprise as a batch.

The entries are the current ``list_entry`` facts that count on the day (valid, not past their publication
window), with their subjects' names and codes. An enterprise entry is screened by code and by name; a person
entry by the keyed hash of the ID number only, and only for callers with the whole scope — a person's name is
never kept, so never screened in clear. The lists are published (信用中国), so every caller with ``credit.read``
screens against all enterprise entries. The index is built once per context and list state (a fingerprint of
counts, last ids and times) and kept, per session factory, while the lists do not change.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.ids import validate_customs_code, validate_uscc
from cbec.common.scope import EVERYTHING, Scope
from cbec.credit import repository as repo
from cbec.credit.errors import CreditForbidden, CreditInvalid, problem
from cbec.credit.models import CreditFact, CreditSubject
from cbec.credit.names import MAX_NAME, name_key
from cbec.credit.rules import SubjectKind, counts_on
from cbec.credit.schemas import ScreenBatch, ScreenFeature, ScreenHit, ScreenIn, ScreenReport
from cbec.credit.screening import THRESHOLD, TOP_BAND, Entry, Hit, ScreeningIndex
from cbec.credit.service.facts import subject_label
from cbec.enterprises.schemas import EnterpriseRead
from cbec.enterprises.service import list_enterprises
from cbec.storage.context import Context

MAX_LIMIT = 100
MIN_THRESHOLD = 0.5
BATCH_PAGE = 500


@dataclass(frozen=True)
class _Listed:
    """What a hit shows of its entry."""

    fact: CreditFact
    subject: CreditSubject


@dataclass
class _Lists:
    fingerprint: tuple[Any, ...]
    index: ScreeningIndex
    listed: dict[int, _Listed]


_CACHE: weakref.WeakKeyDictionary[Any, _Lists] = weakref.WeakKeyDictionary()  # by session factory
_LOCK = threading.Lock()


def _lists(ctx: Context, day: date) -> _Lists:
    """Return the index of the entries counting on a day (built again when the lists change)."""
    with ctx.uow() as uow:
        session = uow.session
        fingerprint = (day, *repo.list_fingerprint(session))
        with _LOCK:
            cached = _CACHE.get(ctx.session_factory)
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
        rows = [
            (fact, subject)
            for fact, subject in repo.list_entries(session)
            if counts_on(fact.valid_from, fact.valid_to, fact.publish_max_until, day)
        ]
        for fact, subject in rows:
            session.expunge(fact)
            session.expunge(subject)
    listed = {fact.id: _Listed(fact, subject) for fact, subject in rows}
    index = ScreeningIndex(
        Entry(
            ref=fact.id,
            name=subject.name if subject.kind == SubjectKind.ENTERPRISE.value else None,
            uscc=subject.uscc,
            customs_code=subject.customs_code,
            person_key=subject.person_key,
        )
        for fact, subject in rows
    )
    made = _Lists(fingerprint, index, listed)
    with _LOCK:
        _CACHE[ctx.session_factory] = made
    return made


def _hit(hit: Hit, listed: _Listed) -> ScreenHit:
    fact, subject = listed.fact, listed.subject
    return ScreenHit(
        fact_id=fact.id,
        subject=subject_label(subject),
        name=subject.name if subject.kind == SubjectKind.ENTERPRISE.value else None,
        list_type=fact.list_type,
        source=fact.source,
        severity=fact.severity,
        legal_basis=fact.legal_basis,
        document_no=fact.document_no,
        decided_on=fact.decided_on,
        valid_to=fact.valid_to,
        publish_max_until=fact.publish_max_until,
        score=hit.score,
        band="top" if hit.score >= TOP_BAND else "review",
        matched=hit.matched,
        features=[
            ScreenFeature(name=f.name, value=round(f.value, 4), weight=f.weight, contribution=f.contribution)
            for f in hit.features
        ],
    )


def _threshold(value: float | None, problems: list[Problem]) -> float:
    threshold = THRESHOLD if value is None else value
    if not MIN_THRESHOLD <= threshold <= 1:
        problems.append(
            problem(
                "CRD-SCREEN-THRESHOLD",
                "threshold",
                f"阈值超出范围: {threshold}",
                f"threshold out of range: {threshold}",
                f"Give a value from {MIN_THRESHOLD} to 1 (shipped: {THRESHOLD}).",
            )
        )
    return threshold


def _check(request: ScreenIn, scope: Scope) -> tuple[date | None, float, list[tuple[str, str]]]:
    """Return the day, the threshold and the codes of a request, or raise with every problem."""
    problems: list[Problem] = []
    name = (request.name or "").strip()
    uscc = (request.uscc or "").strip().upper()
    customs = (request.customs_code or "").strip().upper()
    if not (name or uscc or customs or request.person_id):
        problems.append(
            problem(
                "CRD-SCREEN-EMPTY",
                "name",
                "没有可筛查的内容",
                "nothing to screen",
                "Give a name, a credit code (uscc), a customs code or a person_id.",
            )
        )
    if len(name) > MAX_NAME:
        problems.append(
            problem(
                "CRD-SCREEN-NAME",
                "name",
                f"名称过长 ({len(name)} 字)",
                f"name too long ({len(name)} characters)",
                f"Give at most {MAX_NAME} characters.",
            )
        )
    elif name and not name_key(name).core:
        problems.append(
            problem(
                "CRD-SCREEN-NAME",
                "name",
                "名称中没有文字",
                "the name has no letter, digit or Chinese character",
                "Give the enterprise's name as registered, e.g. 海南蓝海贸易有限公司.",
            )
        )
    for rule_id, field, value, check in (
        ("CRD-SCREEN-USCC", "uscc", uscc, lambda v, field: validate_uscc(v, field=field, check_org_code=False)),
        ("CRD-SCREEN-CUSTOMS", "customs_code", customs, lambda v, field: validate_customs_code(v, field=field)),
    ):
        if value and [p for p in check(value, field) if p.severity == "error"]:
            problems.append(
                problem(
                    rule_id,
                    field,
                    f"代码格式错误: {value}",
                    f"not a valid {field}: {value!r}",
                    "Give 18 characters of GB 32100 (uscc) or the 10-character customs code, or leave it out.",
                )
            )
    day: date | None = None
    if request.on:
        try:
            day = date.fromisoformat(request.on)
        except ValueError:
            problems.append(
                problem("CRD-DATE", "on", f"日期格式错误: {request.on}", f"not a date: {request.on!r}", "YYYY-MM-DD.")
            )
    threshold = _threshold(request.threshold, problems)
    if not 1 <= request.limit <= MAX_LIMIT:
        problems.append(
            problem(
                "CRD-SCREEN-LIMIT",
                "limit",
                f"条数超出范围: {request.limit}",
                f"limit out of range: {request.limit}",
                f"Give 1 to {MAX_LIMIT}.",
            )
        )
    if problems:
        raise CreditInvalid("screening request refused", problems=problems)
    if request.person_id and not scope.unrestricted:
        raise CreditForbidden(
            "persons are screened by the hub only",
            problems=[
                problem(
                    "CRD-SCREEN-PERSON",
                    "person_id",
                    "仅自贸区管理机构可筛查自然人",
                    "only the hub's callers screen persons",
                    "Leave person_id out, or ask the zone office.",
                )
            ],
        )
    codes = [(kind, value) for kind, value in (("uscc", uscc), ("customs_code", customs)) if value]
    return day, threshold, codes


def _report(
    lists: _Lists,
    query: str,
    name: str | None,
    codes: Sequence[tuple[str, str]],
    *,
    day: date,
    threshold: float,
    limit: int,
    scope: Scope,
) -> ScreenReport:
    hits = lists.index.screen(name, codes, threshold=threshold, limit=limit)
    shown = [
        _hit(h, lists.listed[h.ref])
        for h in hits
        if scope.unrestricted or lists.listed[h.ref].subject.kind == SubjectKind.ENTERPRISE.value
    ]
    return ScreenReport(query=query, on=day, threshold=threshold, entries=len(lists.listed), hits=shown)


def screen_name(ctx: Context, request: ScreenIn, *, scope: Scope = EVERYTHING) -> ScreenReport:
    """Screen a name and codes against the list entries in force: identifier hits first (score 1.0), then
    names at or above the threshold, each with its list, legal basis, score and features."""
    day, threshold, codes = _check(request, scope)
    day = day or business_date(ctx.clock.now())
    if request.person_id:
        codes.append(("person_key", ctx.cipher.blind_index(request.person_id.strip().upper())))
    lists = _lists(ctx, day)
    query = (request.name or "").strip() or ", ".join(v for k, v in codes if k != "person_key") or "person"
    name = (request.name or "").strip() or None
    return _report(lists, query, name, codes, day=day, threshold=threshold, limit=request.limit, scope=scope)


class PreparedLists:
    """The entries in force on a day, indexed, read before a transaction that screens with them (a consumer's)."""

    def __init__(self, ctx: Context, day: date) -> None:
        self.day = day
        self._lists = _lists(ctx, day)

    def screen(self, name: str | None, codes: Sequence[tuple[str, str]], threshold: float = THRESHOLD) -> ScreenReport:
        """Screen one declared party — its name and its code (``("uscc" | "customs_code", code)``): identifiers
        first, then the name."""
        query = name or ", ".join(v for _, v in codes)
        return _report(self._lists, query, name, codes, day=self.day, threshold=threshold, limit=20, scope=EVERYTHING)


def screen_enterprises(
    ctx: Context,
    *,
    on: date | None = None,
    threshold: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScreenBatch:
    """Screen every filed enterprise (name, credit code, customs code) against the list entries in force; return
    the ones with hits. ``progress(done, total)`` is called after each page of filings."""
    return screen_filings(ctx, on=on, threshold=threshold, progress=progress)[0]


def screen_filings(
    ctx: Context,
    *,
    on: date | None = None,
    threshold: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[ScreenBatch, list[tuple[EnterpriseRead, ScreenReport]]]:
    """Screen every filed enterprise; return the batch and each flagged filing with its report (for the alerts)."""
    problems: list[Problem] = []
    chosen = _threshold(threshold, problems)
    if problems:
        raise CreditInvalid("screening request refused", problems=problems)
    day = on or business_date(ctx.clock.now())
    lists = _lists(ctx, day)
    results: list[ScreenReport] = []
    flagged: list[tuple[EnterpriseRead, ScreenReport]] = []
    screened = offset = 0
    while True:
        page = list_enterprises(ctx, limit=BATCH_PAGE, offset=offset)
        for filing in page.items:
            codes = [("uscc", filing.uscc), ("customs_code", filing.customs_code)]
            report = _report(
                lists, filing.uscc, filing.name, codes, day=day, threshold=chosen, limit=20, scope=EVERYTHING
            )
            if report.hits:
                results.append(report)
                flagged.append((filing, report))
        screened += len(page.items)
        offset += len(page.items)
        if progress is not None:
            progress(screened, page.total)
        if not page.items or offset >= page.total:
            break
    batch = ScreenBatch(
        on=day, threshold=chosen, entries=len(lists.listed), screened=screened, flagged=len(results), results=results
    )
    return batch, flagged
