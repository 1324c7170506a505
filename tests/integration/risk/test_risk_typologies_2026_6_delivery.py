"""Ruleset 2026.6 through the consumer and the delivery sweep (SQLite and PostgreSQL): a parcel signed for (CEB513)
too soon after release too far away (D1), and a seller whose parcels are never signed for (D2), with every set, its
release and its signing sent through the real intake; the alerts reach the seller's case, the alert list and
`cbec risk alerts --format jsonl` with their reasons in words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from tests.builders import BUYER, PARTIES
from tests.integration.risk.released import declare_released
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state
from cbec.common.clock import FixedClock, business_date
from cbec.demo.builders import Buyer, DocumentSet, build_waybill_status
from cbec.facts.models import TradeFact
from cbec.risk.cases.models import RiskCase, RiskCaseAlert
from cbec.risk.deliveries import sweep_deliveries
from cbec.risk.models import RiskCounter, RiskDecision, RiskSigning
from cbec.risk.rules import parse_ruleset
from cbec.risk.service import apply_events, list_alerts, replay_decision
from cbec.risk.versions.service import past_shipped_texts

NEAR = Buyer("王芳", "410105199001011233", "13700137000", "河南省郑州市金水区花园路1号", "410105")  # Zhengzhou
FAR = Buyer("赵敏", "460108199202022340", "13600136000", "广东深圳南山区科技园", None)  # no district: the address
SELLER = PARTIES.ecommerce.code


def _clock(zone: Zone) -> FixedClock:
    clock = zone.ctx.clock
    assert isinstance(clock, FixedClock)
    return clock


def _declare(zone: Zone, order_no: str, buyer: Buyer) -> DocumentSet:
    """Declare a complete set, released at once on the clock's time."""
    return declare_released(zone, order_no, buyer=buyer)[0]


def _sign(zone: Zone, s: DocumentSet) -> None:
    got = zone.send([build_waybill_status(s.waybill, at=zone.ctx.clock.now())], PARTIES.logistics)
    assert [r.status for r in got.receipts] == ["120"]


def _delivery(zone: Zone, order_no: str) -> RiskDecision:
    with zone.ctx.uow() as uow:
        found = uow.session.scalars(
            select(RiskDecision).where(RiskDecision.order_no == order_no, RiskDecision.stage == "delivery")
        ).one()
        uow.session.expunge(found)
        return found


def _rule(decision: RiskDecision, rule: str) -> tuple[str, int, str | None]:
    [found] = [r for r in decision.trace["rules"] if r["rule"] == rule]
    return found["status"], found["weight"], found["value"]


@pytest.fixture
def cli(zone: Zone) -> Iterator[CliRunner]:
    state._ctx = zone.ctx
    yield CliRunner()
    state._ctx = None


def test_d1_a_parcel_signed_within_two_hours_more_than_500_km_away(zone: Zone, cli: CliRunner) -> None:
    ctx, clock = zone.ctx, _clock(zone)
    fast_far = _declare(zone, "ORD20260302000901", BUYER)  # 460108 Haikou; released by customs 4601 (Zhengzhou)
    fast_near = _declare(zone, "ORD20260302000902", NEAR)
    slow_far = _declare(zone, "ORD20260302000903", FAR)
    apply_events(ctx)  # the entry decisions
    with ctx.uow() as uow:
        regions = uow.session.execute(
            select(TradeFact.order_no, TradeFact.consignee_region, TradeFact.logistics_no).order_by(TradeFact.order_no)
        ).all()
    assert [tuple(r) for r in regions] == [
        ("ORD20260302000901", "460100", "LORD20260302000901"),
        ("ORD20260302000902", "410100", "LORD20260302000902"),
        ("ORD20260302000903", "440300", "LORD20260302000903"),  # from the address: 广东深圳 → 440300
    ]
    clock.advance(timedelta(minutes=59, seconds=59))
    _sign(zone, fast_far)
    _sign(zone, fast_near)
    clock.advance(timedelta(hours=49))
    _sign(zone, slow_far)
    done = apply_events(ctx)
    assert (done.assessed, done.alerts) == (3, 1)

    first = _delivery(zone, "ORD20260302000901")
    assert [first.trace["inputs"][n] for n in ("doc.sign_hours", "doc.sign_km")] == ["0.99", "1669.9"]
    assert _rule(first, "D1") == ("fired", 40, "0.99")
    assert (first.score, first.band, first.typology, first.stage) == (40, "review", "fake_order", "delivery")
    assert (first.subjects, first.business_day) == (
        {"enterprise": SELLER, "platform": PARTIES.platform.code},
        business_date(clock.now() - timedelta(hours=49)),
    )
    assert _rule(_delivery(zone, "ORD20260302000902"), "D1") == ("guard_failed", 0, "0.99")  # 0.0 km
    assert _rule(_delivery(zone, "ORD20260302000903"), "D1") == ("no_band", 0, "49.99")  # 49.99 h, 1,358 km
    assert _delivery(zone, "ORD20260302000903").trace["inputs"]["doc.sign_km"] == "1358.4"
    assert replay_decision(ctx, first.eport_no, stage="delivery") == (40, 40)
    assert replay_decision(ctx, first.eport_no) == (0, 0)  # its entry decision, as it was

    with ctx.uow() as uow:  # one alert, the seller's: filed in the e-commerce enterprise's case
        [alert] = uow.session.scalars(select(RiskCaseAlert)).all()
        case = uow.session.get(RiskCase, alert.case_id)
        assert case is not None
        assert (alert.decision_id, alert.rules, alert.pivot_kind, alert.pivot_key) == (
            first.id,
            ["D1"],
            "enterprise",
            SELLER,
        )
        assert (case.pivot_kind, case.pivot_key, case.score) == ("enterprise", SELLER, 40)
    [listed] = list_alerts(ctx)
    assert (listed.eport_no, listed.typology, listed.score, [c.rule for c in listed.contributions]) == (
        first.eport_no,
        "fake_order",
        40,
        ["D1"],
    )
    reason = listed.contributions[0]
    assert reason.reason_zh.startswith("包裹放行后不到2小时即在500公里以外签收")
    assert reason.inputs == {"doc.sign_hours": "0.99", "doc.sign_km": "1669.9"}
    out = cli.invoke(app, ["risk", "alerts", "--format", "jsonl"])
    assert out.exit_code == 0, out.output
    [row] = [json.loads(line) for line in out.output.splitlines()]
    assert (row["eport_no"], row["contributions"][0]["rule"], row["contributions"][0]["reason_en"][:38]) == (
        first.eport_no,
        "D1",
        "the parcel was signed for less than 2 ",
    )

    clock.advance(timedelta(hours=1))
    _sign(zone, fast_far)  # signed for again: the first signing stands
    again = apply_events(ctx)
    assert (again.assessed, again.alerts) == (0, 0)
    with ctx.uow() as uow:
        assert uow.session.query(RiskSigning).count() == 3
        assert uow.session.query(RiskDecision).filter_by(stage="delivery").count() == 3
        assert uow.session.query(RiskDecision).filter_by(stage="entry").count() == 3


def test_signings_are_kept_under_2026_5_but_decided_only_by_2026_6(zone: Zone) -> None:
    ctx, clock = zone.ctx, _clock(zone)
    fifth = parse_ruleset(next(t for t in past_shipped_texts() if '"version": "2026.5"' in t))
    s = _declare(zone, "ORD20260302000911", BUYER)
    clock.advance(timedelta(minutes=30))
    _sign(zone, s)
    done = apply_events(ctx, ruleset=fifth)
    assert (done.assessed, done.alerts) == (1, 0)  # its entry decision only
    with ctx.uow() as uow:
        assert [r.eport_no for r in uow.session.scalars(select(RiskSigning))] == ["B20260302000000001"]
        assert uow.session.query(RiskDecision).filter_by(stage="delivery").count() == 0


def test_d2_the_sweep_decides_a_seller_s_parcels_never_signed_for(zone: Zone) -> None:
    ctx, clock = zone.ctx, _clock(zone)
    released = business_date(clock.now())
    sets = [_declare(zone, f"ORD2026030200{n:04d}", NEAR if n % 2 else BUYER) for n in range(1000, 1020)]
    clock.advance(timedelta(hours=3))
    for s in sets[:14]:  # 14 of 20 signed for the same day, 6 never
        _sign(zone, s)
    apply_events(ctx)
    early = sweep_deliveries(ctx)  # nothing is 15 days old yet
    assert (early.released_until, early.days, early.unsigned) == (released - timedelta(days=15), [], 0)

    clock.advance(timedelta(days=15))
    swept = sweep_deliveries(ctx)
    assert (swept.released_until, swept.days, swept.parcels, swept.unsigned, swept.alerts) == (
        released,
        [released],
        20,
        6,
        6,
    )
    assert swept.ruleset_version == "2026.6"
    for s in sets[14:]:
        decision = _delivery(zone, s.order.order_no)
        inputs = decision.trace["inputs"]
        assert [inputs[n] for n in ("doc.unsigned", "doc.unsigned_share", "doc.carrier_unsigned_share")] == [
            "1",
            "0.3000",
            "0.3000",
        ]
        assert _rule(decision, "D2") == ("fired", 40, "0.3000")
        assert (decision.band, decision.business_day) == ("review", released + timedelta(days=15))
    with ctx.uow() as uow:
        buckets = uow.session.execute(
            select(RiskCounter.subject_key, RiskCounter.feature, RiskCounter.value)
            .where(RiskCounter.feature.in_(["released", "unsigned"]), RiskCounter.day == released)
            .order_by(RiskCounter.subject_key, RiskCounter.feature)
        ).all()
        assert [tuple(b) for b in buckets] == [
            (SELLER, "released", 20),
            (SELLER, "unsigned", 6),
            (PARTIES.logistics.code, "released", 20),
            (PARTIES.logistics.code, "unsigned", 6),
        ]
        # ten tins of one item a day per buyer are order splitting too (S3 and S8 at entry): the buyers' cases
        every = uow.session.scalars(select(RiskCaseAlert).order_by(RiskCaseAlert.id)).all()
        assert {a.pivot_kind for a in every if a.typology == "order_splitting"} == {"buyer"}
        alerts = [a for a in every if a.typology == "fake_order"]
        assert {(a.rules[0], a.pivot_kind, a.pivot_key) for a in alerts} == {("D2", "enterprise", SELLER)}
        assert len(alerts) == 6 and len({a.case_id for a in alerts}) == 1  # one case: the seller's
    assert sweep_deliveries(ctx).days == []  # a day is swept once
    fake = list_alerts(ctx, typology="fake_order")
    assert {a.contributions[0].reason_zh[:12] for a in fake} == {"包裹放行15天后仍无签收"}
    assert Decimal(fake[0].contributions[0].value) == Decimal("0.3")
