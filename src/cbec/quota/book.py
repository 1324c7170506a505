"""The quota accounts of one message (报文额度账): read and locked together, reserved without a savepoint.

Intake reserves the annual value quota and the per-person quantity caps of many inventories in one
transaction. ``QuotaBook`` reads and locks the money accounts of all the message's buyers in two
statements, answers ``used`` from memory, and reserves an inventory's value and quantities all or nothing
by checking every limit before it writes anything, so no savepoint (and no flush) is needed per
inventory. Entries, account changes and audit records are ordinary pending rows: the transaction's one
flush writes them in batched statements. The rules are those of ``reserve`` and ``reserve_quantity``:
the same entries, the same refusals, idempotent per inventory reference.

The caller must hold the buyers' intake locks (``buyer:<key>``) before loading them, as every writer of a
buyer's quota does, so the rows read here cannot change under the book.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbec.common.errors import Problem
from cbec.quota import repository
from cbec.quota.errors import QuotaConflict
from cbec.quota.models import QuantityAccount, QuotaAccount, QuotaEntry
from cbec.quota.rules import annual_limit_problem, exact_fen, quantity_cap_problem, quota_year, yuan
from cbec.quota.service import _check_quantity, consume_quantity, consume_value, to_quantity
from cbec.storage.upsert import insert_ignore_many


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
            .where(QuotaAccount.buyer_key.in_(wanted), QuotaAccount.year == self.year)
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
        quantities: list[tuple[QuantityAccount, Decimal, QuantityClaim]] = []
        self._load_quantities(buyer_key, caps)
        for hs8 in sorted(caps):
            claim = caps[hs8]
            _check_quantity(hs8, claim.quantity, claim.cap)
            quantity = to_quantity(claim.quantity)
            holder = self._quantity_account(buyer_key, hs8)
            if holder.used_qty + quantity > claim.cap:
                return [quantity_cap_problem(hs8, holder.used_qty, quantity, claim.cap, claim.unit)]
            quantities.append((holder, quantity, claim))
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
        self._fresh.discard(inventory_ref)  # reserved now: a second call must find the entry
        self._reserved[inventory_ref] = (buyer_key, amount_fen)
        return []

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
