"""Geography (地理位置): where a GB/T 2260 place and a customs district are, and how far apart two places lie.

Pure and read-only: two small tables shipped in ``data/geography/`` (provenance in its ``PROVENANCE.md``), read
once per process.

* ``places.csv``: every province-level and prefecture-level division of GB/T 2260 (and the county-level cities
  a province administers directly, e.g. 济源市 419001) with the latitude and longitude of its seat.
* ``customs.csv``: the 42 direct customs (直属海关) by the first two digits of a 4-digit customs district code
  (关区代码: 22 Shanghai, 51 Guangzhou, 53 Shenzhen …) with the GB/T 2260 prefecture of their seat, so the
  release point of an inventory is known from its customs code — to the seat of its direct customs, which for
  the largest districts (Urumqi, Hohhot, Harbin, Kunming) may lie hundreds of kilometres from the office.

``region_of_address`` reads the leading province and prefecture names of a consignee address (广东省深圳市…,
深圳市…, 北京市朝阳区…, short forms such as 广东深圳) and returns the prefecture's code; it keeps nothing of
the address. Used by intake (``cbec.facts``) when an order names no district, and by risk for distances.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources

EARTH_KM = 6371.0088  # the mean Earth radius (IUGG)
MUNICIPALITIES = {"11": "110100", "12": "120100", "31": "310100", "50": "500100"}  # 直辖市: one city area each
_COUNTRY_PREFIXES = ("中华人民共和国", "中国")
# ethnic names an autonomous prefecture or county carries after its place name (dropped for the short form)
_ETHNIC = (
    "朝鲜族",
    "土家族",
    "苗族",
    "藏族",
    "羌族",
    "彝族",
    "布依族",
    "侗族",
    "哈尼族",
    "壮族",
    "傣族",
    "白族",
    "景颇族",
    "傈僳族",
    "回族",
    "黎族",
    "蒙古族",
    "蒙古",
    "柯尔克孜",
    "哈萨克",
)
_NOT_WORD = re.compile(r"[\W_]+")
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "地区", "林区", "省", "市", "盟", "县")


@dataclass(frozen=True, slots=True)
class Place:
    """A GB/T 2260 division and the seat its distances are measured from."""

    code: str
    name: str
    level: str  # province | prefecture | county (a county-level city administered by its province)
    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class _Atlas:
    places: dict[str, Place]
    customs: dict[str, str]  # the first two digits of a customs district code -> the seat's place code
    leading: dict[str, str]  # a province's or prefecture's full name, or short name when unique, -> its code
    within: dict[str, dict[str, str]]  # province code -> its prefectures' full and short names -> code
    heads: dict[str, tuple[int, ...]]  # a name's first two characters -> the lengths of such names, longest first


def short_name(name: str) -> str:
    """Return the usual short form of a division's name: 广东省 → 广东, 延边朝鲜族自治州 → 延边, 喀什地区 → 喀什."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            name = name[: -len(suffix)]
            break
    trimmed = True
    while trimmed:
        trimmed = False
        for ethnic in _ETHNIC:
            if name.endswith(ethnic) and len(name) > len(ethnic) + 1:
                name, trimmed = name[: -len(ethnic)], True
    return name


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("cbec.reference").joinpath(f"data/geography/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def _atlas() -> _Atlas:
    places = {
        r["code"]: Place(r["code"], r["name_zh"], r["level"], float(r["lat"]), float(r["lng"]))
        for r in _rows("places.csv")
    }
    customs = {r["prefix"]: r["seat_code"] for r in _rows("customs.csv")}
    provinces: dict[str, str] = {}  # full and short names
    prefectures: dict[str, str] = {}  # full names
    shorts: dict[str, set[str]] = {}
    within: dict[str, dict[str, str]] = {}
    for p in places.values():
        if p.level == "province":
            provinces[p.name] = provinces[short_name(p.name)] = p.code
        elif p.code not in MUNICIPALITIES.values() and p.code != "500200":  # a municipality: by its province
            names = within.setdefault(p.code[:2] + "0000", {})
            aliases = [short_name(p.name)]
            if p.name.endswith("自治州"):
                aliases.append(aliases[0] + "州")  # 延边州, 黔西南州
            for alias in aliases:
                names.setdefault(alias, p.code)
                shorts.setdefault(alias, set()).add(p.code)
            names[p.name] = prefectures[p.name] = p.code
    unique = {s: codes.pop() for s, codes in shorts.items() if len(codes) == 1}
    # longer names are tried first; where a string is two names, a full name beats a short one, a province a
    # prefecture (吉林 the province, 吉林市 the prefecture; 海南 the province, 海南藏族自治州 the prefecture)
    leading = {**unique, **provinces, **prefectures}
    leading.update({name: code for name, code in provinces.items() if places[code].name == name})
    by_head: dict[str, set[int]] = {}
    for name in (*leading, *(n for names in within.values() for n in names)):
        by_head.setdefault(name[:2], set()).add(len(name))
    heads = {head: tuple(sorted(sizes, reverse=True)) for head, sizes in by_head.items()}
    return _Atlas(places, customs, leading, within, heads)


def place(code: str | None) -> Place | None:
    """Return the place of a GB/T 2260 code: itself, else its prefecture, else its province (None if unknown)."""
    if not code or len(code) != 6 or not code.isdigit():
        return None
    places = _atlas().places
    municipality = MUNICIPALITIES.get(code[:2])
    if municipality is not None and code[2:4] != "00":
        return places.get("500200" if code[:4] == "5002" else municipality)
    return places.get(code) or places.get(code[:4] + "00") or places.get(code[:2] + "0000")


def prefectures() -> tuple[Place, ...]:
    """Return every located prefecture-level division (and county-level city a province administers), by code."""
    return tuple(p for code, p in sorted(_atlas().places.items()) if p.level != "province")


def customs_place(customs_code: str | None) -> Place | None:
    """Return the seat of the direct customs a 4-digit customs district code belongs to (None if unknown)."""
    if not customs_code or len(customs_code) < 2:
        return None
    seat = _atlas().customs.get(customs_code[:2])
    return _atlas().places.get(seat) if seat else None


def distance_km(a: Place, b: Place) -> Decimal:
    """Return the great-circle (haversine) distance between two seats in km, half-up to 0.1 km."""
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lng, b.lat, b.lng))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    km = 2 * EARTH_KM * math.asin(math.sqrt(min(1.0, h)))
    return Decimal(repr(km)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _lead(text: str, names: dict[str, str], heads: dict[str, tuple[int, ...]]) -> tuple[str, str] | None:
    size = len(text)
    for n in heads.get(text[:2], ()):
        if n <= size:
            code = names.get(text[:n])
            if code is not None:
                return code, text[n:]
    return None


def _clean(address: str) -> str:
    head = unicodedata.normalize("NFKC", address[:30])  # a country, a province and a prefecture at most
    text = _NOT_WORD.sub("", head)
    for prefix in _COUNTRY_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def region_of_address(address: str | None) -> str | None:
    """Return the GB/T 2260 code of the prefecture an address starts with (a municipality's city area, e.g.
    110100; the province's code when only the province is named), or None when it names neither.

    Tried at the start, in order: a province's full name, a prefecture's full name, a province's short name, a
    prefecture's short name (only where no other prefecture shares it); after a province, a prefecture of that
    province by its full or short name. Pure; the address is not kept.
    """
    if not address:
        return None
    atlas = _atlas()
    text = _clean(address)
    found = _lead(text, atlas.leading, atlas.heads)
    if found is None:
        return None
    code, rest = found
    if code[2:] != "0000":
        return code  # a prefecture named first
    if code[:2] in MUNICIPALITIES:
        return MUNICIPALITIES[code[:2]]
    inner = _lead(rest, atlas.within.get(code, {}), atlas.heads)
    return inner[0] if inner is not None else code
