"""Non-genuine export trade (R5.3 / R5.4) over labelled export traffic sent through the real intake: receipts of
payment persistently above the declared value, and exports without a receipt past the deadline, alert for their
shops with precision and recall 1.00; 9810 (netting allowed) never does; decisions replay; ruleset 2026.2 decides
no export."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from importlib import resources

from sqlalchemy import select
from tests.integration.exports.export_zone import AT, LAMP, PHONE, TEE, XP, send
from tests.zone import Zone

from cbec.common.clock import FixedClock
from cbec.common.ids import make_uscc
from cbec.demo.export_risk_traffic import ExportTraffic, plan_export_traffic
from cbec.demo.exports import ExportParty, build_export_arrival
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import approve_enterprise, file_enterprise
from cbec.risk.exports import sweep_exports
from cbec.risk.models import RiskDecision
from cbec.risk.rules import parse_ruleset, shipped_ruleset
from cbec.risk.service import apply_events, list_alerts, replay_decision

SHOPS = [ExportParty(f"46019603{n:02d}", f"出口测试企业{n}", f"DXPENT00000003{n:02d}") for n in range(1, 7)]

SECOND = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.2.json").read_text(encoding="utf-8"))


def file_shops(zone: Zone) -> None:
    for n, shop in enumerate(SHOPS, start=1):
        create = EnterpriseCreate(
            uscc=make_uscc(f"9146010007{n:07d}"),
            customs_code=shop.code,
            name=shop.name,
            dxp_id=shop.dxp_id,
            roles=["ecommerce_enterprise"],
        )
        file_enterprise(zone.ctx, create)
        approve_enterprise(zone.ctx, shop.code, reason="材料齐全", actor="zone-office")


def send_traffic(zone: Zone, traffic: ExportTraffic) -> None:
    exports = traffic.exports
    before = [e for e in exports if e.receipt == "before"]
    send(zone, [e.set.order for e in exports], XP.platform)
    if before:
        send(zone, [e.receipt_note for e in before], XP.payment)
    send(zone, [e.set.waybill for e in exports], XP.logistics)
    inventories = send(zone, [e.set.inventory for e in exports], XP.agent)
    assert {r.status for r in inventories.receipts} <= {"2", "120"}, [r.info for r in inventories.receipts][:3]
    arrival = build_export_arrival(XP, [e.set.waybill.logistics_no for e in exports], at=AT, ref="R")
    released = send(zone, [arrival], XP.site_operator).receipts
    assert sum(r.status == "800" for r in released) == len(exports)
    after = [e for e in exports if e.receipt == "after"]
    done = send(zone, [e.receipt_note for e in after], XP.payment).receipts
    assert {r.status for r in done} == {"120"}, [r.info for r in done][:3]


def measure(traffic: ExportTraffic, alerted: Sequence[str]) -> tuple[Decimal, Decimal]:
    precision = Decimal(sum(o in traffic.labels for o in alerted)) / Decimal(len(alerted))
    found = sum(any(o in alerted for o in orders) for orders in traffic.patterns.values())
    return precision, Decimal(found) / Decimal(len(traffic.patterns))


def test_planted_non_genuine_exports_alert_with_full_precision_and_recall(zone: Zone) -> None:
    file_shops(zone)
    traffic = plan_export_traffic(XP, SHOPS, (TEE, LAMP, PHONE), seed=7, at=AT)
    send_traffic(zone, traffic)
    rules = shipped_ruleset()
    report = apply_events(zone.ctx, ruleset=rules)
    inflated = [a.order_no for a in list_alerts(zone.ctx, typology="laundering")]
    assert len(inflated) == 3  # the inflating shop's third, fourth and fifth export (X1 from the third on)
    clock = zone.ctx.clock
    assert isinstance(clock, FixedClock)
    early = sweep_exports(zone.ctx, ruleset=rules)  # nothing is overdue yet
    assert (early.assessed, early.alerts) == (0, 0)
    clock.advance(timedelta(days=30))
    swept = sweep_exports(zone.ctx, ruleset=rules)
    alerted = [a.order_no for a in list_alerts(zone.ctx, typology="laundering")]
    assert len(alerted) == 6 and swept.alerts == 3  # the silent shop's third to fifth export (X2)
    assert measure(traffic, alerted) == (Decimal(1), Decimal(1))
    with zone.ctx.uow() as uow:
        decisions = list(uow.session.scalars(select(RiskDecision)))
        rules_fired = sorted(
            r["rule"] for d in decisions for r in d.trace["rules"] if r["status"] == "fired" and r["weight"]
        )
        netting = [d for d in decisions if d.subjects.get("enterprise") == SHOPS[-1].code]
        scores = [(d.eport_no, d.score) for d in decisions]
    assert rules_fired == ["X1"] * 3 + ["X2"] * 3
    assert netting == []  # 9810 is never assessed
    assessed = [e for e in traffic.exports if e.set.inventory.trade_mode != "9810"]
    normal_missing = sum(1 for e in assessed if e.pattern is None and e.receipt is None)
    assert swept.assessed == 5 + normal_missing  # every overdue 9610/9710 export, alerting or not
    assert report.assessed == sum(1 for e in assessed if e.receipt)
    assert len(scores) == len(assessed)
    for eport_no, score in scores:
        assert replay_decision(zone.ctx, eport_no) == (score, score)


def test_the_2026_2_ruleset_decides_no_export(zone: Zone) -> None:
    file_shops(zone)
    traffic = plan_export_traffic(XP, SHOPS, (TEE, LAMP), seed=3, at=AT, normal_exports=2, planted_exports=3)
    send_traffic(zone, traffic)
    assert apply_events(zone.ctx, ruleset=SECOND).assessed == 0
    clock = zone.ctx.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=31))
    assert sweep_exports(zone.ctx, ruleset=SECOND).assessed == 0
