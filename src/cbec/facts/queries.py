"""Reads of trade facts for the read side (事实查询): statistics and, later, risk, credit and finance.

Inside the caller's transaction; nothing here decrypts anything (facts hold no ciphertext). A restricted scope
keeps the facts one of its enterprises is party to (platform, e-commerce enterprise, logistics company, declaring
agent, export producer or seller), as the document queries do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from cbec.common.scope import Scope
from cbec.enterprises.lookups import party_scope
from cbec.facts.models import TradeFact
from cbec.facts.rules import RELEASED_STATUSES, Direction, FactStatus


@dataclass(frozen=True, slots=True)
class ReleasedLine:
    """A released goods line as the dashboard adds it up."""

    eport_no: str
    origin_country: str
    destination_country: str
    currency: str
    value: Decimal
    value_cny: Decimal | None
    declared_at: datetime


def fact_scope(scope: Scope | None) -> list[ColumnElement[bool]]:
    """Return the conditions that keep facts to a scope: one of its enterprises is a party to the inventory."""
    parties: Sequence[InstrumentedAttribute[Any]] = (
        TradeFact.platform_code,
        TradeFact.ecommerce_code,
        TradeFact.logistics_code,
        TradeFact.agent_code,
        TradeFact.owner_code,
    )
    return party_scope(scope, cast(Sequence[InstrumentedAttribute[str]], parties))


def released_lines(
    session: Session, direction: Direction, start: datetime, end: datetime, scope: Scope | None = None
) -> list[ReleasedLine]:
    """Return the lines of the inventories of one direction released in [start, end) and not cancelled since."""
    rows = session.execute(
        select(
            TradeFact.eport_no,
            TradeFact.origin_country,
            TradeFact.destination_country,
            TradeFact.currency,
            TradeFact.value,
            TradeFact.value_cny,
            TradeFact.declared_at,
        )
        .where(
            TradeFact.direction == direction.value,
            TradeFact.released_at >= start,
            TradeFact.released_at < end,
            TradeFact.status.in_([s.value for s in RELEASED_STATUSES]),
            *fact_scope(scope),
        )
        .order_by(TradeFact.eport_no, TradeFact.line_no)
    )
    return [ReleasedLine(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class InventoryLine:
    """One goods line of an inventory with its parties and pseudonymous subject keys (for risk)."""

    eport_no: str
    inventory_no: str | None
    order_no: str
    line_no: int
    hs_code: str
    quantity: Decimal
    value_cny: Decimal | None
    platform_code: str
    ecommerce_code: str
    logistics_code: str
    agent_code: str
    tenant: str | None
    declared_on: date
    status: str
    buyer_key: str | None
    payer_key: str | None
    phone_key: str | None
    address_key: str | None
    goods_name: str = ""  # screened against the external lists (brands, recalls, prohibited keywords)
    origin_country: str = ""  # the unit-value bands by origin (R4.1)
    item_no: str | None = None  # the goods number (企业商品货号): R1.2 counts it per buyer, R2.3 and R4.1's brand band
    # find its filing
    gross_weight: Decimal | None = None  # the inventory's declared gross weight in kg, on each of its lines (R2.3)


def inventory_lines_of(
    session: Session, direction: Direction, eport_nos: Sequence[str]
) -> dict[str, list[InventoryLine]]:
    """Return the fact lines of some inventories (by E-port number), each in line order: one query per 500."""
    columns = [getattr(TradeFact, f.name) for f in fields(InventoryLine)]
    found: dict[str, list[InventoryLine]] = {}
    wanted = sorted(set(eport_nos))
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(*columns)
            .where(TradeFact.direction == direction.value, TradeFact.eport_no.in_(wanted[start : start + 500]))
            .order_by(TradeFact.eport_no, TradeFact.line_no)
        )
        for row in rows:
            line = InventoryLine(*row)
            found.setdefault(line.eport_no, []).append(line)
    return found


def inventory_lines(session: Session, direction: Direction, eport_no: str) -> list[InventoryLine]:
    """Return the fact lines of one inventory (by its E-port number), in line order; empty when none."""
    columns = [getattr(TradeFact, f.name) for f in fields(InventoryLine)]
    rows = session.execute(
        select(*columns)
        .where(TradeFact.direction == direction.value, TradeFact.eport_no == eport_no)
        .order_by(TradeFact.line_no)
    )
    return [InventoryLine(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class UnitValue:
    """A line's HS code, origin, seller and SKU (whose filing names the brand), value in CNY and quantity."""

    hs_code: str
    origin_country: str
    ecommerce_code: str
    item_no: str | None
    value_cny: Decimal
    quantity: Decimal


def unit_values(session: Session, direction: Direction, since: date) -> list[UnitValue]:
    """Return the value and quantity of every line declared since a day, not refused or deleted, with what its
    bands are keyed by."""
    rows = session.execute(
        select(
            TradeFact.hs_code,
            TradeFact.origin_country,
            TradeFact.ecommerce_code,
            TradeFact.item_no,
            TradeFact.value_cny,
            TradeFact.quantity,
        ).where(
            TradeFact.direction == direction.value,
            TradeFact.declared_on >= since,
            TradeFact.value_cny.is_not(None),
            TradeFact.quantity > 0,
            TradeFact.status.not_in([FactStatus.REFUSED.value, FactStatus.DELETED.value]),
        )
    )
    return [
        UnitValue(hs, origin, seller, item_no, value, qty)
        for hs, origin, seller, item_no, value, qty in rows
        if value is not None
    ]


@dataclass(frozen=True, slots=True)
class InventoryTimes:
    """When an inventory was declared and released, and its e-commerce enterprise (risk's quick cancels, R2.5)."""

    eport_no: str
    ecommerce_code: str
    declared_at: datetime
    released_at: datetime | None


def inventory_times_of(session: Session, direction: Direction, eport_nos: Sequence[str]) -> dict[str, InventoryTimes]:
    """Return the declaration and release times of some inventories (by E-port number): one query per 500."""
    found: dict[str, InventoryTimes] = {}
    wanted = sorted(set(eport_nos))
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(TradeFact.eport_no, TradeFact.ecommerce_code, TradeFact.declared_at, TradeFact.released_at)
            .where(TradeFact.direction == direction.value, TradeFact.eport_no.in_(wanted[start : start + 500]))
            .order_by(TradeFact.eport_no, TradeFact.line_no)
        )
        for row in rows:
            found.setdefault(row[0], InventoryTimes(*row))
    return found


@dataclass(frozen=True, slots=True)
class Parcel:
    """An import inventory as its delivery is judged (risk R2.4): parties, waybill, release and consignee region."""

    eport_no: str
    order_no: str
    inventory_no: str | None
    tenant: str | None
    platform_code: str
    ecommerce_code: str
    logistics_code: str
    logistics_no: str | None
    agent_code: str
    customs_code: str
    consignee_region: str | None  # the consignee's prefecture (GB/T 2260), never the address
    status: str
    released_at: datetime | None


def _parcels(session: Session, *conditions: ColumnElement[bool]) -> list[Parcel]:
    columns = [getattr(TradeFact, f.name) for f in fields(Parcel)]
    rows = session.execute(
        select(*columns)
        .where(TradeFact.direction == Direction.IMPORT.value, *conditions)
        .order_by(TradeFact.eport_no, TradeFact.line_no)
    )
    found: dict[str, Parcel] = {}
    for row in rows:
        found.setdefault(row[0], Parcel(*row))
    return list(found.values())


_GONE = frozenset({FactStatus.CANCELLED.value, FactStatus.DELETED.value, FactStatus.REFUSED.value})


def parcels_of_waybills(session: Session, waybills: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Parcel]:
    """Return the import inventories of some waybills (logistics code, waybill number): one query per 200."""
    wanted = sorted(set(waybills))
    found: dict[tuple[str, str], Parcel] = {}
    for start in range(0, len(wanted), 200):
        part = set(wanted[start : start + 200])
        codes = sorted({code for code, _ in part})
        numbers = sorted({no for _, no in part})
        for parcel in _parcels(session, TradeFact.logistics_code.in_(codes), TradeFact.logistics_no.in_(numbers)):
            key = (parcel.logistics_code, parcel.logistics_no or "")
            earlier = found.get(key)
            if key in part and (earlier is None or (earlier.status in _GONE and parcel.status not in _GONE)):
                found[key] = parcel  # a waybill declared again after a cancelled or refused inventory: the live one
    return found


def released_parcels(session: Session, day: date) -> list[Parcel]:
    """Return the import inventories released on a business day (whatever became of them since), by E-port number."""
    return _parcels(session, TradeFact.released_on == day)
