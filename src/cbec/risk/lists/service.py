"""External lists' use cases (外部名单): load a list file all-or-nothing, read the entries.

A load checks the whole file first (``parse_list``: every problem with its field, nothing stored when one is
found), then replaces every entry of its kind in one transaction and logs the load (source, provenance, SHA-256,
actor). The risk consumer reads the entries in force on each inventory's business day (``cbec.risk.lists.rules``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime
from importlib import resources

from cbec.common.clock import business_date
from cbec.risk.errors import invalid
from cbec.risk.lists import repository as repo
from cbec.risk.lists.models import RiskListLoad
from cbec.risk.lists.rules import ListKind, parse_list
from cbec.risk.lists.schemas import ListEntryRead, ListLoadRead
from cbec.risk.lists.tabular import csv_document
from cbec.storage.context import Context

SAMPLES = {kind: f"data/lists/{kind.value}.sample.json" for kind in ListKind}


def list_kind(name: str) -> ListKind:
    """Return the list kind a name gives; refuse an unknown one."""
    if name not in {k.value for k in ListKind}:
        raise invalid(
            "RSK-LIST-KIND",
            "kind",
            f"未知名单类型 {name}",
            f"unknown list kind {name}",
            "Use one of " + ", ".join(k.value for k in ListKind) + ".",
        )
    return ListKind(name)


def sample_text(kind: ListKind) -> str:
    """Return the synthetic sample list shipped for a kind (``cbec/risk/data/lists/<kind>.sample.json``)."""
    return resources.files("cbec.risk").joinpath(SAMPLES[kind]).read_text(encoding="utf-8")


FORMATS = ("json", "csv")


def load_list(
    ctx: Context,
    kind: str,
    text: str,
    *,
    source: str,
    actor: str,
    fmt: str = "json",
    provenance: str = "",
) -> ListLoadRead:
    """Check a list file and replace its kind's entries with it (one transaction; every problem listed).

    ``fmt`` ``csv``: a header row and one entry per row (``cbec.risk.lists.tabular``), its provenance given beside
    it; the load's SHA-256 is the file's as given, in either format."""
    chosen = list_kind(kind)
    if fmt not in FORMATS:
        raise invalid("RSK-LIST-FORMAT", "format", f"未知格式 {fmt}", f"unknown format {fmt}", "Use json or csv.")
    if fmt == "csv":
        parsed = parse_list(csv_document(text, chosen, provenance.strip()), chosen)
        parsed = replace(parsed, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    else:
        parsed = parse_list(text, chosen)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        load = RiskListLoad(
            kind=parsed.kind.value,
            source=source[:200],
            provenance=parsed.provenance,
            sha256=parsed.sha256,
            entries=len(parsed.entries),
            loaded_by=actor[:120],
            loaded_at=now,
        )
        replaced = repo.replace(uow.session, load, parsed.entries)
        read = ListLoadRead(
            id=load.id,
            kind=load.kind,
            source=load.source,
            provenance=load.provenance,
            sha256=load.sha256,
            entries=load.entries,
            replaced=replaced,
            loaded_by=load.loaded_by,
            loaded_at=load.loaded_at,
        )
        uow.commit()
    return read


def load_samples(ctx: Context, *, actor: str) -> list[ListLoadRead]:
    """Load every shipped synthetic sample list (the demo and the planted-traffic tests)."""
    return [
        load_list(ctx, kind.value, sample_text(kind), source=SAMPLES[kind].rsplit("/", 1)[-1], actor=actor)
        for kind in ListKind
    ]


def list_entries(ctx: Context, kind: str | None = None) -> list[ListEntryRead]:
    """Return the loaded entries of a kind (or of every kind)."""
    with ctx.uow() as uow:
        found = [
            ListEntryRead(
                id=r.id,
                case_id=r.case_id,
                kind=r.kind,
                key=r.entry_key,
                valid_from=r.valid_from,
                valid_to=r.valid_to,
                data=dict(r.data),
            )
            for r in repo.entry_rows(uow.session, list_kind(kind) if kind is not None else None)
        ]
        uow.commit()
    return found


@dataclass(frozen=True, slots=True)
class KindSummary:
    """What the console shows of one kind: its entries, those in force today, the span they cover and the last
    load."""

    kind: str
    entries: int
    in_force: int
    first_from: date | None
    last_to: date | None  # None: an entry is open-ended (or no entries)
    open_ended: bool
    source: str | None
    provenance: str | None
    sha256: str | None
    loaded_by: str | None
    loaded_at: datetime | None


def list_summary(ctx: Context) -> list[KindSummary]:
    """Return every kind with its entry counts, effective dates and last load (today: the business day)."""
    day = business_date(ctx.clock.now())
    with ctx.uow() as uow:
        rows = repo.entries(uow.session, None)
        loads = {
            kind: (r.source, r.provenance, r.sha256, r.loaded_by, r.loaded_at)
            for kind, r in repo.last_loads(uow.session).items()
        }
        uow.commit()
    out = []
    for kind in ListKind:
        mine = [e for e in rows if e.kind is kind]
        source, provenance, sha256, loaded_by, loaded_at = loads.get(kind.value, (None,) * 5)
        ends = [e.valid_to for e in mine if e.valid_to is not None]
        out.append(
            KindSummary(
                kind=kind.value,
                entries=len(mine),
                in_force=sum(e.in_force(day) for e in mine),
                first_from=min((e.valid_from for e in mine), default=None),
                last_to=max(ends, default=None),
                open_ended=any(e.valid_to is None for e in mine),
                source=source,
                provenance=provenance,
                sha256=sha256,
                loaded_by=loaded_by,
                loaded_at=loaded_at,
            )
        )
    return out
