"""Personal annual quota ledger on a real database: reservations, refusals, retries, returns, years, quantities."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from cbec.audit.models import AuditRecord
from cbec.common.clock import SHANGHAI
from cbec.quota import (
    QuotaConflict,
    QuotaConsumptionNotFound,
    QuotaDecision,
    buyer_key_for,
    name_key_for,
    quota_year,
    reserve,
    reserve_quantity,
    restore,
    restore_all_quantities,
    restore_quantity,
    used,
    used_quantity,
)
from cbec.quota.models import QuantityEntry, QuotaAccount, QuotaEntry
from cbec.storage.context import Context

D = Decimal
ID_NUMBER = "11010519491231002X"
NAME = "张三"
LIMIT = D("26000.00")


def at(text: str) -> datetime:
    """Return an Asia/Shanghai moment from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def keys(ctx: Context) -> tuple[str, str]:
    return buyer_key_for(ctx.cipher, ID_NUMBER), name_key_for(ctx.cipher, NAME)


def do_reserve(
    ctx: Context, amount: str, ref: str, *, when: str = "2025-06-01 10:00", **overrides: Any
) -> QuotaDecision:
    """Reserve in its own committed transaction, as the clearance unit of work would."""
    buyer_key, name_key = keys(ctx)
    declared = at(when)
    values: dict[str, Any] = {
        "buyer_key": buyer_key,
        "name_key": name_key,
        "year": quota_year(declared),
        "amount": D(amount),
        "annual_limit": LIMIT,
        "inventory_ref": ref,
        "order_no": f"ORDER-{ref}",
        "platform_name": "测试平台",
        "declared_at": declared,
    }
    values.update(overrides)
    with ctx.uow() as uow:
        decision = reserve(uow.session, **values)
        uow.commit()
    return decision


def do_restore(ctx: Context, ref: str, restore_ref: str, amount: str, *, when: str = "2025-06-20 10:00") -> Decimal:
    with ctx.uow() as uow:
        restored = restore(uow.session, inventory_ref=ref, restore_ref=restore_ref, amount=D(amount), at=at(when))
        uow.commit()
    return restored


def used_in(ctx: Context, year: int) -> Decimal:
    with ctx.uow() as uow:
        return used(uow.session, keys(ctx)[0], year)


def count(ctx: Context, model: Any, *criteria: Any) -> int:
    with ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*criteria)) or 0)


def test_reserve_up_to_the_limit_then_refuse(ctx: Context) -> None:
    first = do_reserve(ctx, "25000.00", "inv-1")
    assert first == QuotaDecision(True, D("0.00"), D("25000.00"), D("1000.00"))
    at_limit = do_reserve(ctx, "1000.00", "inv-2")
    assert (at_limit.accepted, at_limit.used_after, at_limit.remaining) == (True, D("26000.00"), D("0.00"))
    refused = do_reserve(ctx, "0.01", "inv-3")
    assert not refused.accepted
    assert (refused.used_before, refused.used_after, refused.remaining) == (D("26000.00"), D("26000.00"), D("0.00"))
    assert refused.problem is not None
    assert refused.problem.rule_id == "QUOTA-ANNUAL-LIMIT"
    assert refused.problem.code == "1313"
    assert "totalPrice: 26,000.01 > limitPrice: 26,000" in refused.problem.message
    # The refusal wrote nothing: used unchanged, no consume entry, no audit record for it.
    assert used_in(ctx, 2025) == D("26000.00")
    assert count(ctx, QuotaEntry, QuotaEntry.inventory_ref == "inv-3") == 0
    assert count(ctx, AuditRecord, AuditRecord.reason == "inv-3") == 0
    assert count(ctx, AuditRecord, AuditRecord.action == "quota.consumed") == 2


def vars_of(row: Any) -> list[Any]:
    return [getattr(row, column.key) for column in row.__table__.columns]


def test_the_id_number_is_never_stored_in_clear(ctx: Context) -> None:
    do_reserve(ctx, "10.00", "inv-1")
    with ctx.uow() as uow:
        account = uow.session.scalars(select(QuotaAccount)).one()
        entry = uow.session.scalars(select(QuotaEntry)).one()
        assert account.buyer_key == entry.buyer_key == ctx.cipher.blind_index(ID_NUMBER)
        assert entry.buyer_name_key == ctx.cipher.blind_index(NAME)
        stored = [*vars_of(account), *vars_of(entry)]
    assert not any(ID_NUMBER in str(value) or NAME in str(value) for value in stored)


def test_retry_of_the_same_inventory_does_not_consume_again(ctx: Context) -> None:
    first = do_reserve(ctx, "3000.00", "inv-1")
    do_reserve(ctx, "500.00", "inv-2")
    retry = do_reserve(ctx, "3000.00", "inv-1")
    assert retry == first
    assert used_in(ctx, 2025) == D("3500.00")
    assert count(ctx, QuotaEntry, QuotaEntry.kind == "consume") == 2


def test_retry_with_another_amount_is_a_conflict_and_writes_nothing(ctx: Context) -> None:
    do_reserve(ctx, "3000.00", "inv-1")
    with pytest.raises(QuotaConflict):
        do_reserve(ctx, "3000.01", "inv-1")
    assert used_in(ctx, 2025) == D("3000.00")


def test_refused_inventory_can_be_retried_when_quota_comes_back(ctx: Context) -> None:
    do_reserve(ctx, "25000.00", "inv-1")
    assert not do_reserve(ctx, "2000.00", "inv-2").accepted
    assert do_restore(ctx, "inv-1", "return-1", "1000.00") == D("1000.00")
    assert do_reserve(ctx, "2000.00", "inv-2").accepted
    assert used_in(ctx, 2025) == D("26000.00")


def test_partial_restores_never_exceed_the_consumption(ctx: Context) -> None:
    do_reserve(ctx, "1000.00", "inv-1")
    do_reserve(ctx, "500.00", "inv-2")
    assert do_restore(ctx, "inv-1", "return-1", "300.00") == D("300.00")
    assert do_restore(ctx, "inv-1", "return-1", "300.00") == D("300.00")  # retry: not restored twice
    assert used_in(ctx, 2025) == D("1200.00")
    assert do_restore(ctx, "inv-1", "return-2", "900.00") == D("700.00")  # capped at what is left
    assert do_restore(ctx, "inv-1", "return-3", "1.00") == D("0.00")
    assert used_in(ctx, 2025) == D("500.00")
    with ctx.uow() as uow:
        rows = uow.session.scalars(select(QuotaEntry).where(QuotaEntry.kind == "restore").order_by(QuotaEntry.id))
        assert [(r.operation_ref, r.amount_fen, r.used_before_fen, r.used_after_fen) for r in rows] == [
            ("return-1", 30000, 150000, 120000),
            ("return-2", 70000, 120000, 50000),
            ("return-3", 0, 50000, 50000),
        ]
    assert count(ctx, AuditRecord, AuditRecord.action == "quota.restored") == 3


def test_restore_of_an_unknown_inventory_is_refused(ctx: Context) -> None:
    with pytest.raises(QuotaConsumptionNotFound):
        do_restore(ctx, "nope", "return-1", "1.00")
    with pytest.raises(ValueError):
        do_restore(ctx, "nope", "", "1.00")


def test_year_is_attributed_in_asia_shanghai(ctx: Context) -> None:
    late = at("2025-12-31 23:30")  # 15:30 UTC the same day, but also 2026-01-01 in some zones: Shanghai decides
    assert quota_year(late) == 2025
    assert quota_year(datetime.fromisoformat("2025-12-31T16:30:00+00:00")) == 2026  # 2026-01-01 00:30 in Shanghai
    do_reserve(ctx, "100.00", "inv-1", when="2025-12-31 23:30")
    do_reserve(ctx, "200.00", "inv-2", when="2026-01-01 00:00")
    assert (used_in(ctx, 2025), used_in(ctx, 2026)) == (D("100.00"), D("200.00"))


def test_year_must_match_the_declaration_time(ctx: Context) -> None:
    with pytest.raises(ValueError):
        do_reserve(ctx, "100.00", "inv-1", when="2025-12-31 23:30", year=2026)


def test_restore_counts_in_the_year_the_inventory_was_counted(ctx: Context) -> None:
    do_reserve(ctx, "800.00", "inv-1", when="2025-12-30 09:00")
    do_reserve(ctx, "100.00", "inv-2", when="2026-01-02 09:00")
    do_restore(ctx, "inv-1", "return-1", "800.00", when="2026-01-10 09:00")
    assert (used_in(ctx, 2025), used_in(ctx, 2026)) == (D("0.00"), D("100.00"))


@pytest.mark.parametrize("amount", ["-0.01", "0.001"])
def test_amounts_must_be_non_negative_fen(ctx: Context, amount: str) -> None:
    with pytest.raises(ValueError):
        do_reserve(ctx, amount, "inv-1")
    assert count(ctx, QuotaEntry) == 0


def test_buyers_are_kept_apart(ctx: Context) -> None:
    do_reserve(ctx, "26000.00", "inv-1")
    other = buyer_key_for(ctx.cipher, "110105194912310029")
    assert do_reserve(ctx, "26000.00", "inv-2", buyer_key=other).accepted
    assert used_in(ctx, 2025) == D("26000.00")


def test_lower_case_x_reaches_the_same_account(ctx: Context) -> None:
    assert buyer_key_for(ctx.cipher, " 11010519491231002x") == buyer_key_for(ctx.cipher, ID_NUMBER)


# --- quantity caps ---------------------------------------------------------------------------------------------


def do_reserve_quantity(ctx: Context, quantity: str, ref: str, hs8: str = "17019910") -> Any:
    declared = at("2025-06-01 10:00")
    with ctx.uow() as uow:
        decision = reserve_quantity(
            uow.session,
            buyer_key=keys(ctx)[0],
            year=2025,
            hs8=hs8,
            quantity=D(quantity),
            cap=D("2"),
            unit="kg",
            inventory_ref=ref,
            declared_at=declared,
        )
        uow.commit()
    return decision


def quantity_used(ctx: Context, hs8: str = "17019910") -> Decimal:
    with ctx.uow() as uow:
        return used_quantity(uow.session, keys(ctx)[0], 2025, hs8)


def test_quantity_cap_reserve_refuse_retry_and_restore(ctx: Context) -> None:
    first = do_reserve_quantity(ctx, "1.5", "inv-1")
    assert (first.accepted, first.used_after, first.remaining) == (True, D("1.5"), D("0.5"))
    refused = do_reserve_quantity(ctx, "0.6", "inv-2")
    assert not refused.accepted
    assert refused.problem.rule_id == "QUOTA-QUANTITY-CAP"
    assert "2.1 kg > 2 kg" in refused.problem.message
    assert count(ctx, QuantityEntry, QuantityEntry.inventory_ref == "inv-2") == 0
    assert do_reserve_quantity(ctx, "1.5", "inv-1") == first  # retry
    assert do_reserve_quantity(ctx, "0.5", "inv-3").accepted
    assert do_reserve_quantity(ctx, "5", "inv-4", hs8="10063020").accepted is False  # rice, another line, same cap
    assert quantity_used(ctx) == D("2")
    with ctx.uow() as uow:
        restored = restore_quantity(
            uow.session,
            inventory_ref="inv-1",
            hs8="17019910",
            restore_ref="r1",
            quantity=D("2"),
            at=at("2025-06-05 10:00"),
        )
        uow.commit()
    assert restored == D("1.5")
    assert quantity_used(ctx) == D("0.5")


def test_restore_all_quantities_of_a_cancelled_inventory(ctx: Context) -> None:
    do_reserve_quantity(ctx, "1", "inv-1")
    do_reserve_quantity(ctx, "1", "inv-1", hs8="10063020")
    with ctx.uow() as uow:
        restored = restore_all_quantities(
            uow.session, inventory_ref="inv-1", restore_ref="cancel", at=at("2025-06-02 10:00")
        )
        uow.commit()
    assert restored == {"10063020": D("1"), "17019910": D("1")}
    assert (quantity_used(ctx), quantity_used(ctx, "10063020")) == (D("0"), D("0"))


def test_pro_rata_quantity_restore_is_kept_to_five_places(ctx: Context) -> None:
    do_reserve_quantity(ctx, "1", "inv-1")
    with ctx.uow() as uow:
        restored = restore_quantity(
            uow.session,
            inventory_ref="inv-1",
            hs8="17019910",
            restore_ref="r1",
            quantity=D(1) / D(3),
            at=at("2025-06-05 10:00"),
        )
        uow.commit()
    assert restored == D("0.33333")
    assert quantity_used(ctx) == D("0.66667")
