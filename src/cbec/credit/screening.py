"""Screening names and codes against negative lists (名单筛查): the graded score and the blocking index (pure).

**Exact identifiers first**: a credit code (USCC) or customs code equal to an entry's is a hit of score 1.0.
**Then the name**: candidates come from an inverted index of unordered character pairs of the core (adjacent
and one apart, so a swapped pair or a moved word still shares keys) and of the same pairs over pinyin syllables
(homophones); each query scores at most ``CANDIDATES`` of them with rapidfuzz (``process.cdist``). The score is
a weighted sum of features in [0, 1] (``WEIGHTS``), times ``NAME_CEILING`` so that a name alone never reaches an
identifier's 1.0; every hit lists its features, their values, weights and contributions. Because the surface
form, the full name and the core each count, variants grade apart instead of saturating at the top.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from cbec.credit.names import NameKey, name_key

WEIGHTS: tuple[tuple[str, float], ...] = (
    ("core", 0.15),  # edit similarity of the trade names (typos, dropped characters)
    ("order", 0.25),  # the trade names' characters as a bag (word order does not count)
    ("pinyin", 0.25),  # the trade names' toneless syllables as a bag (homophones, in any order)
    ("full", 0.10),  # edit similarity of the folded full names (legal form and industry count a little)
    ("surface", 0.15),  # edit similarity as written (traditional forms and width count a little)
    ("core_exact", 0.05),  # the trade names are identical
    ("length", 0.05),  # shorter over longer trade name
)
NAME_CEILING = 0.99  # a name never scores like an identifier
THRESHOLD = 0.72  # the alert threshold chosen on the seeded variant set (docs/credit.md, Screening)
TOP_BAND = 0.97  # the top review band: identifiers, and names identical but for script, width and punctuation
CANDIDATES = 300  # most candidates a query scores
STOP_POSTINGS = 50_000  # a key held by more entries than this is too common to block on (unless all are)
_PINYIN_TAG = 1 << 42
_COLUMNS = ("core", "bag", "sound_bag", "full", "surface")
_FEATURE_OF = {"core": "core", "bag": "order", "sound_bag": "pinyin", "full": "full", "surface": "surface"}


@dataclass(frozen=True)
class Entry:
    """One list entry to screen against: identifiers and, for enterprises, the name (persons: key only)."""

    ref: int  # the caller's handle (a fact id)
    name: str | None
    uscc: str | None = None
    customs_code: str | None = None
    person_key: str | None = None


@dataclass(frozen=True)
class Feature:
    """One feature of a hit: its value, weight and contribution to the score."""

    name: str
    value: float
    weight: float

    @property
    def contribution(self) -> float:
        """Return value × weight × the name ceiling."""
        return round(self.value * self.weight * NAME_CEILING, 4)


@dataclass(frozen=True)
class Hit:
    """An entry a query matched, with its score and why."""

    ref: int
    score: float
    matched: str  # "uscc", "customs_code", "person_key" or "name"
    features: tuple[Feature, ...] = field(default_factory=tuple)


def pair_keys(key: NameKey) -> set[int]:
    """Return the blocking keys of a name: unordered pairs of core characters (and of pinyin syllables) at
    distance one and two; a one-character core is keyed by itself."""
    chars = [ord(c) for c in key.core]
    sounds = [ord(c) for c in key.sound]
    found: set[int] = set()
    for seq, tag in ((chars, 0), (sounds, _PINYIN_TAG)):
        if len(seq) == 1:
            found.add(tag | seq[0] << 21 | seq[0])
        for gap in (1, 2):
            for i in range(len(seq) - gap):
                a, b = sorted((seq[i], seq[i + gap]))
                found.add(tag | a << 21 | b)
    return found


def features(query: NameKey, entry: NameKey) -> tuple[Feature, ...]:
    """Return the features of one comparison (the index computes the same in bulk)."""
    lengths = sorted((len(query.core), len(entry.core)))
    values = {
        "core": fuzz.ratio(query.core, entry.core) / 100,
        "order": fuzz.ratio(query.bag, entry.bag) / 100,
        "pinyin": fuzz.ratio(query.sound_bag, entry.sound_bag) / 100,
        "full": fuzz.ratio(query.full, entry.full) / 100,
        "surface": fuzz.ratio(query.surface, entry.surface) / 100,
        "core_exact": 1.0 if query.core == entry.core else 0.0,
        "length": lengths[0] / lengths[1] if lengths[1] else 0.0,
    }
    return tuple(Feature(name, values[name], weight) for name, weight in WEIGHTS)


def score_of(found: Sequence[Feature]) -> float:
    """Return the score of a name's features."""
    return round(NAME_CEILING * sum(f.value * f.weight for f in found), 4)


class ScreeningIndex:
    """Entries indexed for screening: identifiers in dictionaries, names in a CSR inverted index."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.refs: list[int] = []
        self.keys: list[NameKey] = []
        self.by_code: dict[tuple[str, str], list[int]] = {}
        self._cols: dict[str, list[str]] = {c: [] for c in _COLUMNS}
        lengths: list[int] = []
        key_parts = array("q")  # machine integers: a million entries make some 20 million postings
        id_parts = array("i")
        for entry in entries:
            for kind, value in (("uscc", entry.uscc), ("customs_code", entry.customs_code)):
                if value:
                    self.by_code.setdefault((kind, value), []).append(entry.ref)
            if entry.person_key:
                self.by_code.setdefault(("person_key", entry.person_key), []).append(entry.ref)
                continue  # a person is never screened by name
            key = name_key(entry.name) if entry.name else None
            if key is None or not key.core:
                continue
            pairs = pair_keys(key)
            key_parts.extend(pairs)
            id_parts.extend([len(self.refs)] * len(pairs))  # array.extend takes the list as machine ints
            self.refs.append(entry.ref)
            self.keys.append(key)
            for column in _COLUMNS:
                self._cols[column].append(getattr(key, column))
            lengths.append(len(key.core))
        self._lengths = np.array(lengths, dtype=np.float64)
        all_keys = np.frombuffer(key_parts, dtype=np.int64) if len(key_parts) else np.empty(0, dtype=np.int64)
        order = np.argsort(all_keys, kind="stable")
        sorted_keys = all_keys[order]
        self._postings = (np.frombuffer(id_parts, dtype=np.int32) if len(id_parts) else np.empty(0, np.int32))[order]
        self._keys, starts = np.unique(sorted_keys, return_index=True)
        self._starts = starts.astype(np.int64)
        self._ends = np.append(self._starts[1:], len(sorted_keys)).astype(np.int64)

    def __len__(self) -> int:
        return len(self.refs)

    def candidates(self, key: NameKey, limit: int = CANDIDATES) -> np.ndarray:
        """Return the positions of the entries sharing the most blocking keys with a name (at most ``limit``)."""
        wanted = np.array(sorted(pair_keys(key)), dtype=np.int64)
        if not len(wanted) or not len(self._keys):
            return np.empty(0, dtype=np.int32)
        at = np.searchsorted(self._keys, wanted)
        inside = at < len(self._keys)
        at = at[inside]
        at = at[self._keys[at] == wanted[inside]]
        if not len(at):
            return np.empty(0, dtype=np.int32)
        sizes = self._ends[at] - self._starts[at]
        common = sizes > STOP_POSTINGS
        at = at[np.argsort(sizes)[:1]] if common.all() else at[~common]
        found = np.concatenate([self._postings[self._starts[i] : self._ends[i]] for i in at])
        positions, counts = np.unique(found, return_counts=True)
        if len(positions) > limit:
            positions = positions[np.argpartition(-counts, limit - 1)[:limit]]
        return positions

    def score(self, key: NameKey, positions: np.ndarray) -> np.ndarray:
        """Return the scores of a name against entries (the bulk form of ``features`` and ``score_of``)."""
        if not len(positions):
            return np.empty(0)
        picked = positions.tolist()
        weights = dict(WEIGHTS)
        total = np.zeros(len(picked))
        for column in _COLUMNS:
            values = self._cols[column]
            choices = [values[p] for p in picked]
            similarity = process.cdist([getattr(key, column)], choices, scorer=fuzz.ratio, workers=1)[0] / 100
            total += weights[_FEATURE_OF[column]] * similarity
        cores = self._cols["core"]
        total += weights["core_exact"] * np.array([cores[p] == key.core for p in picked], dtype=np.float64)
        lengths = self._lengths[positions]
        own = float(len(key.core))
        total += weights["length"] * np.minimum(lengths, own) / np.maximum(np.maximum(lengths, own), 1.0)
        return np.asarray(total * NAME_CEILING)

    def screen(
        self,
        name: str | None,
        codes: Sequence[tuple[str, str]] = (),
        *,
        threshold: float = THRESHOLD,
        limit: int = 20,
    ) -> list[Hit]:
        """Return the hits of a query, best first: identifier hits (1.0), then names at or above the threshold."""
        hits: dict[int, Hit] = {}
        for kind, value in codes:
            for ref in self.by_code.get((kind, value), []):
                hits.setdefault(ref, Hit(ref, 1.0, kind))
        key = name_key(name) if name else None
        if key is not None and key.core:
            positions = self.candidates(key)
            scores = self.score(key, positions)
            keep = np.nonzero(scores >= threshold - 1e-6)[0]
            for i in keep[np.argsort(-scores[keep], kind="stable")][: limit * 2]:
                position = int(positions[i])
                ref = self.refs[position]
                found = features(key, self.keys[position])
                if ref not in hits and score_of(found) >= threshold:
                    hits[ref] = Hit(ref, score_of(found), "name", found)
        ranked = sorted(hits.values(), key=lambda h: (-h.score, h.ref))
        return ranked[:limit]
