"""Concurrent reservations for one buyer never overspend (PostgreSQL: INSERT … ON CONFLICT + SELECT … FOR UPDATE)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cbec.common.clock import SHANGHAI
from cbec.quota import QuotaDecision, buyer_key_for, name_key_for, reserve, used
from cbec.quota.models import QuotaAccount, QuotaEntry
from cbec.storage.context import Context
from cbec.storage.engine import make_engine, make_session_factory

THREADS = 20


@pytest.mark.postgres
@pytest.mark.slow
def test_twenty_concurrent_reservations_accept_exactly_thirteen(ctx: Context) -> None:
    if ctx.engine.dialect.name != "postgresql":  # same condition as conftest.is_postgres_run()
        pytest.skip("row locks are exercised on PostgreSQL (CBEC_TEST_DATABASE_URL)")
    # One connection per thread, so every transaction is open at once and they really contend.
    engine = make_engine(ctx.engine.url.render_as_string(hide_password=False), pool_size=THREADS, max_overflow=0)
    factory = make_session_factory(engine)
    buyer_key = buyer_key_for(ctx.cipher, "11010519491231002X")
    name_key = name_key_for(ctx.cipher, "张三")
    declared = datetime(2025, 6, 1, 10, 0, tzinfo=SHANGHAI)
    start = threading.Barrier(THREADS)

    def one(n: int) -> QuotaDecision:
        start.wait()  # before taking a connection, so no thread waits on the pool while holding a lock
        with factory() as session, session.begin():
            return reserve(
                session,
                buyer_key=buyer_key,
                name_key=name_key,
                year=2025,
                amount=Decimal("2000.00"),
                annual_limit=Decimal("26000.00"),
                inventory_ref=f"inv-{n:02d}",
                order_no=f"order-{n:02d}",
                platform_name="测试平台",
                declared_at=declared,
            )

    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            decisions = list(pool.map(one, range(THREADS), timeout=120))
    finally:
        engine.dispose()

    accepted = [d for d in decisions if d.accepted]
    assert len(accepted) == 13
    assert sorted(d.used_after for d in accepted) == [Decimal("2000.00") * k for k in range(1, 14)]
    assert all(d.problem is not None and d.used_after == Decimal("26000.00") for d in decisions if not d.accepted)
    with ctx.uow() as uow:
        assert used(uow.session, buyer_key, 2025) == Decimal("26000.00")
        assert uow.session.scalar(select(func.count()).select_from(QuotaAccount)) == 1
        assert uow.session.scalar(select(func.count()).select_from(QuotaEntry)) == 13
