"""Zone registry of overseas warehouses (海外仓登记): used by 9810 bookings, finance and statistics.

Customs filing of overseas warehouses was abolished from 2024-12-15 (海关总署公告2024年第167号, ruling 12), so
the registry is the zone's own record, never a customs precondition: a booking naming an unregistered
warehouse is accepted and only left unlinked.
"""

from __future__ import annotations

from collections import defaultdict

from cbec.common.errors import AlreadyExists, InvalidInput, NotFound, Problem
from cbec.enterprises import find_active_by_code
from cbec.exports import repository as repo
from cbec.exports.codes import CHINA, WarehouseStatus
from cbec.exports.models import OverseasWarehouse
from cbec.exports.schemas import WarehouseCreate, WarehouseRead
from cbec.reference import code_tables
from cbec.storage.context import Context


def register_warehouse(ctx: Context, data: WarehouseCreate, *, actor: str = "zone-office") -> WarehouseRead:
    """Add an overseas warehouse to the zone registry and give it a registry code (HWC + 4 digits)."""
    from cbec.audit import record_audit
    from cbec.common.clock import business_date

    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        problems: list[Problem] = []
        if find_active_by_code(session, data.operator_code) is None:
            problems.append(
                Problem(
                    "EXP-WH-OPERATOR",
                    "operator_code",
                    f"enterprise {data.operator_code} is not filed",
                    "File it first.",
                )
            )
        if data.country == CHINA or not code_tables(session, business_date(now)).contains("country", data.country):
            problems.append(
                Problem("EXP-WH-COUNTRY", "country", f"not a foreign country code: {data.country}", "Use e.g. 502.")
            )
        if problems:
            raise InvalidInput("the overseas warehouse cannot be registered", problems=problems)
        if repo.warehouse_by_name(session, data.name) is not None:
            raise AlreadyExists(f"an overseas warehouse named {data.name!r} is registered", name=data.name)
        code = f"HWC{len(repo.warehouses(session)) + 1:04d}"
        row = OverseasWarehouse(
            code=code,
            name=data.name,
            operator_code=data.operator_code,
            country=data.country,
            address=data.address,
            area_m2=data.area_m2,
            services=sorted(set(data.services)),
            status=WarehouseStatus.ACTIVE,
            registered_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        record_audit(
            session,
            at=now,
            actor=actor,
            action="exports.warehouse.registered",
            entity_type="overseas_warehouse",
            entity_key=code,
            before=None,
            after={"name": data.name, "country": data.country, "area_m2": str(data.area_m2)},
            reason=None,
        )
        uow.commit()
        return _read(row, {})


def list_warehouses(ctx: Context, *, country: str | None = None) -> list[WarehouseRead]:
    """Return the registry with each warehouse's 9810 inventories (for finance and statistics)."""
    with ctx.uow() as uow:
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for warehouse_id, currency, count in repo.warehouse_exports(uow.session):
            counts[warehouse_id][currency] = count
        return [_read(row, counts.get(row.id, {})) for row in repo.warehouses(uow.session, country=country)]


def close_warehouse(ctx: Context, code: str) -> WarehouseRead:
    """Mark a warehouse closed (kept for history)."""
    with ctx.uow() as uow:
        row = repo.warehouse_by_code(uow.session, code)
        if row is None:
            raise NotFound(f"no overseas warehouse {code}", code=code)
        row.status, row.updated_at = WarehouseStatus.CLOSED, ctx.clock.now()
        uow.commit()
        return _read(row, {})


def _read(row: OverseasWarehouse, counts: dict[str, int]) -> WarehouseRead:
    return WarehouseRead(
        code=row.code,
        name=row.name,
        operator_code=row.operator_code,
        country=row.country,
        address=row.address,
        area_m2=row.area_m2,
        services=list(row.services),
        status=row.status,
        inventories=sum(counts.values()),
        inventories_by_currency=dict(counts),
    )
