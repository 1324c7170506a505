"""SQL of the personal annual quota ledger (个人年度交易限值台账); runs in the caller's transaction, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cbec.quota.models import (
    CONSUME,
    CONSUME_OPERATION,
    RESTORE,
    QuantityAccount,
    QuantityEntry,
    QuotaAccount,
    QuotaEntry,
)
from cbec.storage.sets import one_of
from cbec.storage.upsert import insert_ignore, insert_ignore_many


def lock_account(session: Session, buyer_key: str, year: int) -> QuotaAccount:
    """Create the buyer's account for the year if absent, then lock it until the transaction ends.

    Pending changes are written first: the locked row is read again (populate_existing) and must not lose them.
    """
    session.flush()
    insert_ignore(session, QuotaAccount, {"buyer_key": buyer_key, "year": year, "used_fen": 0}, ["buyer_key", "year"])
    stmt = (
        select(QuotaAccount)
        .where(QuotaAccount.buyer_key == buyer_key, QuotaAccount.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(stmt).one()


def get_account(session: Session, buyer_key: str, year: int) -> QuotaAccount | None:
    """Return the buyer's account for the year without locking it."""
    stmt = select(QuotaAccount).where(QuotaAccount.buyer_key == buyer_key, QuotaAccount.year == year)
    return session.scalars(stmt).one_or_none()


def find_entry(session: Session, inventory_ref: str, kind: str, operation_ref: str) -> QuotaEntry | None:
    """Return the entry of one operation on an inventory, if it was recorded."""
    stmt = select(QuotaEntry).where(
        QuotaEntry.inventory_ref == inventory_ref, QuotaEntry.kind == kind, QuotaEntry.operation_ref == operation_ref
    )
    return session.scalars(stmt).one_or_none()


def consumptions_of(session: Session, inventory_refs: Sequence[str]) -> dict[str, QuotaEntry]:
    """Return the consumptions recorded for these inventories, by inventory reference (one query)."""
    if not inventory_refs:
        return {}
    stmt = select(QuotaEntry).where(
        one_of(session, QuotaEntry.inventory_ref, sorted(set(inventory_refs))),
        QuotaEntry.kind == CONSUME,
        QuotaEntry.operation_ref == CONSUME_OPERATION,
    )
    return {entry.inventory_ref: entry for entry in session.scalars(stmt)}


def find_consumption(session: Session, inventory_ref: str) -> QuotaEntry | None:
    """Return the consumption recorded for an inventory, if any."""
    return find_entry(session, inventory_ref, CONSUME, CONSUME_OPERATION)


def restored_fen(session: Session, inventory_ref: str) -> int:
    """Return how much quota has been restored for an inventory, in fen."""
    stmt = select(func.coalesce(func.sum(QuotaEntry.amount_fen), 0)).where(
        QuotaEntry.inventory_ref == inventory_ref, QuotaEntry.kind == RESTORE
    )
    return int(session.scalar(stmt) or 0)


def add_entry(session: Session, **values: Any) -> QuotaEntry:
    """Add a ledger entry to the transaction."""
    entry = QuotaEntry(**values)
    session.add(entry)
    return entry


def name_matches(session: Session, buyer_key: str, name_key: str) -> bool:
    """Tell whether any counted inventory of this ID number was declared under this name."""
    stmt = (
        select(QuotaEntry.id)
        .where(QuotaEntry.buyer_key == buyer_key, QuotaEntry.buyer_name_key == name_key, QuotaEntry.kind == CONSUME)
        .limit(1)
    )
    return session.scalar(stmt) is not None


def consumptions(session: Session, buyer_key: str, year: int) -> list[QuotaEntry]:
    """Return the consumptions of a buyer in a year, in declaration order."""
    stmt = (
        select(QuotaEntry)
        .where(QuotaEntry.buyer_key == buyer_key, QuotaEntry.year == year, QuotaEntry.kind == CONSUME)
        .order_by(QuotaEntry.declared_at, QuotaEntry.id)
    )
    return list(session.scalars(stmt))


def restored_by_inventory(session: Session, inventory_refs: Sequence[str]) -> dict[str, int]:
    """Return the restored fen of each of these inventories (absent when nothing was restored)."""
    if not inventory_refs:
        return {}
    stmt = (
        select(QuotaEntry.inventory_ref, func.sum(QuotaEntry.amount_fen))
        .where(QuotaEntry.inventory_ref.in_(list(inventory_refs)), QuotaEntry.kind == RESTORE)
        .group_by(QuotaEntry.inventory_ref)
    )
    return {ref: int(total) for ref, total in session.execute(stmt)}


# --- quantity caps ---------------------------------------------------------------------------------------------


def lock_quantity_account(session: Session, buyer_key: str, year: int, hs8: str) -> QuantityAccount:
    """Create the buyer's quantity account for the year and tariff line if absent, then lock it (see lock_account)."""
    session.flush()
    insert_ignore(
        session,
        QuantityAccount,
        {"buyer_key": buyer_key, "year": year, "hs8": hs8, "used_qty": Decimal("0")},
        ["buyer_key", "year", "hs8"],
    )
    stmt = (
        select(QuantityAccount)
        .where(QuantityAccount.buyer_key == buyer_key, QuantityAccount.year == year, QuantityAccount.hs8 == hs8)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(stmt).one()


def lock_quantity_accounts(session: Session, buyer_key: str, year: int, hs8s: Sequence[str]) -> list[QuantityAccount]:
    """Create the buyer's missing quantity accounts of these tariff lines, then lock and read them (two statements).

    Unlike ``lock_quantity_account`` nothing is flushed first: for a caller (the quota book) that reads each
    account once per transaction and holds it, so no pending change of the account can be read over.
    """
    wanted = sorted(set(hs8s))
    insert_ignore_many(
        session,
        QuantityAccount,
        [{"buyer_key": buyer_key, "year": year, "hs8": hs8, "used_qty": Decimal("0")} for hs8 in wanted],
        ["buyer_key", "year", "hs8"],
    )
    stmt = (
        select(QuantityAccount)
        .where(
            QuantityAccount.buyer_key == buyer_key,
            QuantityAccount.year == year,
            one_of(session, QuantityAccount.hs8, wanted),
        )
        .order_by(QuantityAccount.hs8)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def get_quantity_account(session: Session, buyer_key: str, year: int, hs8: str) -> QuantityAccount | None:
    """Return the buyer's quantity account without locking it."""
    stmt = select(QuantityAccount).where(
        QuantityAccount.buyer_key == buyer_key, QuantityAccount.year == year, QuantityAccount.hs8 == hs8
    )
    return session.scalars(stmt).one_or_none()


def find_quantity_entry(
    session: Session, inventory_ref: str, hs8: str, kind: str, operation_ref: str
) -> QuantityEntry | None:
    """Return the quantity entry of one operation on an inventory and tariff line, if recorded."""
    stmt = select(QuantityEntry).where(
        QuantityEntry.inventory_ref == inventory_ref,
        QuantityEntry.hs8 == hs8,
        QuantityEntry.kind == kind,
        QuantityEntry.operation_ref == operation_ref,
    )
    return session.scalars(stmt).one_or_none()


def consumed_quantities(session: Session, inventory_ref: str) -> list[tuple[str, Decimal]]:
    """Return (hs8, quantity) of every tariff line an inventory consumed, in hs8 order (the lock order)."""
    stmt = (
        select(QuantityEntry.hs8, QuantityEntry.quantity)
        .where(QuantityEntry.inventory_ref == inventory_ref, QuantityEntry.kind == CONSUME)
        .order_by(QuantityEntry.hs8)
    )
    return [(hs8, quantity) for hs8, quantity in session.execute(stmt)]


def restored_quantity(session: Session, inventory_ref: str, hs8: str) -> Decimal:
    """Return how much quantity has been restored for an inventory and tariff line."""
    stmt = select(QuantityEntry.quantity).where(
        QuantityEntry.inventory_ref == inventory_ref, QuantityEntry.hs8 == hs8, QuantityEntry.kind == RESTORE
    )
    # Summed here, not in SQL: the portable Amount type is text on SQLite.
    return sum(session.scalars(stmt), Decimal("0"))


def add_quantity_entry(session: Session, **values: Any) -> QuantityEntry:
    """Add a quantity entry to the transaction."""
    entry = QuantityEntry(**values)
    session.add(entry)
    return entry
