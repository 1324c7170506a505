"""Personal annual quota ledger (个人年度交易限值台账): reservations, restorations and the consumer query.

``reserve``, ``restore``, ``reserve_quantity`` and ``restore_quantity`` take part in the caller's transaction
(the clearance unit of work) and never commit. Each locks the buyer's account row first and only then looks
for an earlier entry, so retries and concurrent declarations for one buyer are serialised and never overspend.
A caller reserving money and quantities in one transaction must take the money account first and quantity
accounts in ascending hs8 order, and must not commit when any reservation is refused.

``query_quota`` is a use case of its own: one read-only transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from cbec.common.clock import business_date
from cbec.common.errors import InvalidInput, Problem
from cbec.common.ids import normalize_resident_id, validate_resident_id
from cbec.common.personal import PersonalDataCipher, mask_id_number, mask_name
from cbec.quota import repository
from cbec.quota.book import ZERO, QuantityClaim, QuotaBook, record_change, to_quantity
from cbec.quota.errors import QuotaConsumptionNotFound, QuotaStatementNotFound
from cbec.quota.models import CONSUME, CONSUME_OPERATION, RESTORE, QuotaEntry
from cbec.quota.rules import (
    DEFAULT_ANNUAL_LIMIT,
    QuantityDecision,
    QuotaDecision,
    QuotaStatement,
    QuotaStatementEntry,
    exact_fen,
    remaining,
    yuan,
)
from cbec.storage.context import Context


def buyer_key_for(cipher: PersonalDataCipher, id_number: str) -> str:
    """Return the ledger key of a buyer: the blind index of the normalised ID number."""
    return cipher.blind_index(normalize_resident_id(id_number))


def name_key_for(cipher: PersonalDataCipher, name: str) -> str:
    """Return the blind index of a buyer name (blanks around it and letter case ignored)."""
    return cipher.blind_index(name)


def reserve(
    session: Session,
    *,
    buyer_key: str,
    name_key: str,
    year: int,
    amount: Decimal,
    annual_limit: Decimal,
    inventory_ref: str,
    order_no: str,
    platform_name: str,
    declared_at: datetime,
    at: datetime | None = None,
    actor: str = "system",
) -> QuotaDecision:
    """Consume an inventory's dutiable value from the buyer's annual quota, or refuse without writing an entry.

    Idempotent per inventory_ref: a retry returns the earlier accepted decision without consuming again. The
    reservation is the one intake makes (``QuotaBook.reserve``), for an inventory without capped quantities.
    """
    book = QuotaBook(session, year)
    problems = book.reserve(
        buyer_key=buyer_key,
        name_key=name_key,
        amount=amount,
        annual_limit=annual_limit,
        caps={},
        inventory_ref=inventory_ref,
        order_no=order_no,
        platform_name=platform_name,
        declared_at=declared_at,
        at=at or declared_at,
        actor=actor,
    )
    limit_fen = exact_fen(annual_limit, what="annual limit")
    if problems:
        before = book.used(buyer_key)
        return QuotaDecision(False, before, before, remaining(limit_fen, exact_fen(before)), problems[0])
    session.flush()
    entry = repository.find_consumption(session, inventory_ref)
    assert entry is not None  # QuotaBook.reserve accepted: the entry exists
    entry_limit = entry.limit_fen if entry.limit_fen is not None else limit_fen
    return QuotaDecision(
        True, yuan(entry.used_before_fen), yuan(entry.used_after_fen), remaining(entry_limit, entry.used_after_fen)
    )


def restore(
    session: Session,
    *,
    inventory_ref: str,
    restore_ref: str,
    amount: Decimal,
    at: datetime,
    actor: str = "system",
) -> Decimal:
    """Give back quota for (part of) a returned inventory and return the amount actually restored.

    The total restored for an inventory never exceeds what it consumed; the restoration counts in the year the
    inventory was counted. Idempotent per (inventory_ref, restore_ref): a retry returns the earlier amount.
    """
    if not restore_ref:
        raise ValueError("a restoration needs a reference (e.g. the return application number)")
    amount_fen = exact_fen(amount)
    session.flush()  # a reservation made earlier in this transaction must be found
    consumed = repository.find_consumption(session, inventory_ref)
    if consumed is None:
        raise QuotaConsumptionNotFound(f"inventory {inventory_ref} consumed no quota", inventory_ref=inventory_ref)
    account = repository.lock_account(session, consumed.buyer_key, consumed.year)
    earlier = repository.find_entry(session, inventory_ref, RESTORE, restore_ref)
    if earlier is not None:
        return yuan(earlier.amount_fen)
    grant = min(amount_fen, consumed.amount_fen - repository.restored_fen(session, inventory_ref))
    before = account.used_fen
    after = before - grant
    account.used_fen = after
    repository.add_entry(
        session,
        buyer_key=consumed.buyer_key,
        year=consumed.year,
        kind=RESTORE,
        amount_fen=grant,
        used_before_fen=before,
        used_after_fen=after,
        limit_fen=None,
        inventory_ref=inventory_ref,
        operation_ref=restore_ref,
        order_no=consumed.order_no,
        platform_name=consumed.platform_name,
        declared_at=consumed.declared_at,
        buyer_name_key=consumed.buyer_name_key,
        created_at=at,
    )
    record_change(session, at, actor, "quota.restored", consumed.buyer_key, consumed.year, before, after, inventory_ref)
    session.flush()
    return yuan(grant)


def used(session: Session, buyer_key: str, year: int) -> Decimal:
    """Return what a buyer has used of the annual quota in a year."""
    account = repository.get_account(session, buyer_key, year)
    return yuan(account.used_fen if account is not None else 0)


def reserve_quantity(
    session: Session,
    *,
    buyer_key: str,
    year: int,
    hs8: str,
    quantity: Decimal,
    cap: Decimal,
    unit: str,
    inventory_ref: str,
    declared_at: datetime,
    at: datetime | None = None,
    actor: str = "system",
) -> QuantityDecision:
    """Consume a quantity in the legal unit from a per-person annual cap of one tariff line, or refuse it.

    Idempotent per (inventory_ref, hs8); add up an inventory's lines of one hs8 before calling.
    """
    book = QuotaBook(session, year)
    problem = book.reserve_quantity(
        buyer_key=buyer_key,
        hs8=hs8,
        claim=QuantityClaim(quantity=quantity, cap=cap, unit=unit),
        inventory_ref=inventory_ref,
        declared_at=declared_at,
        at=at or declared_at,
        actor=actor,
    )
    if problem is not None:
        before = book.used_quantity(buyer_key, hs8)
        return QuantityDecision(False, before, before, max(ZERO, cap - before), problem)
    session.flush()
    entry = repository.find_quantity_entry(session, inventory_ref, hs8, CONSUME, CONSUME_OPERATION)
    assert entry is not None  # QuotaBook.reserve_quantity accepted: the entry exists
    entry_cap = entry.cap if entry.cap is not None else cap
    return QuantityDecision(True, entry.used_before, entry.used_after, max(ZERO, entry_cap - entry.used_after))


def restore_quantity(
    session: Session,
    *,
    inventory_ref: str,
    hs8: str,
    restore_ref: str,
    quantity: Decimal,
    at: datetime,
    actor: str = "system",
) -> Decimal:
    """Give back quantity of one tariff line for a returned inventory; return the quantity actually restored."""
    if not restore_ref:
        raise ValueError("a restoration needs a reference (e.g. the return application number)")
    if not quantity.is_finite() or quantity < ZERO:
        raise ValueError(f"quantity must be a non-negative finite number, got {quantity}")
    session.flush()  # a reservation made earlier in this transaction must be found
    consumed = repository.find_quantity_entry(session, inventory_ref, hs8, CONSUME, CONSUME_OPERATION)
    if consumed is None:
        raise QuotaConsumptionNotFound(
            f"inventory {inventory_ref} consumed no HS {hs8} quantity", inventory_ref=inventory_ref
        )
    account = repository.lock_quantity_account(session, consumed.buyer_key, consumed.year, hs8)
    earlier = repository.find_quantity_entry(session, inventory_ref, hs8, RESTORE, restore_ref)
    if earlier is not None:
        return earlier.quantity
    grant = min(to_quantity(quantity), consumed.quantity - repository.restored_quantity(session, inventory_ref, hs8))
    before = account.used_qty
    after = before - grant
    account.used_qty = after
    repository.add_quantity_entry(
        session,
        buyer_key=consumed.buyer_key,
        year=consumed.year,
        hs8=hs8,
        kind=RESTORE,
        quantity=grant,
        used_before=before,
        used_after=after,
        cap=None,
        unit=consumed.unit,
        inventory_ref=inventory_ref,
        operation_ref=restore_ref,
        created_at=at,
    )
    record_change(
        session,
        at,
        actor,
        "quota.quantity_restored",
        consumed.buyer_key,
        consumed.year,
        before,
        after,
        inventory_ref,
        hs8,
    )
    session.flush()
    return grant


def restore_all_quantities(
    session: Session, *, inventory_ref: str, restore_ref: str, at: datetime, actor: str = "system"
) -> dict[str, Decimal]:
    """Give back every quantity an inventory still holds (a cancellation); return what was restored per hs8."""
    restored: dict[str, Decimal] = {}
    session.flush()  # reservations made earlier in this transaction must be found
    for hs8, quantity in repository.consumed_quantities(session, inventory_ref):
        restored[hs8] = restore_quantity(
            session,
            inventory_ref=inventory_ref,
            hs8=hs8,
            restore_ref=restore_ref,
            quantity=quantity,
            at=at,
            actor=actor,
        )
    return restored


def used_quantity(session: Session, buyer_key: str, year: int, hs8: str) -> Decimal:
    """Return what a buyer has used of a tariff line's annual quantity cap in a year."""
    account = repository.get_quantity_account(session, buyer_key, year, hs8)
    return account.used_qty if account is not None else ZERO


def query_quota(
    ctx: Context,
    *,
    id_number: str,
    name: str,
    year: int | None = None,
    annual_limit: Decimal = DEFAULT_ANNUAL_LIMIT,
) -> QuotaStatement:
    """Show a consumer their annual quota: limit, used, remaining and each counted inventory.

    Both the ID number and the name must match a counted inventory; an unknown ID number and a wrong name give
    the same error, so the answer never tells whether an ID number is known.
    """
    now = ctx.clock.now()
    number = normalize_resident_id(id_number)
    problems = validate_resident_id(number, today=business_date(now))
    if not name.strip():
        problems.append(Problem("QUOTA-NAME", "name", "姓名不能为空 / The name is required", "Enter the buyer's name."))
    if problems:
        raise InvalidInput("the ID number or name is not valid", problems=problems)
    year = year if year is not None else business_date(now).year
    limit_fen = exact_fen(annual_limit, what="annual limit")
    buyer_key = buyer_key_for(ctx.cipher, number)
    name_key = name_key_for(ctx.cipher, name)
    with ctx.uow() as uow:
        session = uow.session
        if not repository.name_matches(session, buyer_key, name_key):
            raise QuotaStatementNotFound("no counted inventory matches this ID number and name")
        account = repository.get_account(session, buyer_key, year)
        used_fen = account.used_fen if account is not None else 0
        entries = repository.consumptions(session, buyer_key, year)
        restored = repository.restored_by_inventory(session, [e.inventory_ref for e in entries])
        lines = tuple(_statement_entry(entry, restored.get(entry.inventory_ref, 0)) for entry in entries)
    return QuotaStatement(
        id_number_masked=mask_id_number(number),
        name_masked=mask_name(name.strip()),
        year=year,
        annual_limit=yuan(limit_fen),
        used=yuan(used_fen),
        remaining=remaining(limit_fen, used_fen),
        entries=lines,
    )


def _statement_entry(entry: QuotaEntry, restored_fen: int) -> QuotaStatementEntry:
    return QuotaStatementEntry(
        inventory_ref=entry.inventory_ref,
        order_no=entry.order_no,
        platform_name=entry.platform_name,
        declared_at=entry.declared_at,
        amount=yuan(entry.amount_fen),
        restored=yuan(restored_fen),
    )
