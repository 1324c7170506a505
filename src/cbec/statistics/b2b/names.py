"""Is a foreign buyer a company or a person? Name heuristics in several languages (pure).

A name with a legal form (Ltd, GmbH, LLC, Inc, S.A., S.r.l., B.V., 株式会社, 有限公司, 주식회사, ООО …) or a
trade word (Trading, Import, Industries …) is a company. Two to four plain words with no such mark, a title
(Mr, Frau, Mme …) or two to four CJK characters is a person. Anything else (one word, a long phrase) is unknown:
the evidence item is not given. Part of the method: ``NAME_RULES`` is in the method digest.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

NAME_RULES = "names-1"


class BuyerKind(StrEnum):
    """What the buyer's name says it is."""

    COMPANY = "company"
    PERSON = "person"
    UNKNOWN = "unknown"


# Legal forms, compared without dots ("S.r.l." → "srl"); only after the first word, where legal forms stand.
_SUFFIXES = frozenset(
    (
        "ltd",
        "limited",
        "llc",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "mbh",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "sapa",
        "bv",
        "nv",
        "oy",
        "oyj",
        "ab",
        "as",
        "aps",
        "asa",
        "pty",
        "pte",
        "bhd",
        "kk",
        "ltda",
        "sl",
        "slu",
        "sro",
        "kft",
        "zrt",
        "bt",
        "ooo",
        "llp",
        "lp",
        "jsc",
        "pjsc",
        "ojsc",
        "cjsc",
        "co",
        "company",
        "sociedad",
        "societe",
        "société",
        "gesellschaft",
        "ek",
        "eirl",
        "sccl",
        "spzoo",
        "doo",
        "dd",
        "ad",
        "eood",
        "kabushiki",
        "kaisha",
    )
)
# Legal forms that stand first: PT Maju Jaya, OOO Romashka, 株式会社 at either end.
_PREFIXES = frozenset({"pt", "cv", "ooo", "ооо", "зао", "оао", "ао", "ип"})
# Words of a trade name (a person is rarely called "Trading").
_TRADE_WORDS = frozenset(
    (
        "trading",
        "trade",
        "traders",
        "import",
        "imports",
        "export",
        "exports",
        "industries",
        "industrial",
        "industry",
        "holdings",
        "holding",
        "group",
        "enterprises",
        "enterprise",
        "international",
        "intl",
        "supplies",
        "supply",
        "wholesale",
        "distribution",
        "distributors",
        "logistics",
        "handel",
        "handelsgesellschaft",
        "commerce",
        "commercial",
        "store",
        "stores",
        "shop",
        "retail",
        "manufacturing",
        "solutions",
        "technologies",
        "technology",
        "tech",
        "electronics",
        "partners",
    )
)
_CJK_COMPANY = (
    "株式会社",
    "有限会社",
    "合同会社",
    "(株)",
    "（株）",
    "有限公司",
    "公司",
    "商事",
    "商会",
    "集团",
    "주식회사",
    "(주)",
)
_MULTIWORD = (re.compile(r"\bsp z o ?o\b"), re.compile(r"\bsdn bhd\b"), re.compile(r"\bs de r ?l\b"))
_TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "herr", "frau", "mme", "mlle", "m", "sr", "sra", "sig", "signora"}
)
_WORD = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*$")


# Han (CJK unified ideographs and extension A), hiragana, katakana, hangul syllables.
_CJK = re.compile(r"^[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+$")
_PUNCT = re.compile(r"[.,;:]")
_SPACES = re.compile(r"\s+")


def buyer_kind(name: str) -> BuyerKind:
    """Return whether a consignee name is a company's, a person's, or cannot be told."""
    text = unicodedata.normalize("NFKC", name).strip()
    if not text:
        return BuyerKind.UNKNOWN
    if any(mark in text for mark in _CJK_COMPANY):
        return BuyerKind.COMPANY
    plain = _SPACES.sub(" ", _PUNCT.sub("", text.lower().replace("&", " "))).strip()
    if any(pattern.search(plain) for pattern in _MULTIWORD):
        return BuyerKind.COMPANY
    words = plain.split(" ")
    if words[0] in _PREFIXES and len(words) > 1:
        return BuyerKind.COMPANY
    if any(word in _SUFFIXES for word in words[1:]) or any(word in _TRADE_WORDS for word in words):
        return BuyerKind.COMPANY
    compact = text.replace(" ", "").replace("·", "")
    if _CJK.match(compact):
        return BuyerKind.PERSON if 2 <= len(compact) <= 4 else BuyerKind.UNKNOWN
    if words[0] in _TITLES and len(words) > 1:
        return BuyerKind.PERSON
    if 2 <= len(words) <= 4 and all(_WORD.match(word) for word in words):
        return BuyerKind.PERSON
    return BuyerKind.UNKNOWN
