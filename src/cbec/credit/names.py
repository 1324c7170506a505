"""Enterprise names for negative-list screening (名单筛查): normalisation and comparison keys (pure rules).

A name is folded (NFKC: full width to half width; case-folded; traditional to simplified characters by the
shipped OpenCC character table ``data/ts-characters.csv``; bracketed region words dropped; punctuation and
spaces removed), then its **core** (字号) is what remains once the region prefixes and the legal-form and
industry suffixes of ``data/name-affixes.json`` are stripped (有限公司, 贸易, 科技, (中国), 海南, 海口市 …).
Each character of the core has a toneless pinyin syllable (pypinyin, one reading per character so that a
query and an entry always get the same one); homophone variants (a pinyin input-method slip) share it.

Nothing here reads the database or the clock: the same name always gives the same key.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pypinyin import Style, lazy_pinyin

DATA = Path(__file__).parent / "data"
MIN_CORE = 2  # a core is never stripped below two characters
MAX_NAME = 200  # credit_subject.name holds 200 characters

_BRACKETS = re.compile(r"[(\[{<【〔《]([^)\]}>】〕》]*)[)\]}>】〕》]")
_KEEP = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff]")


@dataclass(frozen=True)
class Affixes:
    """The words stripped from names: legal forms and industries (suffixes), regions (prefixes)."""

    suffixes: tuple[str, ...]
    regions: tuple[str, ...]


@dataclass(frozen=True)
class NameKey:
    """The comparison keys of one name."""

    surface: str  # NFKC and case-folded, spaces and punctuation removed: the name as written
    full: str  # folded: simplified characters, bracketed regions dropped
    core: str  # the trade name (字号): regions and suffixes stripped
    bag: str  # the core's characters sorted: word order does not count
    pinyin: tuple[str, ...]  # one toneless syllable per character of the core
    sound: str  # the syllables as one code point each (for rapidfuzz's string scorers)
    sound_bag: str  # those code points sorted: homophones and word order both leave it unchanged


@cache
def ts_table() -> dict[int, str]:
    """Return the traditional → simplified character table (OpenCC TSCharacters, first reading)."""
    with (DATA / "ts-characters.csv").open(encoding="utf-8", newline="") as handle:
        return {ord(row["traditional"]): row["simplified"] for row in csv.DictReader(handle)}


@cache
def st_table() -> dict[str, str]:
    """Return simplified → traditional (the first traditional form listed): for making variants, not matching."""
    inverse: dict[str, str] = {}
    for traditional, simplified in ts_table().items():
        inverse.setdefault(simplified, chr(traditional))
    return inverse


@cache
def affixes() -> Affixes:
    """Return the shipped affixes, each list longest word first."""
    data = json.loads((DATA / "name-affixes.json").read_text(encoding="utf-8"))

    def longest_first(words: list[str]) -> tuple[str, ...]:
        return tuple(sorted({fold_text(w) for w in words}, key=lambda w: (-len(w), w)))

    return Affixes(
        suffixes=longest_first(data["legal_forms"] + data["industries"]), regions=longest_first(data["regions"])
    )


def fold_text(text: str) -> str:
    """Return text in NFKC, case-folded, in simplified characters, with only letters, digits and Han kept."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(ts_table())
    return "".join(_KEEP.findall(folded))


def _surface(text: str) -> str:
    return "".join(_KEEP.findall(unicodedata.normalize("NFKC", text).casefold()))


def _drop_bracketed_regions(text: str, regions: tuple[str, ...]) -> str:
    """Drop a bracketed part that is only a region (海南蓝海(中国)贸易 → 海南蓝海贸易); keep others' words."""

    def replace(match: re.Match[str]) -> str:
        inner = fold_text(match.group(1))
        return "" if not inner or _strip_prefixes(inner, regions, 0) == "" else match.group(1)

    return _BRACKETS.sub(replace, unicodedata.normalize("NFKC", text))


def _by_length(words: tuple[str, ...]) -> list[tuple[int, frozenset[str]]]:
    lengths = sorted({len(w) for w in words}, reverse=True)
    return [(n, frozenset(w for w in words if len(w) == n)) for n in lengths]


@cache
def _buckets(words: tuple[str, ...]) -> list[tuple[int, frozenset[str]]]:
    return _by_length(words)


def _strip_prefixes(text: str, words: tuple[str, ...], keep: int) -> str:
    """Strip the longest listed word from the front while at least ``keep`` characters remain."""
    buckets = _buckets(words)
    changed = True
    while changed:
        changed = False
        for size, found in buckets:
            if len(text) - size >= keep and text[:size] in found:
                text = text[size:]
                changed = True
                break
    return text


def _strip_suffixes(text: str, words: tuple[str, ...], keep: int) -> str:
    """Strip the longest listed word from the end while at least ``keep`` characters remain."""
    buckets = _buckets(words)
    changed = True
    while changed:
        changed = False
        for size, found in buckets:
            if len(text) - size >= keep and text[-size:] in found:
                text = text[:-size]
                changed = True
                break
    return text


def core_of(full: str) -> str:
    """Return the trade name of a folded name: region prefixes and legal-form, industry and region suffixes
    stripped, never below two characters."""
    found = affixes()
    core = full
    while True:
        before = core
        core = _strip_prefixes(core, found.regions, MIN_CORE)
        core = _strip_suffixes(core, found.suffixes, MIN_CORE)
        core = _strip_suffixes(core, found.regions, MIN_CORE)  # 蓝海贸易有限公司海口分公司
        if core == before:
            return core


@cache
def syllable(char: str) -> str:
    """Return a character's toneless pinyin (the character itself when it is not Han)."""
    if not _CJK.fullmatch(char):
        return char
    return lazy_pinyin(char, style=Style.NORMAL)[0]


_CODES: dict[str, str] = {}


def syllable_code(value: str) -> str:
    """Return one private-use code point standing for a syllable (stable within a process)."""
    code = _CODES.get(value)
    if code is None:
        code = _CODES.setdefault(value, chr(0xF0000 + len(_CODES)))
    return code


def name_key(name: str) -> NameKey:
    """Return the comparison keys of a name."""
    full = fold_text(_drop_bracketed_regions(name, affixes().regions))
    core = core_of(full)
    pinyin = tuple(syllable(c) for c in core)
    sound = "".join(syllable_code(s) for s in pinyin)
    return NameKey(
        surface=_surface(name),
        full=full,
        core=core,
        bag="".join(sorted(core)),
        pinyin=pinyin,
        sound=sound,
        sound_bag="".join(sorted(sound)),
    )
