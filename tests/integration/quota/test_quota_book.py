"""The quota book of one message on a real database: all-or-nothing reservations without a savepoint or flush."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, func, select

from cbec.audit.models import AuditRecord
from cbec.common.clock import SHANGHAI
from cbec.quota import QuotaConflict, buyer_key_for, name_key_for, reserve, used, used_quantity
from cbec.quota.book import QuantityClaim, QuotaBook
from cbec.quota.models import QuantityEntry, QuotaAccount, QuotaEntry
from cbec.storage.context import Context

D = Decimal
WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
LIMIT = D("26000.00")
WINE = "22042100"


def buyer(ctx: Context, number: str = "11010519491231002X") -> str:
    return buyer_key_for(ctx.cipher, number)


def claim(book: QuotaBook, ctx: Context, ref: str, amount: str, **overrides: Any) -> list[Any]:
    values: dict[str, Any] = {
        "buyer_key": buyer(ctx),
        "name_key": name_key_for(ctx.cipher, "张三"),
        "amount": D(amount),
        "annual_limit": LIMIT,
        "caps": {},
        "inventory_ref": ref,
        "order_no": f"ORDER-{ref}",
        "platform_name": "测试平台",
        "declared_at": WHEN,
        "at": WHEN,
    }
    values.update(overrides)
    return book.reserve(**values)


def entries(ctx: Context) -> list[tuple[str, str, int, int, int]]:
    with ctx.uow() as uow:
        rows = uow.session.scalars(select(QuotaEntry).order_by(QuotaEntry.id))
        return [(r.inventory_ref, r.kind, r.amount_fen, r.used_before_fen, r.used_after_fen) for r in rows]


def test_reservations_of_one_message_are_written_by_one_commit_and_counted_as_they_go(ctx: Context) -> None:
    with ctx.uow() as uow:
        book = QuotaBook(uow.session, 2026)
        book.load([buyer(ctx)])
        assert book.used(buyer(ctx)) == D("0.00")
        assert claim(book, ctx, "B1", "1000.00") == []
        assert claim(book, ctx, "B2", "2500.50") == []
        assert book.used(buyer(ctx)) == D("3500.50")
        uow.commit()
    assert entries(ctx) == [("B1", "consume", 100000, 0, 100000), ("B2", "consume", 250050, 100000, 350050)]
    with ctx.uow() as uow:
        assert used(uow.session, buyer(ctx), 2026) == D("3500.50")
        actions = list(uow.session.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)))
    assert actions == ["quota.consumed", "quota.consumed"]


def test_loading_many_buyers_takes_two_statements(ctx: Context) -> None:
    keys = [buyer_key_for(ctx.cipher, n) for n in ("11010519491231002X", "110105194912310029", "11010519491231003X")]
    statements: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", count)
    try:
        with ctx.uow() as uow:
            book = QuotaBook(uow.session, 2026)
            book.load(keys)
            book.load(keys)  # already held: nothing more
            assert [book.used(k) for k in keys] == [D("0.00")] * 3
            uow.commit()
    finally:
        event.remove(ctx.engine, "before_cursor_execute", count)
    assert len([s for s in statements if "quota_account" in s]) == 2
    with ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(QuotaAccount)) == 3


def test_an_annual_limit_refusal_writes_nothing(ctx: Context) -> None:
    with ctx.uow() as uow:
        book = QuotaBook(uow.session, 2026)
        assert claim(book, ctx, "B1", "25000.00") == []
        refusal = claim(book, ctx, "B2", "1000.01")
        assert [p.rule_id for p in refusal] == ["QUOTA-ANNUAL-LIMIT"]
        assert book.used(buyer(ctx)) == D("25000.00")
        uow.commit()
    assert entries(ctx) == [("B1", "consume", 2500000, 0, 2500000)]


def test_a_quantity_cap_refusal_leaves_the_value_quota_untouched(ctx: Context) -> None:
    """What the savepoint used to guarantee: value and quantities are reserved together or not at all."""
    caps = {WINE: QuantityClaim(D("7"), D("6"), "升")}
    with ctx.uow() as uow:
        book = QuotaBook(uow.session, 2026)
        refusal = claim(book, ctx, "B1", "300.00", caps=caps)
        assert [p.rule_id for p in refusal] == ["QUOTA-QUANTITY-CAP"]
        assert book.used(buyer(ctx)) == D("0.00")
        assert claim(book, ctx, "B2", "300.00", caps={WINE: QuantityClaim(D("4.5"), D("6"), "升")}) == []
        uow.commit()
    assert entries(ctx) == [("B2", "consume", 30000, 0, 30000)]
    with ctx.uow() as uow:
        assert used_quantity(uow.session, buyer(ctx), 2026, WINE) == D("4.50000")
        quantities = list(uow.session.scalars(select(QuantityEntry.inventory_ref)))
    assert quantities == ["B2"]


def test_a_reference_reserved_before_is_accepted_again_without_consuming_twice(ctx: Context) -> None:
    with ctx.uow() as uow:
        reserve(
            uow.session,
            buyer_key=buyer(ctx),
            name_key=name_key_for(ctx.cipher, "张三"),
            year=2026,
            amount=D("800.00"),
            annual_limit=LIMIT,
            inventory_ref="B1",
            order_no="ORDER-B1",
            platform_name="测试平台",
            declared_at=WHEN,
        )
        uow.commit()
    with ctx.uow() as uow:
        book = QuotaBook(uow.session, 2026)
        assert claim(book, ctx, "B1", "800.00") == []
        assert claim(book, ctx, "B1", "800.00") == []
        with pytest.raises(QuotaConflict):
            claim(book, ctx, "B1", "900.00")
        assert book.used(buyer(ctx)) == D("800.00")
        uow.commit()
    assert entries(ctx) == [("B1", "consume", 80000, 0, 80000)]


def test_a_fresh_reference_is_not_looked_up(ctx: Context) -> None:
    statements: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    with ctx.uow() as uow:
        book = QuotaBook(uow.session, 2026)
        book.load([buyer(ctx)])
        book.fresh("NEW-1")
        event.listen(ctx.engine, "before_cursor_execute", count)
        try:
            assert claim(book, ctx, "NEW-1", "10.00") == []
        finally:
            event.remove(ctx.engine, "before_cursor_execute", count)
        uow.commit()
    assert statements == []
    assert entries(ctx) == [("NEW-1", "consume", 1000, 0, 1000)]


def test_a_declaration_of_another_year_is_refused(ctx: Context) -> None:
    with ctx.uow() as uow:
        book = QuotaBook(uow.session, 2025)
        with pytest.raises(ValueError, match="counts in 2026"):
            claim(book, ctx, "B1", "10.00")
