"""The quota accounts of one message (报文额度账): read and locked together, reserved without a savepoint.

Intake reserves the annual value quota and the per-person quantity caps of many inventories in one
transaction. ``QuotaBook`` reads and locks the money accounts of all the message's buyers in two
statements, answers ``used`` from memory, and reserves an inventory's value and quantities all or nothing
by checking every limit before it writes anything, so no savepoint (and no flush) is needed per
inventory. Entries, account changes and audit records are ordinary pending rows: the transaction's one
flush writes them in batched statements. This is the one implementation of the quota rules: the
service's ``reserve`` and ``reserve_quantity`` answer through a book of their own (the same entries, the
same refusals, idempotent per inventory reference), and the write primitives below are shared with the
service's restorations.

The caller must hold the buyers' intake locks (``buyer:<key>``) before loading them, as every writer of a
buyer's quota does, so the rows read here cannot change under the book.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.errors import Problem
from cbec.quota import repository
from cbec.quota.errors import QuotaConflict
from cbec.quota.models import CONSUME, CONSUME_OPERATION, QuantityAccount, QuotaAccount, QuotaEntry
from cbec.quota.rules import annual_limit_problem, exact_fen, quantity_cap_problem, quota_year, yuan
from cbec.storage.sets import one_of
from cbec.storage.upsert import insert_ignore_many

ZERO = Decimal("0")
QUANTITY_PLACES = Decimal("0.00001")  # CEB quantities are N19,5


@dataclass(frozen=True, slots=True)
class QuantityClaim:
    """An inventory's total legal quantity of one tariff line that has a per-person annual cap."""

    quantity: Decimal
    cap: Decimal
    unit: str


class QuotaBook:
    """The quota accounts of one message's buyers for one year, locked and held in memory."""

    def __init__(self, session: Session, year: int) -> None:
        self.session = session
        self.year = year
        self._accounts: dict[str, QuotaAccount] = {}
        self._quantities: dict[tuple[str, str], QuantityAccount] = {}
        self._fresh: set[str] = set()  # inventory references made in this transaction: nothing consumed yet
        self._reserved: dict[str, tuple[str, int]] = {}  # reference -> (buyer, fen) reserved by this book

    def load(self, buyer_keys: Iterable[str]) -> None:
        """Create the buyers' accounts that are missing, then lock and read them all (two statements)."""
        wanted = sorted(set(buyer_keys) - set(self._accounts))
        if not wanted:
            return
        insert_ignore_many(
            self.session,
            QuotaAccount,
            [{"buyer_key": key, "year": self.year, "used_fen": 0} for key in wanted],
            ["buyer_key", "year"],
        )
        stmt = (
            select(QuotaAccount)
            .where(one_of(self.session, QuotaAccount.buyer_key, wanted), QuotaAccount.year == self.year)
            .order_by(QuotaAccount.buyer_key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        self._accounts.update((row.buyer_key, row) for row in self.session.scalars(stmt))

    def prefetch(self, inventory_refs: Iterable[str]) -> None:
        """Read in one query whether these inventories hold their value reservation already.

        Call it once the buyers' accounts are locked: a reference without one is then known to hold none (as if
        fresh), and one with a reservation of this year is remembered with it, so reserving asks no more queries.
        """
        wanted = sorted({r for r in inventory_refs if r and r not in self._fresh and r not in self._reserved})
        if not wanted:
            return
        found = repository.consumptions_of(self.session, wanted)
        for ref in wanted:
            entry = found.get(ref)
            if entry is None:
                self._fresh.add(ref)
            elif entry.year == self.year:
                self._reserved[ref] = (entry.buyer_key, entry.amount_fen)
            # another year's reservation: left to _already_reserved, which refuses it

    def fresh(self, inventory_ref: str) -> None:
        """Note a reference first given out in this transaction: no earlier reservation can exist for it."""
        self._fresh.add(inventory_ref)

    def used(self, buyer_key: str) -> Decimal:
        """Return what the buyer has used of the year's value quota, including this transaction's reservations."""
        return yuan(self._account(buyer_key).used_fen)

    def reserve(
        self,
        *,
        buyer_key: str,
        name_key: str,
        amount: Decimal,
        annual_limit: Decimal,
        caps: Mapping[str, QuantityClaim],
        inventory_ref: str,
        order_no: str,
        platform_name: str,
        declared_at: datetime,
        at: datetime,
        actor: str = "system",
    ) -> list[Problem]:
        """Reserve an inventory's value and capped quantities together; return the refusal, writing nothing, if any.

        A reference that already holds its reservation (a retry) is accepted again without consuming twice.
        """
        if quota_year(declared_at) != self.year:
            raise ValueError(f"an inventory declared at {declared_at.isoformat()} counts in {quota_year(declared_at)}")
        amount_fen = exact_fen(amount)
        limit_fen = exact_fen(annual_limit, what="annual limit")
        account = self._account(buyer_key)
        if inventory_ref not in self._fresh and self._already_reserved(buyer_key, amount_fen, inventory_ref):
            return []
        before = account.used_fen
        if before + amount_fen > limit_fen:
            return [annual_limit_problem(before, amount_fen, limit_fen)]
        quantities = self._checked_quantities(buyer_key, caps)
        if isinstance(quantities, Problem):
            return [quantities]
        # Every limit holds: write the value reservation, then each tariff line in hs8 order.
        consume_value(
            self.session,
            account,
            amount_fen=amount_fen,
            limit_fen=limit_fen,
            inventory_ref=inventory_ref,
            order_no=order_no,
            platform_name=platform_name,
            declared_at=declared_at,
            name_key=name_key,
            at=at,
            actor=actor,
        )
        self._consume_quantities(quantities, inventory_ref, at, actor)
        self._fresh.discard(inventory_ref)  # reserved now: a second call must find the entry
        self._reserved[inventory_ref] = (buyer_key, amount_fen)
        return []

    def used_quantity(self, buyer_key: str, hs8: str) -> Decimal:
        """Return what the buyer has used of a tariff line's annual cap, including this transaction's reservations."""
        return self._quantity_account(buyer_key, hs8).used_qty

    def reserve_quantity(
        self,
        *,
        buyer_key: str,
        hs8: str,
        claim: QuantityClaim,
        inventory_ref: str,
        declared_at: datetime,
        at: datetime,
        actor: str = "system",
    ) -> Problem | None:
        """Reserve one tariff line's capped quantity alone (no value); return the refusal, writing nothing, if any.

        Idempotent per (inventory_ref, hs8): a reference holding this quantity of the line already is accepted.
        """
        if quota_year(declared_at) != self.year:
            raise ValueError(f"an inventory declared at {declared_at.isoformat()} counts in {quota_year(declared_at)}")
        check_quantity(hs8, claim.quantity, claim.cap)
        if self._quantity_reserved(buyer_key, hs8, to_quantity(claim.quantity), inventory_ref):
            return None
        checked = self._checked_quantities(buyer_key, {hs8: claim})
        if isinstance(checked, Problem):
            return checked
        self._consume_quantities(checked, inventory_ref, at, actor)
        return None

    def _checked_quantities(
        self, buyer_key: str, caps: Mapping[str, QuantityClaim]
    ) -> list[tuple[QuantityAccount, Decimal, QuantityClaim]] | Problem:
        """Check every capped line in hs8 order; return the accounts and quantities to write, or the first refusal."""
        quantities: list[tuple[QuantityAccount, Decimal, QuantityClaim]] = []
        self._load_quantities(buyer_key, caps)
        for hs8 in sorted(caps):
            claim = caps[hs8]
            check_quantity(hs8, claim.quantity, claim.cap)
            quantity = to_quantity(claim.quantity)
            holder = self._quantity_account(buyer_key, hs8)
            if holder.used_qty + quantity > claim.cap:
                return quantity_cap_problem(hs8, holder.used_qty, quantity, claim.cap, claim.unit)
            quantities.append((holder, quantity, claim))
        return quantities

    def _consume_quantities(
        self,
        quantities: list[tuple[QuantityAccount, Decimal, QuantityClaim]],
        inventory_ref: str,
        at: datetime,
        actor: str,
    ) -> None:
        for holder, quantity, claim in quantities:
            consume_quantity(
                self.session,
                holder,
                quantity=quantity,
                cap=claim.cap,
                unit=claim.unit,
                inventory_ref=inventory_ref,
                at=at,
                actor=actor,
            )

    def _quantity_reserved(self, buyer_key: str, hs8: str, quantity: Decimal, inventory_ref: str) -> bool:
        """Tell whether the reference holds this line's quantity already (raise if it holds another one)."""
        self._quantity_account(buyer_key, hs8)  # lock the account before looking for an earlier entry
        earlier = repository.find_quantity_entry(self.session, inventory_ref, hs8, CONSUME, CONSUME_OPERATION)
        if earlier is None:
            return False
        if (earlier.buyer_key, earlier.year, earlier.quantity) != (buyer_key, self.year, quantity):
            raise QuotaConflict(
                f"inventory {inventory_ref} already consumed HS {hs8} quantity for another buyer, year or quantity",
                inventory_ref=inventory_ref,
            )
        return True

    def _already_reserved(self, buyer_key: str, amount_fen: int, inventory_ref: str) -> bool:
        """Tell whether the reference holds its value reservation already (raise if it holds another one)."""
        if inventory_ref in self._reserved:
            earlier_key, earlier_fen = self._reserved[inventory_ref]
        else:
            earlier: QuotaEntry | None = repository.find_consumption(self.session, inventory_ref)
            if earlier is None:
                return False
            if earlier.year != self.year:
                raise QuotaConflict(
                    f"inventory {inventory_ref} already consumed quota for another year", inventory_ref=inventory_ref
                )
            earlier_key, earlier_fen = earlier.buyer_key, earlier.amount_fen
        if (earlier_key, earlier_fen) != (buyer_key, amount_fen):
            raise QuotaConflict(
                f"inventory {inventory_ref} already consumed quota for another buyer, year or amount",
                inventory_ref=inventory_ref,
            )
        return True

    def _account(self, buyer_key: str) -> QuotaAccount:
        if buyer_key not in self._accounts:
            self.load([buyer_key])
        return self._accounts[buyer_key]

    def _load_quantities(self, buyer_key: str, hs8s: Iterable[str]) -> None:
        wanted = [hs8 for hs8 in hs8s if (buyer_key, hs8) not in self._quantities]
        if wanted:
            for row in repository.lock_quantity_accounts(self.session, buyer_key, self.year, wanted):
                self._quantities[(buyer_key, row.hs8)] = row

    def _quantity_account(self, buyer_key: str, hs8: str) -> QuantityAccount:
        self._load_quantities(buyer_key, [hs8])
        return self._quantities[(buyer_key, hs8)]


def to_quantity(value: Decimal) -> Decimal:
    """Return a quantity rounded half-up to the 5 places the ledger keeps (a pro-rata return may have more)."""
    return value.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)


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
    record_change(
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
    record_change(
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


def check_quantity(hs8: str, quantity: Decimal, cap: Decimal) -> None:
    """Refuse a malformed tariff line, quantity or cap (a caller's error, not a refusal)."""
    if len(hs8) != 8 or not hs8.isascii() or not hs8.isdigit():
        raise ValueError(f"hs8 must be an 8-digit tariff line, got {hs8!r}")
    for what, value in (("quantity", quantity), ("cap", cap)):
        if not value.is_finite() or value < ZERO:
            raise ValueError(f"{what} must be a non-negative finite number, got {value}")


def record_change(
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
    """Write the audit record of a quota or quantity account that moved."""

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
