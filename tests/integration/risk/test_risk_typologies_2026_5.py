"""Ruleset 2026.5 through the consumer: bunching per platform (S7, R1.5) from the platform's near-limit and
lower-band day buckets, and a seller's quick cancels and returns (F4, R2.5) read from the cancel (CEB623) and return
(CEB625) receipts, with every set sent through the real intake."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from tests.builders import AT, BUYER, OTHER_BUYER, PARTIES, SERUM
from tests.integration.risk.released import declare_released
from tests.zone import Zone

from cbec.common.clock import FixedClock, business_date
from cbec.demo.builders import build_cancel, build_return
from cbec.risk import repository as repo
from cbec.risk.cases.models import RiskCaseAlert
from cbec.risk.models import RiskCounter, RiskDecision
from cbec.risk.rules import SubjectKind
from cbec.risk.service import apply_events


def _rule(zone: Zone, order_no: str, rule: str) -> tuple[str, int, str | None]:
    with zone.ctx.uow() as uow:
        decision = uow.session.scalars(select(RiskDecision).where(RiskDecision.order_no == order_no)).one()
        [found] = [r for r in decision.trace["rules"] if r["rule"] == rule]
        return found["status"], found["weight"], found["value"]


def _inputs(zone: Zone, order_no: str, *names: str) -> list[str | None]:
    with zone.ctx.uow() as uow:
        decision = uow.session.scalars(select(RiskDecision).where(RiskDecision.order_no == order_no)).one()
        assert decision.ruleset_version == "2026.6"  # S7 and F4 unchanged since 2026.5
        return [decision.trace["inputs"][name] for name in names]


def test_s7_fires_on_a_near_limit_inventory_of_a_platform_whose_week_bunches(zone: Zone) -> None:
    ctx = zone.ctx
    day = business_date(AT)
    platform = PARTIES.platform.code
    with ctx.uow() as uow:  # the platform's history: 8 weeks of B = 1 (20 and 20), then 36 and 8 this week
        for k in range(1, 9):
            repo.add(uow.session, SubjectKind.PLATFORM, platform, "near_limit", day - timedelta(days=7 * k), 20)
            repo.add(uow.session, SubjectKind.PLATFORM, platform, "below_limit", day - timedelta(days=7 * k), 20)
        repo.add(uow.session, SubjectKind.PLATFORM, platform, "near_limit", day, 36)  # a Monday: its week so far
        repo.add(uow.session, SubjectKind.PLATFORM, platform, "below_limit", day, 8)
        uow.commit()
    declare_released(zone, "ORD20260302000711", items=[(SERUM, Decimal(9))])  # 4,455: the lower band
    apply_events(ctx)
    # 36 / 9 = 4, z = (4 − 1) / 0.25 (the floor of a flat baseline); not itself near the limit
    assert _inputs(zone, "ORD20260302000711", "doc.platform_bunching", "doc.platform_bunching_z") == [
        "4.0000",
        "12.0000",
    ]
    assert _rule(zone, "ORD20260302000711", "S7") == ("guard_failed", 0, "12.0000")
    # 4,950: near the limit
    declare_released(
        zone, "ORD20260302000712", buyer=OTHER_BUYER, items=[(SERUM, Decimal(10))]
    )  # 4,950: near the limit
    apply_events(ctx)
    assert _inputs(zone, "ORD20260302000712", "doc.platform_bunching", "doc.platform_bunching_z") == [
        "4.1111",
        "12.4444",
    ]
    assert _rule(zone, "ORD20260302000712", "S7") == ("fired", 40, "12.4444")
    with ctx.uow() as uow:
        decision = uow.session.scalars(select(RiskDecision).where(RiskDecision.order_no == "ORD20260302000712")).one()
        split = next(t for t in decision.trace["typologies"] if t["typology"] == "order_splitting")
        assert (split["score"], split["band"]) == (40, "review")
        alert = uow.session.scalars(select(RiskCaseAlert).where(RiskCaseAlert.decision_id == decision.id)).one()
        assert (alert.typology, alert.rules, alert.pivot_kind, alert.pivot_key) == (
            "order_splitting",
            ["S7"],
            "platform",
            platform,
        )  # a platform alert: filed in the platform's case
        buckets = uow.session.execute(
            select(RiskCounter.feature, RiskCounter.value)
            .where(RiskCounter.subject_kind == "platform", RiskCounter.day == day)
            .where(RiskCounter.feature.in_(["near_limit", "below_limit"]))
            .order_by(RiskCounter.feature)
        ).all()
        assert [tuple(b) for b in buckets] == [("below_limit", 9), ("near_limit", 37)]  # 8 and 36 seeded, + 1 each
        below_for_buyers = uow.session.scalars(
            select(RiskCounter.value)
            .where(RiskCounter.feature == "below_limit")
            .where(RiskCounter.subject_kind != "platform")
        ).all()
        assert below_for_buyers == []  # the lower band is the platform's only


def test_f4_counts_quick_cancels_and_returns_against_the_seller(zone: Zone) -> None:
    ctx = zone.ctx
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    declared = []
    for n in range(20):
        order_no = f"ORD202603020008{n:02d}"
        declared.append(declare_released(zone, order_no, buyer=BUYER if n % 2 else OTHER_BUYER))
    apply_events(ctx)
    assert _rule(zone, "ORD20260302000819", "F4") == ("no_band", 0, "0.0000")  # 20 inventories, none undone
    assert _rule(zone, "ORD20260302000818", "F4") == ("guard_failed", 0, "0.0000")  # the 19th: too few to judge
    for s, inventory_no in declared[:4]:  # cancelled within the hour of release
        cancelled = zone.send([build_cancel(s.inventory, inventory_no, at=clock.now())], PARTIES.agent)
        assert [r.status for r in cancelled.receipts] == ["120", "399"]
    clock.advance(timedelta(hours=47))
    s, inventory_no = declared[4]  # returned 47 hours after release: quick
    got = zone.send([build_return(s.inventory, inventory_no, [(1, Decimal(1))], at=clock.now())], PARTIES.agent)
    assert [r.status for r in got.receipts] == ["120"]
    clock.advance(timedelta(hours=2))
    s, inventory_no = declared[5]  # returned 49 hours after release: not quick
    got = zone.send([build_return(s.inventory, inventory_no, [(1, Decimal(1))], at=clock.now())], PARTIES.agent)
    assert [r.status for r in got.receipts] == ["120"]
    apply_events(ctx)
    apply_events(ctx)  # a second run counts nothing twice
    with ctx.uow() as uow:
        undone = uow.session.execute(
            select(RiskCounter.subject_key, RiskCounter.day, RiskCounter.value)
            .where(RiskCounter.feature == "quick_undo")
            .order_by(RiskCounter.day)
        ).all()
    assert [tuple(u) for u in undone] == [
        (PARTIES.ecommerce.code, business_date(AT), 4),
        (PARTIES.ecommerce.code, business_date(AT + timedelta(hours=47)), 1),
    ]
    declare_released(zone, "ORD20260302000821", buyer=OTHER_BUYER)
    apply_events(ctx)
    assert _inputs(zone, "ORD20260302000821", "doc.quick_undo_share", "enterprise.inventories.30d") == ["0.2381", "21"]
    assert _rule(zone, "ORD20260302000821", "F4") == ("fired", 40, "0.2381")  # 5 of 21
    with ctx.uow() as uow:
        decision = uow.session.scalars(select(RiskDecision).where(RiskDecision.order_no == "ORD20260302000821")).one()
        fake = next(t for t in decision.trace["typologies"] if t["typology"] == "fake_order")
        assert (fake["score"], fake["band"]) == (40, "review")
        # (the buyer's eleventh tin order of the day, 6,556 in all, is order splitting too since 2026.6: S3 and S8)
        fake_alert = (RiskCaseAlert.decision_id == decision.id, RiskCaseAlert.typology == "fake_order")
        alert = uow.session.scalars(select(RiskCaseAlert).where(*fake_alert)).one()
        assert (alert.typology, alert.rules, alert.pivot_kind, alert.pivot_key) == (
            "fake_order",
            ["F4"],
            "enterprise",
            PARTIES.ecommerce.code,
        )  # the seller's case, not the consignee phone's
