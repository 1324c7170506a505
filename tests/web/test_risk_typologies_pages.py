"""The officer's queue with every typology planted (issue 18's Done-when): laundering, IP infringement, quality and
under-valuation cases arrive beside order splitting, fake orders and ID misuse, each with its reasons in words, in
Chinese and in English."""

from __future__ import annotations

from datetime import datetime

from tests.builders import MILK, PARTIES, SERUM
from tests.web.support import Portal

from cbec.common.clock import SHANGHAI
from cbec.demo.risk_traffic import plan_risk_traffic
from cbec.risk.bands import refresh_bands
from cbec.risk.cases import list_cases
from cbec.risk.lists import load_samples
from cbec.risk.service import apply_events


def plant_every_typology(portal: Portal) -> None:
    zone = portal.zone
    load_samples(zone.ctx, actor="test")
    zone.ctx.settings = zone.ctx.settings.model_copy(update={"identity_certified_platforms": [PARTIES.platform.code]})
    traffic = plan_risk_traffic(
        PARTIES,
        (MILK, SERUM),
        seed=3,
        start=datetime(2026, 2, 28, 9, 0, tzinfo=SHANGHAI),
        normal_buyers=80,  # enough lines of milk for its unit-value band (band_min_lines 30)
        splitters=1,
        families=0,
        rings=1,
        launderers=1,
        list_patterns=True,
        id_misusers=1,
        undervalued=1,  # milk at 30 % of its price, on the last day
    )
    for k, (_, sets) in enumerate(traffic.days):
        if k == len(traffic.days) - 1:
            apply_events(zone.ctx)
            assert refresh_bands(zone.ctx).hs6 == 2  # the nightly job: milk's band from the days before
        zone.send([s.order for s in sets], PARTIES.ecommerce)
        zone.send([s.payment for s in sets], PARTIES.payment)
        zone.send([s.waybill for s in sets], PARTIES.logistics)
        zone.send([s.inventory for s in sets], PARTIES.agent)
    apply_events(zone.ctx)


def test_the_queue_shows_a_case_of_every_typology_with_reasons_in_words(portal: Portal) -> None:
    plant_every_typology(portal)
    cases, _ = list_cases(portal.zone.ctx, limit=100)
    assert {t for c in cases for t in c.typologies} == {
        "order_splitting",
        "fake_order",
        "id_misuse",
        "laundering",
        "ip_infringement",
        "quality",
        "undervaluation",
    }
    zh = portal.client("officer").get("/console/risk/cases")
    assert zh.status_code == 200
    for label in ("化整为零", "刷单", "身份冒用", "洗钱", "侵犯知识产权", "质量与生物安全", "低报价格"):
        assert label in zh.text, label
    seller = next(c for c in cases if c.pivot_kind == "enterprise")
    page = portal.client("officer").get(f"/console/risk/cases/{seller.id}")
    assert page.status_code == 200
    for reason in (
        "商品名称与知识产权备案品牌相同或近似",
        "商品与有效的缺陷产品召回相符",
        "商品属于禁止进境物品名单",
        "同一支付人30日内支付3票以上整百元金额的清单",
        "单价低于其价格区间(同HS6、原产国、品牌,或同HS6)中位数的一半",
        "单价更可能为低报而非正常价格(低报后验概率不低于0.5)",
    ):
        assert reason in page.text, reason
    assert "85.7" in page.text  # the look-alike brand's match score
    en = portal.client("officer", lang="en").get(f"/console/risk/cases/{seller.id}")
    assert "a goods line matches a product recall in force (brand, HS6)" in en.text
    assert "IP infringement" in en.text and "Quality and biosecurity" in en.text
    assert "the unit value is more likely under-declared than honest (P(illicit) at least 0.5)" in en.text
