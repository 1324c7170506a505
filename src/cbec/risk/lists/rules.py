"""External lists (外部名单), pure: the list file grammar with every problem found, and the screening of an
inventory's goods lines against the entries in force on its business day.

Kinds and their entry fields (``valid_from`` required, ``valid_to`` inclusive or null, dates ``YYYY-MM-DD``):

* ``ipr`` 知识产权海关保护备案: ``brand``, ``aliases`` (other names, e.g. the Chinese one), ``owner``,
  ``authorised`` (enterprise codes allowed to sell the brand), ``hs_chapters`` (two digits; empty: every chapter);
* ``recall`` 缺陷产品召回: ``brand`` and/or ``product`` (a keyword of the goods name), ``hs6``, ``reason``;
* ``prohibited`` 禁止进境物品: ``hs6`` and/or ``keywords``, ``reason``;
* ``watch`` 部门关注名单: ``enterprise`` (a customs or credit code), ``agency``, ``reason``. A case's confirmed
  proposal adds a watch entry too (``cbec.risk.lists.proposals``): on an enterprise or platform code as above, or on
  a person's pseudonymous key (``subject_kind`` buyer, phone or address and ``subject``), never a name or number.

A brand is matched against the goods name normalised (NFKC, case-folded, letters and digits only): a recorded name
inside the goods name scores 100 (exact); otherwise, for names of four characters or more, rapidfuzz's
``partial_ratio`` (the best-aligned substring), so look-alikes such as ``N0RDLYS`` score high too (85.7); a score
under 60 counts as 0.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from rapidfuzz import fuzz

from cbec.common.errors import Problem
from cbec.risk.errors import RiskInvalid, problem


class ListKind(StrEnum):
    """The external lists the risk rules read."""

    IPR = "ipr"  # 知识产权备案
    RECALL = "recall"  # 召回
    PROHIBITED = "prohibited"  # 禁止进境
    WATCH = "watch"  # 部门关注名单


FUZZY_MIN_LENGTH = 4  # shorter names match exactly only (a three-letter brand is inside too many words)
FUZZY_FLOOR = 60  # a look-alike score below this is no resemblance: 0 (a trace shows no noise)
_TEXT = {
    ListKind.IPR: ("brand", "owner"),
    ListKind.RECALL: ("reason",),
    ListKind.PROHIBITED: ("reason",),
    ListKind.WATCH: ("enterprise", "agency", "reason"),
}


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One entry as loaded: its kind, what it is about, its validity and its fields."""

    kind: ListKind
    key: str
    valid_from: date
    valid_to: date | None
    data: Mapping[str, Any]

    def in_force(self, day: date) -> bool:
        """Tell whether the entry applies on a business day."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class ParsedList:
    """A checked list file."""

    kind: ListKind
    provenance: str
    sha256: str
    entries: tuple[ListEntry, ...]


def normalise(text: str) -> str:
    """Return a name folded for matching: NFKC, case-folded, letters and digits only (CJK kept)."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def _bad(where: str, zh: str, en: str, hint: str, rule: str = "RSK-LIST-FIELD") -> Problem:
    return problem(rule, where, zh, en, hint)


def _day(raw: Any, where: str, problems: list[Problem]) -> date | None:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        problems.append(_bad(where, "日期无效", "not a date", "Write the date as YYYY-MM-DD."))
        return None


def _strings(raw: Any, where: str, problems: list[Problem]) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        problems.append(_bad(where, "应为非空字符串列表", "must be a list of non-empty strings", 'Give ["…", "…"].'))
        return []
    return [x.strip() for x in raw]


def _code(raw: Any) -> bool:
    return isinstance(raw, str) and raw.isalnum() and len(raw) in (10, 18)


def _hs6(raw: Any) -> bool:
    return isinstance(raw, str) and len(raw) == 6 and raw.isdigit()


def _fields(kind: ListKind, raw: Mapping[str, Any], where: str, problems: list[Problem]) -> tuple[str, dict[str, Any]]:
    before = len(problems)
    for name in _TEXT[kind]:
        if name in ("reason",) and raw.get(name) is None:
            continue
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            problems.append(_bad(f"{where}.{name}", "缺少或为空", "missing or empty", f"Give the {name}."))
    data: dict[str, Any] = {k: str(raw[k]).strip() for k in _TEXT[kind] if isinstance(raw.get(k), str)}
    if kind is ListKind.IPR:
        data["aliases"] = _strings(raw.get("aliases"), f"{where}.aliases", problems)
        data["authorised"] = _strings(raw.get("authorised"), f"{where}.authorised", problems)
        data["hs_chapters"] = _strings(raw.get("hs_chapters"), f"{where}.hs_chapters", problems)
        if not all(_code(c) for c in data["authorised"]):
            problems.append(_bad(f"{where}.authorised", "企业编码无效", "not enterprise codes", "10 or 18 characters."))
        if not all(len(c) == 2 and c.isdigit() for c in data["hs_chapters"]):
            problems.append(_bad(f"{where}.hs_chapters", "章号无效", "not HS chapters", 'Two digits, e.g. "33".'))
        key = data.get("brand", "")
    elif kind is ListKind.WATCH:
        if "enterprise" in data and not _code(data["enterprise"]):
            problems.append(_bad(f"{where}.enterprise", "企业编码无效", "not an enterprise code", "10 or 18 chars."))
        key = data.get("enterprise", "")
    else:
        hs6 = raw.get("hs6")
        if hs6 is not None and not _hs6(hs6):
            problems.append(_bad(f"{where}.hs6", "HS6 无效", "not an HS6 code", "Six digits, e.g. 190110."))
        data["hs6"] = hs6
        if kind is ListKind.RECALL:
            for name in ("brand", "product"):
                data[name] = str(raw[name]).strip() if isinstance(raw.get(name), str) and raw[name].strip() else None
            if hs6 is None or (data["brand"] is None and data["product"] is None):
                problems.append(
                    _bad(where, "召回需 HS6 及品牌或品名", "a recall needs hs6 and a brand or product", "Give both.")
                )
            key = f"{data['brand'] or data['product']} {hs6}"
        else:
            data["keywords"] = _strings(raw.get("keywords"), f"{where}.keywords", problems)
            if hs6 is None and not data["keywords"]:
                problems.append(_bad(where, "需 HS6 或关键词", "needs hs6 or keywords", "Give one of them."))
            key = str(hs6 or "/".join(data["keywords"]))
    return (key if len(problems) == before else ""), data


def parse_list(text: str, kind: ListKind) -> ParsedList:
    """Parse and check a list file (JSON) of a kind; raise ``RiskInvalid`` listing every problem found."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RiskInvalid(
            "bad list", problems=[problem("RSK-LIST-JSON", "list", "不是有效的 JSON", "not valid JSON", str(exc))]
        ) from exc
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        raw = {}
        problems.append(_bad("list", "应为对象", "must be an object", '{"kind", "provenance", "entries"}.'))
    if raw.get("kind", kind.value) != kind.value:
        problems.append(
            _bad(
                "kind",
                "文件类型与 --kind 不符",
                "the file's kind is not --kind",
                "Load it as its kind.",
                "RSK-LIST-KIND",
            )
        )
    provenance = raw.get("provenance")
    if not isinstance(provenance, str) or not provenance.strip():
        problems.append(
            _bad("provenance", "缺少来源说明", "no provenance", "Say where the list comes from.", "RSK-LIST-PROVENANCE")
        )
    items = raw.get("entries")
    if not isinstance(items, list) or not items:
        problems.append(_bad("entries", "没有条目", "no entries", "Give at least one entry.", "RSK-LIST-EMPTY"))
        items = []
    entries: list[ListEntry] = []
    seen: set[tuple[str, date | None]] = set()
    for n, item in enumerate(items):
        where = f"entries[{n}]"
        if not isinstance(item, dict):
            problems.append(_bad(where, "应为对象", "must be an object", "Give the entry's fields."))
            continue
        start = _day(item.get("valid_from"), f"{where}.valid_from", problems)
        end = None if item.get("valid_to") is None else _day(item["valid_to"], f"{where}.valid_to", problems)
        if start is not None and end is not None and end < start:
            problems.append(
                _bad(
                    f"{where}.valid_to",
                    "止日早于起日",
                    "ends before it starts",
                    "valid_to ≥ valid_from.",
                    "RSK-LIST-DATES",
                )
            )
        key, data = _fields(kind, item, where, problems)
        if (key.casefold(), start) in seen:
            problems.append(_bad(where, "条目重复", "duplicate entry", "Give each entry once.", "RSK-LIST-DUPLICATE"))
        seen.add((key.casefold(), start))
        if key and start is not None:
            entries.append(ListEntry(kind, key, start, end, data))
    if problems:
        raise RiskInvalid("bad list", problems=problems)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return ParsedList(kind, str(provenance).strip(), digest, tuple(entries))


# --- screening ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoodsLine:
    """What screening reads of a goods line."""

    hs_code: str
    goods_name: str


def brand_score(names: Iterable[str], goods_name: str) -> Decimal:
    """Return how well any of a brand's names matches a goods name: 100 exact, else partial_ratio (one decimal)."""
    text = normalise(goods_name)
    best = 0.0
    for name in (normalise(n) for n in names):
        if not name:
            continue
        if name in text:
            return Decimal(100)
        if len(name) >= FUZZY_MIN_LENGTH:
            best = max(best, fuzz.partial_ratio(name, text))
    return Decimal(str(best)).quantize(Decimal("0.1"), ROUND_HALF_UP) if best >= FUZZY_FLOOR else Decimal(0)


def _brand_names(data: Mapping[str, Any]) -> list[str]:
    return [data["brand"], *data.get("aliases", [])]


def ipr_score(entries: Sequence[ListEntry], lines: Sequence[GoodsLine], seller: str) -> Decimal:
    """Return the best match of a goods line with a recorded brand the seller is not authorised for (0: none)."""
    best = Decimal(0)
    for entry in entries:
        if seller in entry.data.get("authorised", []):
            continue
        chapters = entry.data.get("hs_chapters") or []
        for line in lines:
            if not chapters or line.hs_code[:2] in chapters:
                best = max(best, brand_score(_brand_names(entry.data), line.goods_name))
    return best


def recall_hit(entries: Sequence[ListEntry], lines: Sequence[GoodsLine]) -> bool:
    """Tell whether a line matches a recall: its HS6, and the recalled brand and product keyword in its name."""
    for entry, line in ((e, g) for e in entries for g in lines):
        brand, product = entry.data.get("brand"), entry.data.get("product")
        if line.hs_code[:6] != entry.data["hs6"]:
            continue
        if brand is not None and brand_score([brand], line.goods_name) < 100:
            continue
        if product is None or normalise(product) in normalise(line.goods_name):
            return True
    return False


def prohibited_hit(entries: Sequence[ListEntry], lines: Sequence[GoodsLine]) -> bool:
    """Tell whether a line is prohibited: its HS6 is listed, or a listed keyword is in its name."""
    for entry, line in ((e, g) for e in entries for g in lines):
        if entry.data.get("hs6") is not None and line.hs_code[:6] == entry.data["hs6"]:
            return True
        if any(normalise(k) in normalise(line.goods_name) for k in entry.data.get("keywords", [])):
            return True
    return False


def watched(entries: Sequence[ListEntry], parties: Iterable[str], subjects: Mapping[str, str] | None = None) -> bool:
    """Tell whether one of the inventory's parties (an entry's ``enterprise`` code) or one of its subjects (an
    entry's ``subject_kind`` and pseudonymous ``subject`` key: buyer, phone, address …) is on a watch list."""
    codes = {e.data["enterprise"] for e in entries if "enterprise" in e.data}
    if any(p in codes for p in parties):
        return True
    mine = subjects or {}
    return any("subject" in e.data and mine.get(e.data["subject_kind"]) == e.data["subject"] for e in entries)


def screen(
    entries: Sequence[ListEntry],
    lines: Sequence[GoodsLine],
    *,
    seller: str,
    parties: Iterable[str],
    day: date,
    subjects: Mapping[str, str] | None = None,
) -> dict[str, Decimal | None]:
    """Return the document inputs the lists give (``doc.ipr_score`` …) from the entries in force on the day; None
    for a kind of which no list is loaded (unknown, never a silent 0). ``subjects``: the inventory's pseudonymous
    subject keys by kind (a case's watch-list entry on a buyer, phone or address key matches them)."""
    loaded = {entry.kind for entry in entries}
    by_kind: dict[ListKind, list[ListEntry]] = {kind: [] for kind in ListKind}
    for entry in entries:
        if entry.in_force(day):
            by_kind[entry.kind].append(entry)

    def flag(kind: ListKind, hit: bool) -> Decimal | None:
        return Decimal(int(hit)) if kind in loaded else None

    return {
        "doc.ipr_score": ipr_score(by_kind[ListKind.IPR], lines, seller) if ListKind.IPR in loaded else None,
        "doc.recall_hit": flag(ListKind.RECALL, recall_hit(by_kind[ListKind.RECALL], lines)),
        "doc.prohibited_hit": flag(ListKind.PROHIBITED, prohibited_hit(by_kind[ListKind.PROHIBITED], lines)),
        "doc.watched": flag(ListKind.WATCH, watched(by_kind[ListKind.WATCH], parties, subjects)),
    }
