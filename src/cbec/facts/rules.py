"""Pure rules of trade facts (贸易事实规则): a declared inventory in, its fact rows out; no I/O, no clock.

A fact row is one goods line in clear typed columns. Values are converted to CNY and USD at the customs rate of
the declaration date (the rate is looked up by the caller and passed in as CNY per unit; None when no rate is on
record, and then the converted value is None too), each rounded half-up to the fen. Subject keys are the
platform's blind index of the buyer's and payer's ID numbers (the quota ledger's ``buyer_key``), of the
consignee's phone and of the consignee's address, each normalised first; the personal data itself never enters a
fact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from cbec.common.clock import business_date
from cbec.common.money import to_fen
from cbec.messages.documents import Inventory
from cbec.messages.export_documents import ExportInventory
from cbec.reference.geography import region_of_address

CHINA = "142"  # country code of China (the destination of imports, the origin of exports)
CNY = "142"  # currency code of the renminbi
USD = "502"  # currency code of the US dollar


class Direction(StrEnum):
    """Import or export."""

    IMPORT = "I"
    EXPORT = "E"


class FactStatus(StrEnum):
    """Where the inventory a fact belongs to stands, kept current as it moves."""

    DRAFT = "draft"  # 暂存 (appStatus 1)
    WAITING = "waiting"  # declared, not decided: partners, review, inspection, arrival (2, 120, 300, 399, 500)
    RELEASED = "released"  # 放行 (800)
    REFUSED = "refused"  # 退单 (100)
    CANCELLED = "cancelled"  # 撤单 (CEB623 / export cancel)
    RETURNED = "returned"  # the line's goods came back (import return completed, export return tallied)
    CLOSED = "closed"  # 结关 / departed (899)
    DELETED = "deleted"  # deleted by its declarant before a decision (appType 3)


# The statuses of goods that left customs control: what the dashboard counts as released.
RELEASED_STATUSES = (FactStatus.RELEASED, FactStatus.RETURNED, FactStatus.CLOSED)

_WAITING_STATUSES = frozenset({"2", "120", "300", "399", "500"})


def fact_status(return_status: str, state: str) -> FactStatus:
    """Return the fact status of an inventory from its official status and its stored state."""
    if state == "cancelled":
        return FactStatus.CANCELLED
    if state == "deleted":
        return FactStatus.DELETED
    if state == "draft" or return_status == "1":
        return FactStatus.DRAFT
    if return_status == "800":
        return FactStatus.RELEASED
    if return_status == "899":
        return FactStatus.CLOSED
    if return_status in _WAITING_STATUSES or return_status == "":
        return FactStatus.WAITING
    return FactStatus.REFUSED  # 100 and the negative refusal codes


@dataclass(frozen=True, slots=True)
class FactHeader:
    """What every fact row of one inventory shares: its keys, mode, parties, dates, status and subject keys."""

    direction: Direction
    mode: str
    document_id: int
    eport_no: str
    inventory_no: str | None
    order_no: str
    customs_code: str
    platform_code: str
    ecommerce_code: str
    logistics_code: str
    agent_code: str
    declared_at: datetime
    status: FactStatus
    released_at: datetime | None = None
    payment_code: str | None = None
    warehouse_code: str | None = None
    owner_code: str | None = None
    tenant: str | None = None
    buyer_key: str | None = None
    payer_key: str | None = None
    phone_key: str | None = None
    address_key: str | None = None
    logistics_no: str | None = None
    gross_weight: Decimal | None = None  # the inventory's declared gross weight in kg
    consignee_region: str | None = None  # the consignee's prefecture code (``consignee_region``)


@dataclass(frozen=True, slots=True)
class FactLine:
    """One goods line as a fact needs it."""

    line_no: int
    hs_code: str
    goods_name: str
    origin_country: str
    destination_country: str
    quantity: Decimal
    unit: str
    legal_quantity: Decimal
    legal_unit: str
    currency: str
    value: Decimal
    item_no: str | None = None  # the line's goods number (企业商品货号, SKU)


def import_lines(inventory: Inventory) -> tuple[FactLine, ...]:
    """Return the fact lines of an import inventory (CEB621): goods from their origin to China."""
    return tuple(
        FactLine(
            line_no=line.line_no,
            hs_code=line.hs_code,
            goods_name=line.goods_name,
            origin_country=line.origin_country,
            destination_country=CHINA,
            quantity=line.quantity,
            unit=line.unit,
            legal_quantity=line.legal_quantity,
            legal_unit=line.legal_unit,
            currency=line.currency,
            value=line.total_price,
            item_no=line.item_no,
        )
        for line in inventory.lines
    )


def export_lines(inventory: ExportInventory) -> tuple[FactLine, ...]:
    """Return the fact lines of an export inventory (CEB603): goods from China to their final destination."""
    return tuple(
        FactLine(
            line_no=line.line_no,
            hs_code=line.hs_code,
            goods_name=line.goods_name,
            origin_country=CHINA,
            destination_country=line.destination_country,
            quantity=line.quantity,
            unit=line.unit,
            legal_quantity=line.legal_quantity,
            legal_unit=line.legal_unit,
            currency=line.currency,
            value=line.total_price,
            item_no=line.item_no,
        )
        for line in inventory.lines
    )


# CNY per one unit of a currency at the customs rate of a business date, or None when no rate is on record.
Rates = Callable[[str, date], Decimal | None]


def convert(value: Decimal, currency: str, on: date, rates: Rates) -> tuple[Decimal | None, Decimal | None]:
    """Return a line value in CNY and in USD at the customs rates of a date, each half-up to the fen.

    USD is reached through CNY (value × CNY per unit ÷ CNY per USD, rounded once); None where a rate is missing.
    """
    per_unit = Decimal(1) if currency == CNY else rates(currency, on)
    if per_unit is None:
        return None, None
    cny = value * per_unit
    if currency == USD:
        return to_fen(cny), to_fen(value)
    per_usd = rates(USD, on)
    return to_fen(cny), (None if not per_usd else to_fen(cny / per_usd))


def fact_rows(header: FactHeader, lines: Iterable[FactLine], rates: Rates, *, now: datetime) -> list[dict[str, Any]]:
    """Return the fact rows of an inventory: one per goods line, column by column."""
    declared_on = business_date(header.declared_at)
    shared = {
        "direction": header.direction.value,
        "mode": header.mode,
        "document_id": header.document_id,
        "eport_no": header.eport_no,
        "inventory_no": header.inventory_no,
        "order_no": header.order_no,
        "customs_code": header.customs_code,
        "platform_code": header.platform_code,
        "ecommerce_code": header.ecommerce_code,
        "logistics_code": header.logistics_code,
        "logistics_no": header.logistics_no,
        "payment_code": header.payment_code,
        "agent_code": header.agent_code,
        "warehouse_code": header.warehouse_code,
        "owner_code": header.owner_code,
        "tenant": header.tenant,
        "declared_at": header.declared_at,
        "declared_on": declared_on,
        "released_at": header.released_at,
        "released_on": business_date(header.released_at) if header.released_at is not None else None,
        "status": header.status.value,
        "buyer_key": header.buyer_key,
        "payer_key": header.payer_key,
        "phone_key": header.phone_key,
        "address_key": header.address_key,
        "gross_weight": header.gross_weight,
        "consignee_region": header.consignee_region,
        "updated_at": now,
    }
    rows = []
    for line in lines:
        cny, usd = convert(line.value, line.currency, declared_on, rates)
        rows.append(
            {
                **shared,
                "line_no": line.line_no,
                "item_no": line.item_no,
                "hs_code": line.hs_code,
                "goods_name": line.goods_name,
                "origin_country": line.origin_country,
                "destination_country": line.destination_country,
                "quantity": line.quantity,
                "unit": line.unit,
                "legal_quantity": line.legal_quantity,
                "legal_unit": line.legal_unit,
                "currency": line.currency,
                "value": line.value,
                "value_cny": cny,
                "value_usd": usd,
            }
        )
    return rows


def moved(status: FactStatus, inventory_no: str | None, released_at: datetime | None) -> dict[str, Any]:
    """Return the columns a status change writes to every fact row of an inventory."""
    return {
        "status": status.value,
        "inventory_no": inventory_no,
        "released_at": released_at,
        "released_on": business_date(released_at) if released_at is not None else None,
    }


_REGION = re.compile(r"[1-9][0-9]{5}")


def consignee_region(district: str | None, address: str | None = None) -> str | None:
    """Return the prefecture code (GB/T 2260, ``xxxx00``) of a consignee, None when neither argument gives one.

    The order's ``consigneeDistrict`` names a county (440305 深圳市南山区); the fact keeps its prefecture (440300):
    enough for distances and regional statistics, and no finer than where a parcel goes. A county-level city its
    province administers (``xx90xx``: 仙桃市 429004) is kept as it is, having no prefecture. A code that is not six
    digits is ignored, never guessed. Without a usable district, the address's leading province and prefecture
    names (广东省深圳市…, 深圳市…, 北京市朝阳区…, 广东深圳…; ``cbec.reference.geography.region_of_address``) give
    the code — a province's when it names only the province. The address itself is read here and never kept.
    """
    code = district.strip() if district is not None else ""
    if not _REGION.fullmatch(code):
        found = region_of_address(address)
        if found is None:
            return None
        code = found
    return code if code[2:4] == "90" else code[:4] + "00"


class Moving(Protocol):
    """What an import or export inventory row gives its facts when it moves."""

    status: str
    state: str
    inventory_no: str | None
    released_at: datetime | None


def moved_values(row: Moving) -> dict[str, Any]:
    """Return the columns an inventory's status, customs number and release time give its facts."""
    return moved(fact_status(row.status, row.state), row.inventory_no, row.released_at)
