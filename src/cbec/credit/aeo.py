"""AEO self-assessment scorer (海关认证企业标准自评), pure: items scored 0 / −1 / −2 / n.a., module totals, pass rule.

The standard is data (``data/aeo-standard-gacc-2022.json``, or a zone's own file): its modules, what each score
means, and the pass rule — under GACC Announcement 2022 No. 106: no item 不达标 (−2), at most three 基本达标 (−1)
within internal control and trade security, and ``100 + Σ items ≥ 95``. An item scored ``n.a.`` (不适用) does not
count. The 2026 No. 34 standard's scoring is not public in the sources read; it is a new file when verified.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from cbec.common.errors import Problem
from cbec.credit.errors import problem
from cbec.credit.schemas import AeoModuleRead, AeoScoreRead

NOT_APPLICABLE = frozenset({"n.a.", "na", "n/a", "不适用"})


@dataclass(frozen=True, slots=True)
class Standard:
    """An AEO standard's modules and pass rule."""

    code: str
    version: str
    legal_basis: str
    modules: tuple[tuple[str, str, str], ...]  # (id, name_zh, name_en)
    scores: Mapping[int, str]
    base: int
    min_score: int
    max_fails: int
    max_basically_meets: int
    basically_meets_modules: frozenset[str]


def parse_standard(doc: Mapping[str, Any]) -> Standard:
    """Return the standard of its JSON document (a shipped or zone file; ValueError when it is malformed)."""
    try:
        rule = doc["pass_rule"]
        return Standard(
            code=str(doc["code"]),
            version=str(doc["version"]),
            legal_basis=str(doc.get("legal_basis") or ""),
            modules=tuple((str(m["id"]), str(m["name_zh"]), str(m["name_en"])) for m in doc["modules"]),
            scores={int(k): str(v) for k, v in dict(doc["scores"]).items()},
            base=int(rule["base"]),
            min_score=int(rule["min_score"]),
            max_fails=int(rule["max_fails"]),
            max_basically_meets=int(rule["max_basically_meets"]),
            basically_meets_modules=frozenset(str(m) for m in rule["basically_meets_modules"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"malformed AEO standard: {exc}") from exc


def shipped_standard() -> Standard:
    """Return the AEO standard shipped with cbec (GACC Announcement 2022 No. 106)."""
    text = (resources.files("cbec.credit") / "data" / "aeo-standard-gacc-2022.json").read_text("utf-8")
    return parse_standard(json.loads(text))


@dataclass(frozen=True, slots=True)
class Item:
    """One item of a standard's catalogue, as the official text numbers and words it."""

    module: str
    item: str
    text_zh: str
    text_en: str


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The items of a standard, by module (empty where none is verified), and whether the list is verified."""

    standard: str
    verified: bool
    provenance: str
    items: tuple[Item, ...]

    def of(self, module: str) -> list[Item]:
        """Return the items of one module, in the catalogue's order."""
        return [i for i in self.items if i.module == module]


def parse_catalogue(doc: Mapping[str, Any], standard: Standard) -> Catalogue:
    """Return the item catalogue of its JSON document (ValueError: malformed, an unknown module, an item twice)."""
    modules = {m for m, _, _ in standard.modules}
    try:
        items: list[Item] = []
        for module, rows in dict(doc["modules"]).items():
            if module not in modules:
                raise ValueError(f"unknown module {module!r}")
            for row in rows:
                item = Item(str(module), str(row["item"]).strip(), str(row["text_zh"]), str(row["text_en"]))
                if not item.item or any((i.module, i.item) == (item.module, item.item) for i in items):
                    raise ValueError(f"item {item.item!r} of {module} is empty or repeats")
                items.append(item)
        return Catalogue(
            standard=str(doc["standard"]),
            verified=bool(doc.get("verified")),
            provenance=str(doc.get("provenance") or ""),
            items=tuple(items),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"malformed AEO item catalogue: {exc}") from exc


def shipped_catalogue() -> Catalogue:
    """Return the item catalogue shipped with the standard (``data/aeo-items-gacc-2022.json``; see PROVENANCE.md:
    no item is shipped until the official list is verified)."""
    text = (resources.files("cbec.credit") / "data" / "aeo-items-gacc-2022.json").read_text("utf-8")
    return parse_catalogue(json.loads(text), shipped_standard())


def _score(value: Any) -> int | str | None:
    """Return an item's score (0, -1, -2), None for n.a., or the text of a value that is neither."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    text = str(value).strip().lower()
    if text in NOT_APPLICABLE:
        return None
    try:
        return int(text)
    except ValueError:
        return text


def score(document: Any, standard: Standard) -> tuple[AeoScoreRead | None, list[Problem]]:
    """Score a self-assessment: ``{"items": [{"module", "item", "score"}, ...]}`` (or the list itself)."""
    rows = document.get("items") if isinstance(document, Mapping) else document
    if not isinstance(rows, Sequence) or isinstance(rows, str) or not rows:
        return None, [
            problem(
                "CRD-AEO-EMPTY",
                "items",
                "自评表没有条目",
                "the self-assessment has no items",
                'Give {"items": [{"module", "item", "score"}]}.',
            )
        ]
    modules = {m for m, _, _ in standard.modules}
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    scored: list[tuple[str, int | None]] = []
    for i, row in enumerate(rows):
        where = f"items[{i}]"
        if not isinstance(row, Mapping):
            problems.append(
                problem("CRD-AEO-ITEM", where, "条目应为对象", "an item is an object", "module, item, score.")
            )
            continue
        module, item = str(row.get("module") or "").strip(), str(row.get("item") or "").strip()
        if module not in modules:
            problems.append(
                problem(
                    "CRD-AEO-MODULE",
                    where + ".module",
                    f"未知模块: {module}",
                    f"unknown module {module!r}",
                    f"Use one of: {', '.join(sorted(modules))}.",
                )
            )
        if not item:
            problems.append(problem("CRD-AEO-ITEM", where + ".item", "缺少条目编号", "item is required", "E.g. 1.2."))
        elif (module, item) in seen:
            problems.append(
                problem("CRD-AEO-DUPLICATE", where + ".item", f"条目重复: {item}", "the item repeats", "Once each.")
            )
        seen.add((module, item))
        value = _score(row.get("score"))
        if isinstance(value, str) or (value is not None and value not in standard.scores):
            problems.append(
                problem(
                    "CRD-AEO-SCORE",
                    where + ".score",
                    f"评分无效: {row.get('score')}",
                    f"score {row.get('score')!r} is not 0, -1, -2 or n.a.",
                    "达标 0, 基本达标 -1, 不达标 -2, 不适用 n.a.",
                )
            )
            continue
        scored.append((module, value))
    if problems:
        return None, problems
    reads = []
    for module, zh, en in standard.modules:
        values = [v for m, v in scored if m == module]
        counted = [v for v in values if v is not None]
        reads.append(
            AeoModuleRead(
                module=module,
                name_zh=zh,
                name_en=en,
                items=len(values),
                not_applicable=len(values) - len(counted),
                meets=counted.count(0),
                basically_meets=counted.count(-1),
                fails=counted.count(-2),
                total=sum(counted),
            )
        )
    total = standard.base + sum(m.total for m in reads)
    fails = sum(m.fails for m in reads)
    basic = sum(m.basically_meets for m in reads if m.module in standard.basically_meets_modules)
    reasons = []
    if fails > standard.max_fails:
        reasons.append(f"fails: {fails} item(s) 不达标, at most {standard.max_fails} allowed")
    if basic > standard.max_basically_meets:
        reasons.append(
            f"basically_meets: {basic} item(s) 基本达标 in {', '.join(sorted(standard.basically_meets_modules))}, "
            f"at most {standard.max_basically_meets} allowed"
        )
    if total < standard.min_score:
        reasons.append(f"score: {total} below {standard.min_score}")
    return AeoScoreRead(
        standard=f"{standard.code}@{standard.version}",
        legal_basis=standard.legal_basis,
        score=total,
        passed=not reasons,
        reasons=reasons,
        modules=reads,
    ), []
