"""Trade facts of export inventories (出口贸易事实): what exports hands ``cbec.facts``, live and in the backfill.

Export documents hold no personal data, so export facts carry no subject keys. The handlers call
``record_stored`` where an inventory row and its lines are stored, ``record_moved`` where its status or state
changes and ``record_returned`` when returned goods are tallied back in; the backfill builds the same rows from the
stored documents with the same functions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cbec.enterprises import EnterpriseRef, find_active_by_code
from cbec.exports.codes import ReturnState
from cbec.exports.models import ExportInventoryRecord, ExportReturnRecord
from cbec.exports.service.reference import cny_per_unit
from cbec.exports.service.run import ExportRun, fact_book, party, unseal
from cbec.facts import (
    BackfillReport,
    Direction,
    FactHeader,
    FactStatus,
    export_lines,
    fact_rows,
    fact_status,
    moved_values,
    sync_facts,
)
from cbec.messages.export_documents import ExportInventory
from cbec.storage.context import Context


def header(row: ExportInventoryRecord, inventory: ExportInventory, tenant: str | None) -> FactHeader:
    """Return what every fact row of a stored export inventory shares."""
    return FactHeader(
        direction=Direction.EXPORT,
        mode=row.trade_mode,
        document_id=row.id,
        eport_no=row.eport_no,
        inventory_no=row.inventory_no,
        order_no=row.order_no,
        customs_code=row.customs_code,
        platform_code=row.platform_code,
        ecommerce_code=row.ecommerce_code,
        logistics_code=row.logistics_code,
        logistics_no=inventory.logistics_no,
        agent_code=row.agent_code,
        declared_at=row.declared_at,
        released_at=row.released_at,
        status=fact_status(row.status, row.state),
        warehouse_code=inventory.special_area_code,
        owner_code=row.owner_code,
        tenant=tenant,
        gross_weight=inventory.gross_weight,
    )


def _tenant(party: EnterpriseRef | None) -> str | None:
    return party.zone if party is not None else None


# --- the handlers' calls ----------------------------------------------------------------------------------------


def record_stored(run: ExportRun, row: ExportInventoryRecord, inventory: ExportInventory, *, replaces: bool) -> None:
    """Add the facts of an export inventory just stored (new, or changed: its earlier facts are replaced)."""
    built = header(row, inventory, _tenant(party(run, row.ecommerce_code)))
    fact_book(run).stored(built, export_lines(inventory), replaces=replaces)


def record_moved(run: ExportRun, row: ExportInventoryRecord) -> None:
    """Bring the facts of an export inventory up to date after its status or state changed."""
    fact_book(run).moved(Direction.EXPORT, row.eport_no, moved_values(row))


def record_returned(run: ExportRun, inventory_id: int, returned_lines: dict[str, str]) -> None:
    """Mark the lines of an export inventory whose goods were tallied back in as returned."""
    row = run.session.get(ExportInventoryRecord, inventory_id)
    line_nos = sorted(int(no) for no, quantity in returned_lines.items() if Decimal(quantity) > 0)
    if row is not None:
        fact_book(run).returned(Direction.EXPORT, row.eport_no, line_nos)


# --- backfill -----------------------------------------------------------------------------------------------------


def rebuilt_rows(
    session: Session, row: ExportInventoryRecord, party: Callable[[str], EnterpriseRef | None], *, now: datetime
) -> list[dict[str, Any]]:
    """Return the fact rows live intake would hold now for a stored export inventory."""
    inventory = unseal(ExportInventory, row.payload)
    built = header(row, inventory, _tenant(party(row.ecommerce_code)))
    rows = fact_rows(built, export_lines(inventory), lambda currency, on: cny_per_unit(session, currency, on), now=now)
    returned = {
        int(no)
        for ret in session.scalars(
            select(ExportReturnRecord).where(
                ExportReturnRecord.inventory_id == row.id, ExportReturnRecord.state == ReturnState.TALLIED
            )
        )
        for no, quantity in ret.returned_lines.items()
        if Decimal(quantity) > 0
    }
    if built.status != FactStatus.CANCELLED:
        for fact in rows:
            if fact["line_no"] in returned:
                fact["status"] = FactStatus.RETURNED.value
    return rows


def backfill_export_facts(
    ctx: Context, *, progress: Callable[[int, int], None] | None = None, chunk: int = 200
) -> BackfillReport:
    """Build the facts of every stored export inventory from its stored document, idempotently.

    One transaction per chunk; facts equal to what intake would hold now are left alone. ``progress`` is told
    (done, total) after each chunk.
    """
    report = BackfillReport(Direction.EXPORT.value)
    with ctx.uow() as uow:
        total = int(uow.session.scalar(select(func.count()).select_from(ExportInventoryRecord)) or 0)
    last = 0
    while True:
        with ctx.uow() as uow:
            session = uow.session
            rows = list(
                session.scalars(
                    select(ExportInventoryRecord)
                    .where(ExportInventoryRecord.id > last)
                    .order_by(ExportInventoryRecord.id)
                    .limit(chunk)
                )
            )
            if not rows:
                break
            party = functools.partial(find_active_by_code, session)
            now = ctx.clock.now()
            for row in rows:
                built = rebuilt_rows(session, row, party, now=now)
                outcome = sync_facts(session, Direction.EXPORT, row.eport_no, built)
                setattr(report, outcome, getattr(report, outcome) + 1)
            uow.commit()
        report.inventories += len(rows)
        last = rows[-1].id
        if progress is not None:
            progress(report.inventories, total)
    return report
