"""Incremental daily rollups (日汇总): per business day (Asia/Shanghai) and tenant, fed by the event outbox.

Two steps, each its own transaction:

1. **Consume.** The ``statistics`` consumer (``cbec.sharing.consume``: a durable position, exactly once) reads the
   events after its position; every event of an import or export inventory (data, receipts, tax bills, keyed
   ``inventory:…`` / ``export-inventory:…``) marks that inventory pending. The marks and the new position commit
   together, so no event is lost or counted twice, across crashes and processes.
2. **Refresh.** The days an inventory counts on (its declaration and release day, where it counted before and
   where it counts now) are recounted from the trade facts, for its tenant, and the pending marks go.

A day is always recounted whole from the facts, so refreshing is idempotent: replaying the events from any
position (``rewind``) marks inventories again and rebuilds the same figures. ``full=True`` recounts every day
the facts or the rollups know (after ``cbec facts backfill``, which writes facts without events).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, delete, insert, or_, select, tuple_, update
from sqlalchemy.orm import Session

from cbec.common.money import fen_int
from cbec.facts import RELEASED_STATUSES, FactStatus, TradeFact
from cbec.sharing import consume, rewind
from cbec.sharing.catalogue import AnyEvent, ReceiptEvent
from cbec.statistics import months
from cbec.statistics.models import (
    StatRollup,
    StatRollupGoods,
    StatRollupMatch,
    StatRollupPending,
    StatRollupSource,
)
from cbec.storage.context import Context
from cbec.storage.locks import lock_keys
from cbec.storage.upsert import insert_ignore_many

CONSUMER = "statistics"
PREFIXES = {"inventory:": "I", "export-inventory:": "E"}
CHUNK = 500
LOCK = "statistics:rollup"
_RELEASED = frozenset(s.value for s in RELEASED_STATUSES)
_RETURNED = FactStatus.RETURNED.value
_REFUSED = FactStatus.REFUSED.value
DRAFT, DECLARING = "1", "2"  # 电子口岸已暂存, 电子口岸申报中

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True, slots=True)
class RollupReport:
    """What one rollup run did."""

    events: int  # events read by the consumer
    inventories: int  # inventories recounted
    days: int  # (tenant, day) pairs recounted
    rows: int  # rollup rows written
    position: int  # the consumer's position afterwards


def inventory_of(event: AnyEvent) -> tuple[str, str] | None:
    """Return (direction, E-port number) of the inventory an event is about, or None."""
    for prefix, direction in PREFIXES.items():
        if event.business_key.startswith(prefix):
            eport_no = event.business_key.removeprefix(prefix)
            return (direction, eport_no) if eport_no and len(eport_no) <= 18 else None
    return None


@dataclass
class _Marker:
    """The consumer's handler: marks each inventory pending once per batch."""

    seen: set[tuple[str, str]] = field(default_factory=set)
    events: int = 0

    def __call__(self, session: Session, event: AnyEvent) -> None:
        self.events += 1
        key = inventory_of(event)
        if key is None:
            return
        if isinstance(event, ReceiptEvent):
            _note_match(session, key, event.payload.status, event.payload.returned_at)
        if key in self.seen:
            return
        self.seen.add(key)
        insert_ignore_many(
            session, StatRollupPending, [{"direction": key[0], "eport_no": key[1]}], ["direction", "eport_no"]
        )


def _note_match(session: Session, key: tuple[str, str], status: str, at: datetime) -> None:
    """Note an inventory's receipt 2, or decide at its next receipt whether the declaring message matched it."""
    if status == DECLARING:
        row = {"direction": key[0], "eport_no": key[1], "declared_at": at, "first_pass": None}
        insert_ignore_many(session, StatRollupMatch, [row], ["direction", "eport_no"])
    elif status != DRAFT:
        m = StatRollupMatch
        session.execute(
            update(m)
            .where(m.direction == key[0], m.eport_no == key[1], m.first_pass.is_(None))
            .values(first_pass=case((m.declared_at == at, True), else_=False))
        )


def _tenant(value: str | None) -> str:
    return value or ""


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _affected(session: Session, keys: list[tuple[str, str]]) -> set[tuple[str, date]]:
    """Return the (tenant, day) pairs the pending inventories count on, before and now; record where they count now."""
    pairs: set[tuple[str, date]] = set()
    for chunk in _chunks(keys):
        before = session.execute(
            select(StatRollupSource.tenant, StatRollupSource.declared_on, StatRollupSource.released_on).where(
                tuple_(StatRollupSource.direction, StatRollupSource.eport_no).in_(chunk)
            )
        )
        for tenant, declared_on, released_on in before:
            pairs.add((tenant, declared_on))
            if released_on is not None:
                pairs.add((tenant, released_on))
        now: dict[tuple[str, str], dict[str, Any]] = {}
        rows = session.execute(
            select(
                TradeFact.direction, TradeFact.eport_no, TradeFact.tenant, TradeFact.declared_on, TradeFact.released_on
            ).where(tuple_(TradeFact.direction, TradeFact.eport_no).in_(chunk))
        )
        for direction, eport_no, fact_tenant, declared_on, released_on in rows:
            tenant = _tenant(fact_tenant)
            now[(direction, eport_no)] = {
                "direction": direction,
                "eport_no": eport_no,
                "tenant": tenant,
                "declared_on": declared_on,
                "released_on": released_on,
            }
            pairs.add((tenant, declared_on))
            if released_on is not None:
                pairs.add((tenant, released_on))
        session.execute(
            delete(StatRollupSource).where(tuple_(StatRollupSource.direction, StatRollupSource.eport_no).in_(chunk))
        )
        if now:
            session.execute(insert(StatRollupSource), list(now.values()))
    return pairs


def count_days(session: Session, days: list[date]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the rollup rows (inventories, goods) of every tenant on the given business days, from the facts."""
    wanted = set(days)
    inv: dict[tuple[Any, ...], dict[str, Any]] = {}
    goods: dict[tuple[Any, ...], dict[str, Any]] = {}
    declared: set[tuple[str, str]] = set()
    released: set[tuple[str, str]] = set()
    returned: set[tuple[str, str]] = set()
    in_cell: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    columns = (
        TradeFact.direction,
        TradeFact.mode,
        TradeFact.eport_no,
        TradeFact.tenant,
        TradeFact.platform_code,
        TradeFact.ecommerce_code,
        TradeFact.hs_code,
        TradeFact.origin_country,
        TradeFact.destination_country,
        TradeFact.value_cny,
        TradeFact.status,
        TradeFact.declared_on,
        TradeFact.released_on,
        StatRollupMatch.first_pass,
    )
    matched = (StatRollupMatch.direction == TradeFact.direction) & (StatRollupMatch.eport_no == TradeFact.eport_no)
    for chunk in _chunks(sorted(wanted)):
        stmt = (
            select(*columns)
            .outerjoin(StatRollupMatch, matched)
            .where(or_(TradeFact.declared_on.in_(chunk), TradeFact.released_on.in_(chunk)))
        )
        for (
            direction,
            mode,
            eport_no,
            tenant,
            platform,
            ecommerce,
            hs_code,
            origin,
            destination,
            cny,
            status,
            declared_on,
            released_on,
            first_pass,
        ) in session.execute(stmt):
            tenant = _tenant(tenant)
            inventory = (direction, eport_no)
            if declared_on in wanted:
                row = _inventory_row(inv, declared_on, tenant, direction, mode, platform, ecommerce)
                if inventory not in declared:
                    declared.add(inventory)
                    row["declared"] += 1
                    row["refused"] += status == _REFUSED
                    row["first_pass"] += status != _REFUSED and first_pass is True
            if released_on in wanted and status in _RELEASED:
                row = _inventory_row(inv, released_on, tenant, direction, mode, platform, ecommerce)
                value = fen_int(cny) if cny is not None else 0  # facts hold CNY rounded to the fen once
                if inventory not in released:
                    released.add(inventory)
                    row["released"] += 1
                row["released_lines"] += 1
                row["released_fen"] += value
                row["unconverted_lines"] += cny is None
                if status == _RETURNED:
                    row["returned_fen"] += value
                    if inventory not in returned:
                        returned.add(inventory)
                        row["returned"] += 1
                country = origin if direction == "I" else destination
                for cell in (
                    (released_on, tenant, direction, mode, country, ""),  # by country
                    (released_on, tenant, direction, mode, "", hs_code[:2]),  # by HS chapter
                ):
                    item = goods.get(cell)
                    if item is None:
                        item = goods[cell] = dict(
                            zip(("day", "tenant", "direction", "mode", "country", "hs_chapter"), cell, strict=True),
                            released=0,
                            released_lines=0,
                            released_fen=0,
                        )
                    item["released_lines"] += 1
                    item["released_fen"] += value
                    in_cell[cell].add(eport_no)
    for cell, eports in in_cell.items():
        goods[cell]["released"] = len(eports)
    return list(inv.values()), list(goods.values())


def _inventory_row(
    rows: dict[tuple[Any, ...], dict[str, Any]],
    day: date,
    tenant: str,
    direction: str,
    mode: str,
    platform: str,
    ecommerce: str,
) -> dict[str, Any]:
    key = (day, tenant, direction, mode, platform, ecommerce)
    row = rows.get(key)
    if row is None:
        row = rows[key] = {
            "day": day,
            "tenant": tenant,
            "direction": direction,
            "mode": mode,
            "platform_code": platform,
            "ecommerce_code": ecommerce,
            "declared": 0,
            "refused": 0,
            "first_pass": 0,
            "released": 0,
            "released_lines": 0,
            "released_fen": 0,
            "unconverted_lines": 0,
            "returned": 0,
            "returned_fen": 0,
        }
    return row


def recount(session: Session, pairs: set[tuple[str, date]]) -> int:
    """Replace the rollup rows of the (tenant, day) pairs with a count from the facts; return the rows written."""
    by_day: dict[date, set[str]] = defaultdict(set)
    for tenant, day in pairs:
        by_day[day].add(tenant)
    inv, goods = count_days(session, sorted(by_day))
    for model in (StatRollup, StatRollupGoods):
        for day, tenants in by_day.items():
            session.execute(delete(model).where(model.day == day, model.tenant.in_(sorted(tenants))))
    inv = [row for row in inv if row["tenant"] in by_day[row["day"]]]
    goods = [row for row in goods if row["tenant"] in by_day[row["day"]]]
    if inv:
        session.execute(insert(StatRollup), inv)
    if goods:
        session.execute(insert(StatRollupGoods), goods)
    months.rebuild(session, pairs)  # the monthly layer follows in the same transaction
    return len(inv) + len(goods)


def refresh(ctx: Context, *, progress: Progress | None = None, batch: int = 5000) -> tuple[int, int, int]:
    """Recount the days of every pending inventory, batch by batch, each one transaction: (inventories, pairs, rows)."""
    inventories = days = rows = 0
    with ctx.uow() as uow:
        total = len(uow.session.execute(select(StatRollupPending.direction)).all())
    while True:
        with ctx.uow() as uow:
            session = uow.session
            lock_keys(session, [LOCK])  # one recount at a time: two would delete and insert the same days
            keys = [
                (d, e)
                for d, e in session.execute(
                    select(StatRollupPending.direction, StatRollupPending.eport_no)
                    .order_by(StatRollupPending.direction, StatRollupPending.eport_no)
                    .limit(batch)
                )
            ]
            if not keys:
                break
            pairs = _affected(session, keys)
            rows += recount(session, pairs)
            for chunk in _chunks(keys):
                session.execute(
                    delete(StatRollupPending).where(
                        tuple_(StatRollupPending.direction, StatRollupPending.eport_no).in_(chunk)
                    )
                )
            uow.commit()
        inventories, days = inventories + len(keys), days + len(pairs)
        if progress is not None:
            progress("refresh", inventories, max(total, inventories))
    return inventories, days, rows


def recount_all(ctx: Context, *, progress: Progress | None = None, days_per_batch: int = 31) -> tuple[int, int]:
    """Recount every day the facts or the rollups know, for every tenant (each batch of days one transaction)."""
    with ctx.uow() as uow:
        session = uow.session
        known: set[date] = set(session.scalars(select(TradeFact.declared_on).distinct()))
        known |= {d for d in session.scalars(select(TradeFact.released_on).distinct()) if d is not None}
        known |= set(session.scalars(select(StatRollup.day).distinct()))
    ordered = sorted(known)
    pairs = rows = 0
    for start in range(0, len(ordered), days_per_batch):
        chunk = ordered[start : start + days_per_batch]
        with ctx.uow() as uow:
            session = uow.session
            lock_keys(session, [LOCK])
            for model in (StatRollup, StatRollupGoods):
                session.execute(delete(model).where(model.day.in_(chunk)))
            inv, goods = count_days(session, chunk)
            if inv:
                session.execute(insert(StatRollup), inv)
            if goods:
                session.execute(insert(StatRollupGoods), goods)
            months.rebuild_all(session, chunk)
            uow.commit()
        pairs += len({(r["tenant"], r["day"]) for r in inv})
        rows += len(inv) + len(goods)
        if progress is not None:
            progress("recount", start + len(chunk), len(ordered))
    return pairs, rows


def run_rollup(
    ctx: Context,
    *,
    full: bool = False,
    replay_from: int | None = None,
    limit: int = 2000,
    progress: Progress | None = None,
) -> RollupReport:
    """Bring the daily rollups up to date: consume new events, then recount the days they touched.

    ``replay_from`` rewinds the consumer first (the events after that position are read again); ``full`` recounts
    every day from the facts as well.
    """
    if replay_from is not None:
        rewind(ctx, CONSUMER, replay_from)
    events = 0
    position = -1
    while True:
        marker = _Marker()
        batch = consume(ctx, CONSUMER, marker, limit=limit)
        events += marker.events
        if progress is not None:
            progress("events", batch.position, batch.position)
        if batch.position == position:
            break
        position = batch.position
    inventories, pairs, rows = refresh(ctx, progress=progress)
    if full:
        pairs, rows = recount_all(ctx, progress=progress)
    return RollupReport(events=events, inventories=inventories, days=pairs, rows=rows, position=position)
