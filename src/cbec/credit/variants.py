"""A seeded, labelled variant set for measuring negative-list screening (pure; no database).

Entries are synthetic enterprise names: an optional region, a trade name (字号) of two or three two-character
words, an optional industry word and a legal form. The words are drawn from the 3,755 common characters of
GB 2312 level 1 (a vocabulary of 30,000 words by default). Each **true pair** is an entry and one variant of it made by
one of five transformations, in turn:

* ``traditional`` — the name written in traditional characters (at least one character of the trade name
  changes);
* ``homophone`` — one character of the trade name replaced by another with the same toneless pinyin (the slip a
  pinyin input method makes);
* ``word_order`` — the trade name's words in another order, the region sometimes moved into brackets after it;
* ``suffix`` — region, industry or legal form dropped or changed (海南蓝海贸易有限公司 → 蓝海有限责任公司);
* ``typo`` — a character of the trade name dropped, doubled, or swapped with its neighbour.

Each **hard negative** keeps an entry's region, industry and legal form and replaces one word of its trade name
(two words of a three-word name) by a word with no character and no syllable in common — so it shares the
suffixes and part of the trade name but names another enterprise. It is never another entry, another entry's
words in another order, nor their homophone. A few variants are also written in full-width forms or with
spaces. Everything follows from the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from cbec.credit.names import st_table, syllable
from cbec.credit.screening import THRESHOLD, TOP_BAND, ScreeningIndex

REGIONS = ("海南", "海南省", "海口", "海口市", "三亚", "洋浦", "上海", "深圳", "广州", "杭州")
INDUSTRIES = ("贸易", "科技", "电子商务", "进出口", "供应链管理", "国际贸易", "商贸", "网络科技")
FORMS = ("有限公司", "有限责任公司", "股份有限公司")
KINDS = ("traditional", "homophone", "word_order", "suffix", "typo")
_FULL_WIDTH = str.maketrans("()", "()")


@dataclass(frozen=True)
class Parts:
    """The parts of a synthetic name."""

    region: str
    words: tuple[str, ...]
    industry: str
    form: str

    @property
    def name(self) -> str:
        """Return the name the parts make."""
        return self.region + "".join(self.words) + self.industry + self.form


@dataclass(frozen=True)
class Case:
    """One labelled query: its text, the entry it names (None for a hard negative) and how it was made."""

    query: str
    entry: int | None
    kind: str


@cache
def _pool() -> str:
    """Return the 3,755 most common Han characters (GB 2312 level 1, rows 16–55), in code order."""
    chars = []
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # the unassigned tail of row 55
    return "".join(chars)


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """Return distinct two-character words over the pool (no repeated character in a word)."""
    chars = _pool()
    words: dict[str, None] = {}
    while len(words) < size:
        a, b = rng.sample(chars, 2)
        words.setdefault(a + b, None)
    return list(words)


def entries(count: int, seed: int = 17, vocabulary_size: int = 30_000) -> list[Parts]:
    """Return ``count`` entries with distinct trade names (no two the same words, in any order)."""
    rng = random.Random(seed)
    words = vocabulary(vocabulary_size, rng)
    seen: set[tuple[str, ...]] = set()
    made: list[Parts] = []
    while len(made) < count:
        picked = tuple(rng.sample(words, 2 if rng.random() < 0.6 else 3))
        bag = tuple(sorted(picked))
        if bag in seen:
            continue
        seen.add(bag)
        made.append(
            Parts(
                region=rng.choice(REGIONS) if rng.random() < 0.7 else "",
                words=picked,
                industry=rng.choice(INDUSTRIES) if rng.random() < 0.8 else "",
                form=rng.choice(FORMS),
            )
        )
    return made


@cache
def homophones() -> dict[str, list[str]]:
    """Return, per pool character, the other pool characters with the same toneless syllable."""
    by_sound: dict[str, list[str]] = {}
    for char in _pool():
        by_sound.setdefault(syllable(char), []).append(char)
    return {c: [o for o in by_sound[syllable(c)] if o != c] for c in _pool()}


def _traditional(parts: Parts) -> str | None:
    table = st_table()
    core = "".join(parts.words)
    if not any(c in table for c in core):
        return None
    return "".join(table.get(c, c) for c in parts.name)


def _homophone(parts: Parts, rng: random.Random, sounds: dict[str, list[str]]) -> str | None:
    core = list("".join(parts.words))
    places = [i for i, c in enumerate(core) if sounds.get(c)]
    if not places:
        return None
    i = rng.choice(places)
    core[i] = rng.choice(sounds[core[i]])
    return parts.region + "".join(core) + parts.industry + parts.form


def _word_order(parts: Parts, rng: random.Random) -> str:
    words = list(parts.words)
    while tuple(words) == parts.words:
        rng.shuffle(words)
    core = "".join(words)
    if parts.region and rng.random() < 0.5:
        return f"{core}({parts.region}){parts.industry}{parts.form}"
    return parts.region + core + parts.industry + parts.form


def _suffix(parts: Parts, rng: random.Random) -> str:
    core = "".join(parts.words)
    other_form = rng.choice([f for f in FORMS if f != parts.form])
    other_industry = rng.choice([i for i in INDUSTRIES if i != parts.industry])
    options = [
        core + parts.form,  # region and industry dropped
        parts.region + core + other_form,  # industry dropped, another legal form
        parts.region + core + other_industry + "集团" + parts.form,
        core + other_industry + other_form,
    ]
    return rng.choice([o for o in options if o != parts.name])


def _typo(parts: Parts, rng: random.Random) -> str:
    core = list("".join(parts.words))
    choice = rng.randrange(3) if len(core) >= 4 else 1
    i = rng.randrange(len(core) - 1)
    if choice == 0:
        del core[i]
    elif choice == 1:
        core.insert(i, core[i])
    else:
        core[i], core[i + 1] = core[i + 1], core[i]
    return parts.region + "".join(core) + parts.industry + parts.form


def variant(parts: Parts, kind: str, rng: random.Random, sounds: dict[str, list[str]]) -> str | None:
    """Return a variant of an entry made by one transformation (None when it cannot apply to this entry)."""
    if kind == "traditional":
        made = _traditional(parts)
    elif kind == "homophone":
        made = _homophone(parts, rng, sounds)
    elif kind == "word_order":
        made = _word_order(parts, rng)
    elif kind == "suffix":
        made = _suffix(parts, rng)
    else:
        made = _typo(parts, rng)
    if made is not None and rng.random() < 0.1:
        made = made.translate(_FULL_WIDTH).replace(parts.form, " " + parts.form)  # width and spacing noise
    return made


def _negative(
    parts: Parts, rng: random.Random, words: list[str], taken: set[tuple[str, ...]], sounds: set[tuple[str, ...]]
) -> str | None:
    core = list(parts.words)
    replace = rng.sample(range(len(core)), 1 if len(core) == 2 else 2)
    for i in replace:
        old = core[i]
        for _ in range(50):
            new = rng.choice(words)
            if not set(new) & set("".join(parts.words)) and not {syllable(c) for c in new} & {
                syllable(c) for c in "".join(parts.words)
            }:
                core[i] = new
                break
        if core[i] == old:
            return None
    key = tuple(sorted(core))
    sound = tuple(sorted(syllable(c) for c in "".join(core)))
    if key in taken or sound in sounds:
        return None
    return parts.region + "".join(core) + parts.industry + parts.form


def variant_set(entry_list: list[Parts], pairs: int, negatives: int, seed: int = 17) -> list[Case]:
    """Return ``pairs`` true pairs (cycling through the five kinds) and ``negatives`` hard negatives, built from
    the first entries of the list and checked against all of them."""
    rng = random.Random(seed)
    sounds = homophones()
    words = sorted({w for p in entry_list for w in p.words})
    taken = {tuple(sorted(p.words)) for p in entry_list}
    taken_sounds = {tuple(sorted(syllable(c) for c in "".join(p.words))) for p in entry_list}
    cases: list[Case] = []
    made = failed = i = 0
    while made < pairs:
        position = i % len(entry_list)
        kind = KINDS[made % len(KINDS)]
        query = variant(entry_list[position], kind, rng, sounds)
        i += 1
        failed = 0 if query is not None else failed + 1
        if failed > len(entry_list):
            raise ValueError(f"no entry admits a {kind} variant")
        if query is not None:
            cases.append(Case(query, position, kind))
            made += 1
    made = failed = 0
    while made < negatives:
        query = _negative(entry_list[i % len(entry_list)], rng, words, taken, taken_sounds)
        i += 1
        failed = 0 if query is not None else failed + 1
        if failed > len(entry_list):
            raise ValueError("no entry admits a hard negative")
        if query is not None:
            cases.append(Case(query, None, "negative"))
            made += 1
    return cases


@dataclass(frozen=True)
class Measure:
    """How screening did on a variant set at a threshold (alerts are (query, entry) pairs at or above it)."""

    pairs: int
    negatives: int
    found: int  # true pairs whose entry was among the query's hits
    alerts: int
    correct: int  # alerts naming the entry the query was made from
    top_band: int  # alerts at or above the top band
    missed: dict[str, int]  # true pairs not found, per kind

    @property
    def recall(self) -> float:
        """Return the share of true pairs found."""
        return self.found / self.pairs if self.pairs else 0.0

    @property
    def precision(self) -> float:
        """Return the share of alerts that are true pairs."""
        return self.correct / self.alerts if self.alerts else 0.0

    @property
    def top_share(self) -> float:
        """Return the share of alerts in the top band."""
        return self.top_band / self.alerts if self.alerts else 0.0


def measure(index: ScreeningIndex, cases: list[Case], threshold: float = THRESHOLD) -> Measure:
    """Screen every case's query against an index whose refs are entry positions and count the outcome."""
    found = alerts = correct = top = 0
    missed: dict[str, int] = {}
    for case in cases:
        hits = index.screen(case.query, threshold=threshold, limit=50)
        alerts += len(hits)
        top += sum(1 for h in hits if h.score >= TOP_BAND)
        hit = case.entry is not None and any(h.ref == case.entry for h in hits)
        correct += 1 if hit else 0
        found += 1 if hit else 0
        if case.entry is not None and not hit:
            missed[case.kind] = missed.get(case.kind, 0) + 1
    pairs = sum(1 for c in cases if c.entry is not None)
    return Measure(pairs, len(cases) - pairs, found, alerts, correct, top, missed)
