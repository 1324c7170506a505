"""Ruleset 2026.6 through intake and the consumer: a parcel's declared gross weight against its goods' filed unit gross
weights (W1, R2.3, 空包) and the same item bought again by one buyer (S8, R1.2), every set sent through the real
intake; the alerts reach the officers' queue with their reasons in words (zh-CN first), `cbec risk alerts --format
jsonl` and the cases of their pivots; a 2026.5 decision replays to its score where 2026.6 also sees an empty parcel."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy import select
from tests.builders import BUYER, MILK, OTHER_BUYER, PARTIES, SERUM, a_set
from tests.integration.risk.versions.test_past_shipped import stored
from tests.web.support import Portal
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.demo.builders import Buyer, Goods
from cbec.products.schemas import ProductCreate
from cbec.products.service import approve_product, file_product
from cbec.risk.cases.models import RiskCaseAlert
from cbec.risk.models import RiskCounter, RiskDecision
from cbec.risk.rules import evaluate, parse_ruleset, shipped_ruleset
from cbec.risk.service import apply_events, list_alerts, replay_decision

FIFTH = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.5.json").read_text(encoding="utf-8"))
W1_ZH = "清单毛重比商品备案单位毛重合计轻30%以上(疑似空包,40分)或扣除包装后重30%以上(15分)"
S8_ZH = "订购人30日内第4次以上购买同一商品(同一电商企业同一商品货号),该商品合计超过5000元单次限值"


def _file_milk(zone: Zone, weight: str = "1.15") -> None:
    """File the 900 g tin with its packed weight (the zone files the serum without one)."""
    milk = file_product(
        zone.ctx,
        ProductCreate(
            owner_code=PARTIES.ecommerce.code,
            item_no=MILK.item_no,
            name=MILK.name,
            hs_code=MILK.hs_code,
            specification=MILK.specification,
            origin_country="609",
            transaction_unit=MILK.unit,
            legal_unit=MILK.legal_unit,
            net_content=Decimal(900),
            net_content_unit="036",
            unit_gross_weight=Decimal(weight),
        ),
    )
    approve_product(zone.ctx, milk.id, reason="备案通过", actor="zone-office")


def _declare(
    zone: Zone,
    order_no: str,
    *,
    buyer: Buyer = BUYER,
    items: list[tuple[Goods, Decimal]] | None = None,
    gross: str | None = None,
) -> None:
    s = a_set(order_no, buyer=buyer, items=items, gross_weight=None if gross is None else Decimal(gross))
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    got = zone.send([s.inventory], PARTIES.agent)
    assert [r.status for r in got.receipts] == ["2", "120"], got  # declared, accepted (waiting for arrival)


def _trace(zone: Zone, order_no: str) -> dict[str, Any]:
    with zone.ctx.uow() as uow:
        decision = uow.session.scalars(select(RiskDecision).where(RiskDecision.order_no == order_no)).one()
        assert decision.ruleset_version == "2026.6"
        return dict(decision.trace)


def _rule(zone: Zone, order_no: str, rule: str) -> tuple[str, int, str | None]:
    [found] = [r for r in _trace(zone, order_no)["rules"] if r["rule"] == rule]
    return found["status"], found["weight"], found["value"]


def _typology(zone: Zone, order_no: str, typology: str) -> tuple[int, str]:
    [found] = [t for t in _trace(zone, order_no)["typologies"] if t["typology"] == typology]
    return found["score"], found["band"]


def test_w1_compares_the_parcel_with_its_goods_filed_weights(zone: Zone) -> None:
    _file_milk(zone)
    _declare(zone, "ORD20260302000901")  # 2 tins in a parcel of 2.0 kg (the builder's net weight and carton)
    _declare(zone, "ORD20260302000902", gross="0.3")  # an empty parcel: 0.3 kg for 2.3 kg of goods
    _declare(zone, "ORD20260302000903", gross="4.0")  # 0.7 kg beyond the goods and the 1 kg carton allowance
    _declare(zone, "ORD20260302000904", items=[(MILK, Decimal(1)), (SERUM, Decimal(1))], gross="1.5")
    apply_events(zone.ctx)
    assert _rule(zone, "ORD20260302000901", "W1") == ("no_band", 0, "-0.1304")  # (2.0 − 2.3) / 2.3
    assert _rule(zone, "ORD20260302000902", "W1") == ("fired", 40, "-0.8696")
    assert _rule(zone, "ORD20260302000903", "W1") == ("fired", 15, "0.3043")  # (4.0 − 1 − 2.3) / 2.3
    # the serum has no filed weight: 1.5 kg is above the tin's 1.15 kg, the serum may weigh the rest (a parcel under
    # 1.15 kg would be judged light against the tin alone: test_ruleset_2026_6_weight.py)
    assert _rule(zone, "ORD20260302000904", "W1") == ("insufficient", 0, None)
    assert _typology(zone, "ORD20260302000902", "fake_order") == (40, "review")
    assert _typology(zone, "ORD20260302000903", "fake_order") == (15, "none")
    # the same buyer's fourth tin order of the day: S8 counts it, but four orders of 2,384 in all are no splitting
    assert _rule(zone, "ORD20260302000904", "S8") == ("guard_failed", 0, "4")

    [alert] = list_alerts(zone.ctx)
    assert (alert.order_no, alert.typology, alert.score) == ("ORD20260302000902", "fake_order", 40)
    assert alert.band == "review"
    [w1] = alert.contributions
    assert (w1.rule, w1.weight, w1.value, w1.inputs, w1.reason_zh) == (
        "W1",
        40,
        "-0.8696",
        {"doc.weight_deviation": "-0.8696"},
        W1_ZH,
    )
    assert w1.reason_en.startswith("the inventory's gross weight is more than 30 % below")
    with zone.ctx.uow() as uow:
        filed = uow.session.scalars(select(RiskCaseAlert)).one()
        assert (filed.typology, filed.rules, filed.pivot_kind, filed.pivot_key) == (
            "fake_order",
            ["W1"],
            "enterprise",
            PARTIES.ecommerce.code,
        )  # the seller's case: it packs and ships the parcel and filed the weight

    from cbec.cli.main import app
    from cbec.cli.state import state

    state._ctx = zone.ctx
    try:
        out = CliRunner().invoke(app, ["risk", "alerts", "--format", "jsonl"])
    finally:
        state._ctx = None
    assert out.exit_code == 0, out.output
    [line] = [json.loads(text) for text in out.output.splitlines()]
    assert (line["order_no"], line["typology"], line["contributions"][0]["reason_zh"]) == (
        "ORD20260302000902",
        "fake_order",
        W1_ZH,
    )

    portal = Portal(zone)
    zh = portal.client("officer").get("/console/risk").text
    assert "刷单" in zh, zh
    assert W1_ZH in zh and "(+40)" in zh
    en = portal.client("officer", lang="en").get("/console/risk?typology=fake_order").text
    assert w1.reason_en.replace("'", "&#39;") in en and W1_ZH not in en  # escaped as HTML


def test_s8_the_same_item_in_four_inventories_worth_more_than_the_limit(zone: Zone) -> None:
    for n in range(1, 5):  # five tins at 298 each time: 1,490 an inventory, 5,960 in all
        _declare(zone, f"ORD2026030200095{n}", buyer=OTHER_BUYER, items=[(MILK, Decimal(5))])
    apply_events(zone.ctx)
    assert _rule(zone, "ORD20260302000953", "S8") == ("guard_failed", 0, "3")  # 4,470 so far: not over the limit
    assert _rule(zone, "ORD20260302000954", "S8") == ("fired", 40, "4")
    assert _trace(zone, "ORD20260302000954")["inputs"]["doc.item_repeat_value"] == "5960"
    assert _rule(zone, "ORD20260302000954", "W1") == ("insufficient", 0, None)  # no filed weight for the tin
    # on one day, so the day's total over the limit (S3, 20) adds to it: 60 (S8 alone reaches review as well)
    assert _typology(zone, "ORD20260302000954", "order_splitting") == (60, "review")
    [alert] = list_alerts(zone.ctx)
    assert (alert.order_no, [c.rule for c in alert.contributions], alert.contributions[1].reason_zh) == (
        "ORD20260302000954",
        ["S3", "S8"],
        S8_ZH,
    )
    with zone.ctx.uow() as uow:
        filed = uow.session.scalars(select(RiskCaseAlert)).one()
        assert (filed.pivot_kind, filed.rules) == ("buyer", ["S3", "S8"])  # the buyer's case
        buckets = uow.session.execute(
            select(RiskCounter.feature, RiskCounter.value).where(RiskCounter.subject_kind == "buyer_item")
        ).all()
    assert sorted(tuple(b) for b in buckets) == [("inventories", 4), ("value", 596000)]  # one item key, in fen
    zh = Portal(zone).client("officer").get("/console/risk").text
    assert "化整为零" in zh and S8_ZH in zh


def test_a_2026_5_decision_replays_where_2026_6_also_sees_an_empty_parcel(zone: Zone) -> None:
    # a seller undoing a quarter of its inventories (F4 40): 2026.5 and 2026.6 alike; the parcel 82 % light adds W1
    inputs: dict[str, Decimal | None] = {name: Decimal(0) for rule in FIFTH.rules for name in rule.inputs}
    inputs.update({"doc.quick_undo_share": Decimal("0.25"), "enterprise.inventories.30d": Decimal(24)})
    assessment = evaluate(FIFTH, {**inputs, "doc.weight_deviation": Decimal("-0.82")})
    assert (assessment.score, assessment.band.value) == (40, "review")
    found = evaluate(shipped_ruleset(), {**inputs, "doc.weight_deviation": Decimal("-0.82")})
    assert (found.score, found.band.value) == (80, "hold")
    with zone.ctx.uow() as uow:
        uow.session.add(stored(zone.ctx, "E2026100000000005", "O5", FIFTH, assessment, "fake_order", date(2026, 12, 7)))
        uow.commit()
    assert replay_decision(zone.ctx, "E2026100000000005") == (40, 40)
