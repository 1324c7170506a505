"""External lists' use cases (外部名单): load a list file all-or-nothing, read the entries.

A load checks the whole file first (``parse_list``: every problem with its field, nothing stored when one is
found), then replaces every entry of its kind in one transaction and logs the load (source, provenance, SHA-256,
actor). The risk consumer reads the entries in force on each inventory's business day (``cbec.risk.lists.rules``).
"""

from __future__ import annotations

from importlib import resources

from cbec.risk.errors import invalid
from cbec.risk.lists import repository as repo
from cbec.risk.lists.models import RiskListLoad
from cbec.risk.lists.rules import ListKind, parse_list
from cbec.risk.lists.schemas import ListEntryRead, ListLoadRead
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


def load_list(ctx: Context, kind: str, text: str, *, source: str, actor: str) -> ListLoadRead:
    """Check a list file and replace its kind's entries with it (one transaction; every problem listed)."""
    parsed = parse_list(text, list_kind(kind))
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
        rows = repo.entries(uow.session, list_kind(kind) if kind is not None else None)
        uow.commit()
    return [
        ListEntryRead(kind=e.kind.value, key=e.key, valid_from=e.valid_from, valid_to=e.valid_to, data=dict(e.data))
        for e in rows
    ]
