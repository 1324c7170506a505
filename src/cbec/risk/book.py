"""The counters of one consume batch, held in memory (计数账本): read once, updated in memory, written once.

The consumer used to read and write each day bucket and each partner link through the ORM, one row at a time (about
27 rows an inventory, each a round trip): 20 ms of CPU a decision. The book loads, for the subjects of the whole
batch, every bucket inside the widest window and every link the batch will meet, in two queries; counts and distinct
partners change in memory, windows are summed from memory (the same exact sums ``repository.windows`` gives, the
batch's own earlier inventories included), and at the end the changed buckets are added and the changed links
written with one upsert statement each, executed for every row (``INSERT … ON CONFLICT DO UPDATE``: bucket values
add, so a bucket outside the loaded window, decremented when a link moves, needs no read)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from cbec.risk.models import RiskCounter, RiskLink
from cbec.risk.rules import MONEY_FEATURES, WINDOWS, CounterRef, SubjectKind
from cbec.storage.upsert import upsert_many

Subject = tuple[SubjectKind, str]
Link = tuple[str, str, str, str]  # subject kind, key, other kind, other key
CHUNK = 500  # subjects or links per IN list


class CounterBook:
    """Day buckets and links of a batch: ``load`` once, ``add``/``see_pair``/``windows`` in memory, ``write``.

    Without a session the book is held in memory only (``bench.risk_labelled`` decides a year of orders with the
    consumer's own counting this way): nothing stored to read, a link not met before is absent, nothing written.
    """

    def __init__(self, session: Session | None) -> None:
        self.session = session
        self.values: dict[tuple[str, str, str], dict[date, int]] = defaultdict(dict)  # loaded + added
        self.deltas: dict[tuple[str, str, str, date], int] = defaultdict(int)  # what to add in the database
        self.links: dict[Link, date | None] = {}  # known links (None: absent)
        self.moved: dict[Link, date] = {}  # links to write
        self.loaded: set[tuple[str, str]] = set()
        self.since: date | None = None

    def load(self, subjects: Iterable[Subject], links: Iterable[Link], first: date) -> None:
        """Read the buckets of the subjects from ``first`` − 364 days (the widest window of the batch's earliest
        day) and the links asked for, two queries per chunk of 500."""
        since = first - timedelta(days=max(WINDOWS) - 1)
        self.since = since if self.since is None else min(self.since, since)
        wanted = sorted({(kind.value, key) for kind, key in subjects} - self.loaded)
        asked = sorted({link for link in links if link not in self.links})
        self.loaded.update(wanted)
        self.links.update(dict.fromkeys(asked))  # absent unless read below
        if self.session is None:  # in memory only: every subject and link the book has not met is new
            return
        counter = (RiskCounter.subject_kind, RiskCounter.subject_key, RiskCounter.feature, RiskCounter.day)
        for k in range(0, len(wanted), CHUNK):
            buckets = self.session.execute(
                select(*counter, RiskCounter.value)
                .where(tuple_(RiskCounter.subject_kind, RiskCounter.subject_key).in_(wanted[k : k + CHUNK]))
                .where(RiskCounter.day >= self.since)
            ).all()
            for kind, key, feature, day, value in buckets:
                self.values[(kind, key, feature)][day] = int(value)
        link = (RiskLink.subject_kind, RiskLink.subject_key, RiskLink.other_kind, RiskLink.other_key)
        for k in range(0, len(asked), CHUNK):
            met = self.session.execute(
                select(*link, RiskLink.last_day).where(tuple_(*link).in_(asked[k : k + CHUNK]))
            ).all()
            for a, b, c, d, last in met:
                self.links[(a, b, c, d)] = last

    def add(self, kind: SubjectKind, key: str, feature: str, day: date, amount: int) -> None:
        """Add an amount (a count, or fen for money features) to a day bucket."""
        self.deltas[(kind.value, key, feature, day)] += amount
        bucket = self.values[(kind.value, key, feature)]
        bucket[day] = bucket.get(day, 0) + amount

    def see_pair(self, subject: Subject, other: Subject, feature: str, day: date) -> None:
        """Count ``other`` once among ``subject``'s distinct partners, in the bucket of the last day they met."""
        kind, key = subject
        link = (kind.value, key, other[0].value, other[1])
        last = self.links.get(link)
        if link not in self.links:
            raise KeyError(f"link not loaded: {link}")
        if last is None:
            self.add(kind, key, feature, day, 1)
        elif last < day:
            self.add(kind, key, feature, last, -1)
            self.add(kind, key, feature, day, 1)
        else:
            return
        self.links[link] = day
        self.moved[link] = day

    def windows(self, refs: Sequence[CounterRef], keys: dict[SubjectKind, str], day: date) -> dict[str, Decimal | None]:
        """Return every counter asked for, summed over its window ending on ``day``; None where the subject is
        unknown (the answers of ``repository.windows``)."""
        values: dict[str, Decimal | None] = {}
        for ref in refs:
            key = keys.get(ref.subject)
            if not key:
                values[ref.name] = None
                continue
            first = day - timedelta(days=ref.window - 1)
            bucket = self.values.get((ref.subject.value, key, ref.feature), {})
            total = Decimal(sum(v for d, v in bucket.items() if first <= d <= day))
            values[ref.name] = total / 100 if ref.feature in MONEY_FEATURES else total
        return values

    def series(self, kind: SubjectKind, key: str, feature: str, days: Sequence[date]) -> list[int]:
        """Return a subject's day buckets on the given days (0 where none), from memory (the loaded window: at most
        365 days before the batch's earliest day)."""
        get = self.values.get((kind.value, key, feature), {}).get
        return [get(day, 0) for day in days]

    def write(self) -> None:
        """Add the changed buckets and write the moved links, one statement each (keys in order); in memory only,
        forget them."""
        if self.session is None:
            self.deltas.clear()
            self.moved.clear()
            return
        buckets = [
            {"subject_kind": a, "subject_key": b, "feature": c, "day": d, "value": v}
            for (a, b, c, d), v in sorted(self.deltas.items())
            if v
        ]
        upsert_many(
            self.session,
            RiskCounter,
            buckets,
            ("subject_kind", "subject_key", "feature", "day"),
            lambda t, new: {"value": t.c.value + new.value},
        )
        links = [
            {"subject_kind": a, "subject_key": b, "other_kind": c, "other_key": d, "last_day": day}
            for (a, b, c, d), day in sorted(self.moved.items())
        ]
        upsert_many(
            self.session,
            RiskLink,
            links,
            ("subject_kind", "subject_key", "other_kind", "other_key"),
            lambda t, new: {"last_day": new.last_day},
        )
        self.deltas.clear()
        self.moved.clear()
