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
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from cbec.audit.repository import record_audit
from cbec.common.clock import business_date
from cbec.common.errors import InvalidInput, Problem
from cbec.common.ids import normalize_resident_id, validate_resident_id
from cbec.common.personal import PersonalDataCipher, mask_id_number, mask_name
from cbec.quota import repository
from cbec.quota.errors import QuotaConflict, QuotaConsumptionNotFound, QuotaStatementNotFound
from cbec.quota.models import CONSUME, CONSUME_OPERATION, RESTORE, QuantityAccount, QuotaAccount, QuotaEntry
from cbec.quota.rules import (
    DEFAULT_ANNUAL_LIMIT,
    QuantityDecision,
    QuotaDecision,
    QuotaStatement,
    QuotaStatementEntry,
    annual_limit_problem,
    exact_fen,
    quantity_cap_problem,
    quota_year,
    remaining,
    yuan,
)
from cbec.storage.context import Context

ZERO = Decimal("0")
QUANTITY_PLACES = Decimal("0.00001")  # CEB quantities are N19,5


def to_quantity(value: Decimal) -> Decimal:
    """Return a quantity rounded half-up to the 5 places the ledger keeps (a pro-rata return may have more)."""
    return value.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)


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

    Idempotent per inventory_ref: a retry returns the earlier accepted decision without consuming again.
    """
    if quota_year(declared_at) != year:
        raise ValueError(f"an inventory declared at {declared_at.isoformat()} counts in {quota_year(declared_at)}")
    amount_fen = exact_fen(amount)
    limit_fen = exact_fen(annual_limit, what="annual limit")
    account = repository.lock_account(session, buyer_key, year)
    earlier = repository.find_consumption(session, inventory_ref)
    if earlier is not None:
        if (earlier.buyer_key, earlier.year, earlier.amount_fen) != (buyer_key, year, amount_fen):
            raise QuotaConflict(
                f"inventory {inventory_ref} already consumed quota for another buyer, year or amount",
                inventory_ref=inventory_ref,
            )
        earlier_limit = earlier.limit_fen if earlier.limit_fen is not None else limit_fen
        return QuotaDecision(
            True,
            yuan(earlier.used_before_fen),
            yuan(earlier.used_after_fen),
            remaining(earlier_limit, earlier.used_after_fen),
        )
    before = account.used_fen
    after = before + amount_fen
    if after > limit_fen:
        problem = annual_limit_problem(before, amount_fen, limit_fen)
        return QuotaDecision(False, yuan(before), yuan(before), remaining(limit_fen, before), problem)
    consume_value(
        session,
        account,
        amount_fen=amount_fen,
        limit_fen=limit_fen,
        inventory_ref=inventory_ref,
        order_no=order_no,
        platform_name=platform_name,
        declared_at=declared_at,
        name_key=name_key,
        at=at or declared_at,
        actor=actor,
    )
    session.flush()
    return QuotaDecision(True, yuan(before), yuan(after), remaining(limit_fen, after))


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
    _audit(session, at, actor, "quota.restored", consumed.buyer_key, consumed.year, before, after, inventory_ref)
    session.flush()
    return yuan(grant)


def consume_value(
    session: Session,
    account: QuotaAccount,
    *,
    amount_fen: int,
    limit_fen: int,
    inventory_ref: str,
    order_no: str,
    platform_name: str,
    declared_at: datetime,
    name_key: str,
    at: datetime,
    actor: str,
) -> None:
    """Write a value reservation the caller has checked: the account moves, one entry and one audit record."""
    before = account.used_fen
    account.used_fen = before + amount_fen
    repository.add_entry(
        session,
        buyer_key=account.buyer_key,
        year=account.year,
        kind=CONSUME,
        amount_fen=amount_fen,
        used_before_fen=before,
        used_after_fen=account.used_fen,
        limit_fen=limit_fen,
        inventory_ref=inventory_ref,
        operation_ref=CONSUME_OPERATION,
        order_no=order_no,
        platform_name=platform_name,
        declared_at=declared_at,
        buyer_name_key=name_key,
        created_at=at,
    )
    _audit(
        session, at, actor, "quota.consumed", account.buyer_key, account.year, before, account.used_fen, inventory_ref
    )


def consume_quantity(
    session: Session,
    account: QuantityAccount,
    *,
    quantity: Decimal,
    cap: Decimal,
    unit: str,
    inventory_ref: str,
    at: datetime,
    actor: str,
) -> None:
    """Write a quantity reservation the caller has checked: the account moves, one entry and one audit record."""
    before = account.used_qty
    account.used_qty = before + quantity
    repository.add_quantity_entry(
        session,
        buyer_key=account.buyer_key,
        year=account.year,
        hs8=account.hs8,
        kind=CONSUME,
        quantity=quantity,
        used_before=before,
        used_after=account.used_qty,
        cap=cap,
        unit=unit,
        inventory_ref=inventory_ref,
        operation_ref=CONSUME_OPERATION,
        created_at=at,
    )
    _audit(
        session,
        at,
        actor,
        "quota.quantity_consumed",
        account.buyer_key,
        account.year,
        before,
        account.used_qty,
        inventory_ref,
        account.hs8,
    )


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
    if quota_year(declared_at) != year:
        raise ValueError(f"an inventory declared at {declared_at.isoformat()} counts in {quota_year(declared_at)}")
    _check_quantity(hs8, quantity, cap)
    quantity = to_quantity(quantity)
    account = repository.lock_quantity_account(session, buyer_key, year, hs8)
    earlier = repository.find_quantity_entry(session, inventory_ref, hs8, CONSUME, CONSUME_OPERATION)
    if earlier is not None:
        if (earlier.buyer_key, earlier.year, earlier.quantity) != (buyer_key, year, quantity):
            raise QuotaConflict(
                f"inventory {inventory_ref} already consumed HS {hs8} quantity for another buyer, year or quantity",
                inventory_ref=inventory_ref,
            )
        earlier_cap = earlier.cap if earlier.cap is not None else cap
        return QuantityDecision(
            True, earlier.used_before, earlier.used_after, max(ZERO, earlier_cap - earlier.used_after)
        )
    before = account.used_qty
    after = before + quantity
    if after > cap:
        problem = quantity_cap_problem(hs8, before, quantity, cap, unit)
        return QuantityDecision(False, before, before, max(ZERO, cap - before), problem)
    consume_quantity(
        session,
        account,
        quantity=quantity,
        cap=cap,
        unit=unit,
        inventory_ref=inventory_ref,
        at=at or declared_at,
        actor=actor,
    )
    session.flush()
    return QuantityDecision(True, before, after, max(ZERO, cap - after))


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
    _audit(
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


def _check_quantity(hs8: str, quantity: Decimal, cap: Decimal) -> None:
    if len(hs8) != 8 or not hs8.isascii() or not hs8.isdigit():
        raise ValueError(f"hs8 must be an 8-digit tariff line, got {hs8!r}")
    for what, value in (("quantity", quantity), ("cap", cap)):
        if not value.is_finite() or value < ZERO:
            raise ValueError(f"{what} must be a non-negative finite number, got {value}")


def _audit(
    session: Session,
    at: datetime,
    actor: str,
    action: str,
    buyer_key: str,
    year: int,
    before: int | Decimal,
    after: int | Decimal,
    inventory_ref: str,
    hs8: str | None = None,
) -> None:
    def shown(value: int | Decimal) -> str:
        return str(yuan(value)) if isinstance(value, int) else format(value, "f")

    key = f"{year}:{buyer_key}" if hs8 is None else f"{year}:{hs8}:{buyer_key}"
    record_audit(
        session,
        at=at,
        actor=actor,
        action=action,
        entity_type="quota_account" if hs8 is None else "quantity_account",
        entity_key=key,
        before={"used": shown(before)},
        after={"used": shown(after)},
        reason=inventory_ref,
    )
