"""Tax rules and the quota ledger together: tax-rules.md §8 E-17 end to end, and the consumer query."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from cbec.common.clock import SHANGHAI
from cbec.common.errors import InvalidInput
from cbec.common.ids import make_resident_id
from cbec.quota import (
    QuotaStatementNotFound,
    buyer_key_for,
    name_key_for,
    query_quota,
    quota_year,
    reserve,
    restore,
    used,
)
from cbec.storage.context import Context
from cbec.tax import ImportAssessment, TaxLineInput, TaxParameters, TaxPath, assess_import

D = Decimal
ID_NUMBER = "11010519491231002X"
NAME = "张三"
PARAMS = TaxParameters(D("5000"), D("26000"), D("0.7"), D("0"))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def declare(
    ctx: Context, ref: str, goods: str, when: str, *, id_number: str = ID_NUMBER, name: str = NAME
) -> ImportAssessment:
    """Assess one single-line order against the ledger and reserve its quota in one transaction."""
    declared = at(when)
    year = quota_year(declared)
    buyer_key = buyer_key_for(ctx.cipher, id_number)
    line = TaxLineInput(1, "3304990029", D(goods), D("1"), D("0.1"), D("0.13"), "none", D("0"), None, None)
    with ctx.uow() as uow:
        spent = used(uow.session, buyer_key, year)
        assessment = assess_import([line], freight=D("0"), insurance=D("0"), used_quota=spent, params=PARAMS)
        if assessment.path is not TaxPath.REFUSED:
            decision = reserve(
                uow.session,
                buyer_key=buyer_key,
                name_key=name_key_for(ctx.cipher, name),
                year=year,
                amount=assessment.quota_amount,
                annual_limit=PARAMS.annual_limit,
                inventory_ref=ref,
                order_no=f"O-{ref}",
                platform_name="测试平台",
                declared_at=declared,
            )
            assert decision.accepted
            uow.commit()
    return assessment


def used_in(ctx: Context, year: int) -> Decimal:
    with ctx.uow() as uow:
        return used(uow.session, buyer_key_for(ctx.cipher, ID_NUMBER), year)


def run_e17(ctx: Context) -> None:
    for n in range(1, 6):
        assert declare(ctx, f"O{n}", "4800.00", f"2025-0{n}-15 10:00").totals.vat == D("436.80")
    assert used_in(ctx, 2025) == D("24000.00")
    o6 = declare(ctx, "O6", "2000.00", "2025-06-10 10:00")
    assert (o6.totals.vat, used_in(ctx, 2025)) == (D("182.00"), D("26000.00"))
    o7 = declare(ctx, "O7", "0.01", "2025-06-11 10:00")
    assert o7.path is TaxPath.REFUSED
    assert [p.rule_id for p in o7.problems] == ["TAX-ANNUAL-LIMIT"]
    assert used_in(ctx, 2025) == D("26000.00")
    # Return of O6 applied 06-20, goods back 07-01: within 30/45 days, so the quota comes back.
    with ctx.uow() as uow:
        assert restore(
            uow.session, inventory_ref="O6", restore_ref="O6:return:1", amount=D("2000.00"), at=at("2025-07-01 09:00")
        ) == D("2000.00")
        uow.commit()
    assert used_in(ctx, 2025) == D("24000.00")
    o8 = declare(ctx, "O8", "1999.99", "2025-06-25 10:00")
    assert (o8.totals.vat, used_in(ctx, 2025)) == (D("182.00"), D("25999.99"))
    assert declare(ctx, "O9", "0.02", "2025-12-31 10:00").path is TaxPath.REFUSED
    assert used_in(ctx, 2025) == D("25999.99")
    o9b = declare(ctx, "O9b", "0.01", "2025-12-31 10:00")
    assert (o9b.totals.vat, used_in(ctx, 2025)) == (D("0.00"), D("26000.00"))
    declare(ctx, "O10", "5000.00", "2026-01-01 10:00")
    assert (used_in(ctx, 2025), used_in(ctx, 2026)) == (D("26000.00"), D("5000.00"))


def test_e17_quota_exhaustion_across_orders_with_the_ledger(ctx: Context) -> None:
    run_e17(ctx)


def test_consumer_statement_after_e17(ctx: Context) -> None:
    run_e17(ctx)
    statement = query_quota(ctx, id_number="11010519491231002x", name=" 张三 ", year=2025)
    assert statement.id_number_masked == "110105********002X"
    assert statement.name_masked == "张*"
    assert (statement.annual_limit, statement.used, statement.remaining) == (D("26000.00"), D("26000.00"), D("0.00"))
    assert [e.inventory_ref for e in statement.entries] == ["O1", "O2", "O3", "O4", "O5", "O6", "O8", "O9b"]
    o6 = statement.entries[5]
    assert (o6.order_no, o6.platform_name, o6.amount, o6.restored) == ("O-O6", "测试平台", D("2000.00"), D("2000.00"))
    assert o6.declared_at == at("2025-06-10 10:00")
    counted = sum((e.amount - e.restored for e in statement.entries), D("0"))
    assert counted == statement.used
    # The clock says 2026: the default year is the current one.
    current = query_quota(ctx, id_number=ID_NUMBER, name=NAME)
    assert (current.year, current.used, current.remaining) == (2026, D("5000.00"), D("21000.00"))
    assert [e.inventory_ref for e in current.entries] == ["O10"]


def test_statement_of_a_year_without_orders_is_empty(ctx: Context) -> None:
    declare(ctx, "O1", "100.00", "2025-03-01 10:00")
    statement = query_quota(ctx, id_number=ID_NUMBER, name=NAME, year=2024, annual_limit=D("20000"))
    assert (statement.annual_limit, statement.used, statement.remaining, statement.entries) == (
        D("20000.00"),
        D("0.00"),
        D("20000.00"),
        (),
    )


def test_unknown_id_and_wrong_name_give_the_same_answer(ctx: Context) -> None:
    declare(ctx, "O1", "100.00", "2025-03-01 10:00")
    with pytest.raises(QuotaStatementNotFound) as wrong_name:
        query_quota(ctx, id_number=ID_NUMBER, name="李四", year=2025)
    with pytest.raises(QuotaStatementNotFound) as unknown_id:
        query_quota(ctx, id_number=make_resident_id("110105", date(1980, 1, 1), 123), name=NAME, year=2025)
    assert wrong_name.value.message == unknown_id.value.message
    assert wrong_name.value.data == unknown_id.value.data == {}


def test_invalid_id_number_is_refused_with_problems(ctx: Context) -> None:
    with pytest.raises(InvalidInput) as error:
        query_quota(ctx, id_number="110105194912310021", name="", year=2025)
    assert [p.rule_id for p in error.value.problems] == ["ID-CHECKSUM", "QUOTA-NAME"]
