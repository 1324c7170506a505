"""Lanes in clearance: the risk consumer's lane of an inventory still waiting for its arrival becomes a supervision
measure that clearance applies when the arrival completes it; an inventory released before risk decided it keeps
its lane as a record for post-release audit (no measure, no recall)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from tests.builders import AT, OTHER_BUYER, PARTIES, a_set
from tests.zone import Zone

from cbec.clearance.models import InventoryRecord
from cbec.demo.builders import build_arrival
from cbec.risk.lanes import LanePolicy
from cbec.risk.models import RiskLane
from cbec.risk.service import apply_events
from cbec.supervision.models import SupervisionMeasure

# every clean inventory drawn to red (the random share at its maximum), no budget for risk's own red requests
ALL_RANDOM = LanePolicy(budget=0, random_share=Decimal(1), seed=1)


def declare(zone: Zone, order_no: str, *, arrive: bool, buyer=OTHER_BUYER):  # type: ignore[no-untyped-def]
    s = a_set(order_no, buyer=buyer)
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    zone.send([s.inventory], PARTIES.agent)
    arrival = build_arrival(PARTIES, [s.waybill.logistics_no], bill_no="MAWB20260302001", at=AT)
    if arrive:
        zone.send([arrival], PARTIES.site_operator)
    return arrival


def status(zone: Zone, order_no: str) -> tuple[str, str | None, str]:
    with zone.ctx.uow() as uow:
        row = uow.session.scalars(select(InventoryRecord).where(InventoryRecord.order_no == order_no)).one()
        return row.status, row.status_info, row.eport_no


def test_a_red_lane_decided_before_release_holds_the_inventory_and_one_after_release_is_recorded(zone: Zone) -> None:
    declare(zone, "ORD20260302000931", arrive=True)  # released before risk sees it
    waiting = declare(zone, "ORD20260302000932", arrive=False)
    assert status(zone, "ORD20260302000931")[0] == "800"
    assert status(zone, "ORD20260302000932")[0] == "120"
    report = apply_events(zone.ctx, lanes=ALL_RANDOM)
    assert report.assessed == 2 and report.lanes == {"red": 2}
    with zone.ctx.uow() as uow:
        lanes = [
            (r.eport_no, r.lane, r.reason, r.applied)
            for r in uow.session.scalars(select(RiskLane).order_by(RiskLane.eport_no))
        ]
        measures = [
            (m.subject_key, m.kind, m.reference.split(" decision")[0])
            for m in uow.session.scalars(select(SupervisionMeasure).where(SupervisionMeasure.source == "risk"))
        ]
    released, held = status(zone, "ORD20260302000931")[2], status(zone, "ORD20260302000932")[2]
    assert sorted(lanes) == sorted([(released, "red", "random", False), (held, "red", "random", True)])
    assert measures == [(held, "hold", "risk lane red random")]
    zone.send([waiting], PARTIES.site_operator)
    after, info, _ = status(zone, "ORD20260302000932")
    assert after == "300"
    assert info is not None and "风险红色通道（查验）：random" in info
    assert status(zone, "ORD20260302000931")[0] == "800"  # not recalled
    assert apply_events(zone.ctx, lanes=ALL_RANDOM).lanes == {}  # assessed once, laned once


def test_without_a_lane_policy_no_lane_is_decided(zone: Zone) -> None:
    declare(zone, "ORD20260302000941", arrive=False)
    report = apply_events(zone.ctx)
    assert report.assessed == 1 and report.lanes == {}
    with zone.ctx.uow() as uow:
        assert uow.session.scalars(select(RiskLane)).all() == []
