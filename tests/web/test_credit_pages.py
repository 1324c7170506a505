"""Credit pages: the enterprise's "my credit" (level, contributions and floors in words, windows, repair and
objection forms) and the officers' console (search, queue, propose / approve by a second officer, objections)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.builders import PARTIES
from tests.web.support import Portal, csrf_of, released_set, send_sets

from cbec.clearance.queries import held_queue
from cbec.common.clock import business_date
from cbec.credit.rules import add_months
from cbec.credit.schemas import FactIn
from cbec.credit.service import (
    apply_events,
    list_objections,
    list_repairs,
    rate_subjects,
    record_fact,
    seed_configuration,
)
from cbec.supervision import MeasureKind, MeasureSpec, SubjectKind, add_measure

A = PARTIES.ecommerce.code
DIGEST = "3c" * 32


def penalty(number: str, severity: str, decided: date) -> FactIn:
    return FactIn(
        subject=A,
        fact_type="penalty",
        source="customs",
        severity=severity,
        decided_on=decided.isoformat(),
        document_no=number,
        legal_basis="海关行政处罚实施条例",
    )


def decided(portal: Portal) -> date:
    """Ten days before the portal's day (its clock is the real present)."""
    return business_date(portal.zone.ctx.clock.now()) - timedelta(days=10)


def credit(portal: Portal) -> tuple[int, int]:
    ctx = portal.zone.ctx
    seed_configuration(ctx)
    apply_events(ctx)
    minor = record_fact(ctx, penalty("海关罚字〔2026〕21号", "minor", decided(portal)), actor="customs").id
    general = record_fact(ctx, penalty("海关罚字〔2026〕22号", "general", decided(portal)), actor="customs").id
    return minor, general


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html.split("<main", 1)[-1])


def test_an_enterprise_reads_why_it_has_its_level_and_applies_for_repair(portal: Portal) -> None:
    minor, general = credit(portal)
    shop = portal.client("shop")
    page = shop.get("/workspace/credit")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "B 级" in text and "82 分" in text
    assert "一般失信信息" in text and "轻微失信信息" in text and "行政处罚" in text
    opens = add_months(decided(portal), 3).isoformat()  # the general fact's minimum window
    assert f"{opens} 起可申请修复" in text
    for field in ("publish_min_until", "fact_type", "penalty", "general", "severity"):
        assert field not in text, field
    token = csrf_of(page.text)
    form = {"csrf_token": token, "evidence_sha256": DIGEST, "description": "已缴清罚款", "commitment": "承诺守法"}
    early = shop.post("/workspace/credit/repairs", data={**form, "fact_id": str(general)}, follow_redirects=False)
    assert early.status_code == 422
    assert f"最短公示期未满，{opens} 起方可申请修复" in early.text and "Apply on or after" not in early.text
    done = shop.post("/workspace/credit/repairs", data={**form, "fact_id": str(minor)}, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/workspace/credit?done=repair")
    assert "修复申请审核中" in shop.get("/workspace/credit").text
    objected = shop.post(
        "/workspace/credit/objections",
        data={"csrf_token": token, "fact_id": str(general), "reason": "已复议撤销"},
        follow_redirects=False,
    )
    assert objected.status_code == 303
    other = portal.client("payer")
    stranger = other.get("/workspace/credit")
    assert stranger.status_code == 200 and "海关罚字" not in stranger.text
    refused = other.post(
        "/workspace/credit/repairs", data={**form, "csrf_token": csrf_of(stranger.text), "fact_id": str(minor)}
    )
    assert refused.status_code == 422
    assert [r.applicant for r in list_repairs(portal.zone.ctx)] == ["shop"]
    english = portal.client("shop", lang="en").get("/workspace/credit")
    assert "My credit" in english.text and "Level B" in english.text and "General negative record" in english.text


def test_officers_review_repairs_with_a_second_person_and_decide_objections(portal: Portal) -> None:
    minor, general = credit(portal)
    shop = portal.client("shop")
    token = csrf_of(shop.get("/workspace/credit").text)
    form = {"csrf_token": token, "evidence_sha256": DIGEST, "description": "已整改", "commitment": "承诺"}
    shop.post("/workspace/credit/repairs", data={**form, "fact_id": str(minor)})
    shop.post("/workspace/credit/objections", data={"csrf_token": token, "fact_id": str(general), "reason": "有误"})
    [repair] = list_repairs(portal.zone.ctx)
    [objection] = list_objections(portal.zone.ctx)

    officer = portal.client("officer")
    console = officer.get("/console/credit")
    assert console.status_code == 200 and "初审通过" in console.text and "有误" in console.text
    token = csrf_of(console.text)
    url = f"/console/credit/repairs/{repair.id}"
    proposed = officer.post(url, data={"csrf_token": token, "action": "propose"}, follow_redirects=False)
    assert proposed.status_code == 303
    again = officer.get("/console/credit")
    assert "须由另一名工作人员批准" in again.text
    own = officer.post(url, data={"csrf_token": token, "action": "approve"})
    assert own.status_code == 422 and "提议人不能自行批准" in own.text
    admin = portal.client("admin")
    approved = admin.post(
        url,
        data={"csrf_token": csrf_of(admin.get("/console/credit").text), "action": "approve"},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    taxman = portal.client("taxman")
    tax_page = taxman.get("/console/credit")
    not_theirs = taxman.post(
        f"/console/credit/objections/{objection.id}", data={"csrf_token": csrf_of(tax_page.text), "action": "uphold"}
    )
    assert not_theirs.status_code == 422 and "只能处理本部门认定的事实" in not_theirs.text
    upheld = officer.post(
        f"/console/credit/objections/{objection.id}",
        data={"csrf_token": token, "action": "uphold", "note": "复议撤销"},
        follow_redirects=False,
    )
    assert upheld.status_code == 303
    subject = officer.get(f"/console/credit?q={A}")
    assert PARTIES.ecommerce.name in subject.text and "A 级" in subject.text and "100 分" in subject.text
    assert "已被更正或修复" in subject.text
    assert portal.client("shop").get("/console/credit").status_code == 403
    assert portal.client("auditor").get("/console/credit").status_code == 403
    assert officer.get("/workspace/credit").status_code == 403


def test_my_credit_shows_the_clearance_measures_of_the_level_and_not_another_systems_holds(portal: Portal) -> None:
    ctx = portal.zone.ctx
    seed_configuration(ctx)
    apply_events(ctx)
    record_fact(
        ctx,
        FactIn(
            subject=A,
            fact_type="customs_tier",
            source="customs",
            tier="advanced",
            decided_on=decided(portal).isoformat(),
            document_no="海关高级认证 2026-031",
        ),
        actor="customs",
    )
    rate_subjects(ctx, dry_run=False, actor="zone-office")
    with ctx.uow() as uow:  # a risk hold is risk's: the enterprise does not see it on its credit page
        now = ctx.clock.now()
        spec = MeasureSpec(MeasureKind.HOLD, "risk decision 9", "风险布控", now)
        add_measure(uow.session, source="risk", subject=(SubjectKind.ENTERPRISE, A), spec=spec, at=now, actor="risk")
        uow.commit()
    shop = portal.client("shop")
    text = " ".join(visible_text(shop.get("/workspace/credit").text).split())
    assert "通关监管与便利措施" in text
    assert "优先办理" in text and "免除担保" in text and "查验率 0.2 %" in text
    assert "信用等级 A：查验率低于常规水平，优先办理，免除担保" in text
    assert "风险布控" not in text and "逐票人工审核" not in text
    assert "担保台账（按担保编号的余额）尚未建设" in text
    english = visible_text(shop.get("/workspace/credit?lang=en").text)
    assert "Clearance measures and facilitation" in english and "Guarantee exempt" in english


def test_the_guarantee_a_listed_shops_inventory_needs_is_on_the_dossier_and_the_shops_document_page(
    portal: Portal,
) -> None:
    ctx = portal.zone.ctx
    seed_configuration(ctx)
    record_fact(
        ctx,
        FactIn(
            subject=A,
            fact_type="list_entry",
            source="customs",
            severity="serious",
            list_type="customs_serious",
            decided_on=decided(portal).isoformat(),
            document_no="海关严重失信 2026-041",
            legal_basis="海关注册登记和备案企业信用管理办法",
        ),
        actor="customs",
    )
    send_sets(portal.zone, [released_set("ORD20260302000941")])
    [held] = held_queue(ctx)
    assert (held.status, held.priority, held.guarantee) == ("300", False, "full")
    dossier = " ".join(
        visible_text(portal.client("officer").get(f"/console/inventories/{held.inventory_no}").text).split()
    )
    assert "便利与担保 全额担保" in dossier and "全额担保 / full guarantee" in dossier
    mine = " ".join(visible_text(portal.client("shop").get(f"/workspace/documents/{held.eport_no}").text).split())
    assert "便利与担保 全额担保" in mine
    queue = " ".join(visible_text(portal.client("officer").get("/console").text).split())
    assert "全额担保" in queue


def test_my_credit_lists_the_stored_aeo_assessments(portal: Portal) -> None:
    from cbec.credit.schemas import AeoAssessIn
    from cbec.credit.service import assess_aeo

    credit(portal)
    shop = portal.client("shop")
    assert "尚无自评记录" in shop.get("/workspace/credit").text
    items = [{"module": "trade_security", "item": "4.1", "score": -2}]
    assess_aeo(portal.zone.ctx, AeoAssessIn(subject=A, items=items), actor="shop")
    text = visible_text(shop.get("/workspace/credit").text.split('id="aeo"')[1])
    assert "98" in text and "未达标" in text and "gacc" in text.lower()
    english = visible_text(portal.client("shop", lang="en").get("/workspace/credit").text.split('id="aeo"')[1])
    assert "Not passed" in english
