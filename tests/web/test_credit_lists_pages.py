"""Negative-list pages: the officers' list console (entries in force with their measures, the catalogue, the alert
queue decided by the signed-in officer) and the public lists (enterprises only, a person-like name masked)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from tests.builders import PARTIES
from tests.web.support import Portal, csrf_of

from cbec.common.clock import business_date
from cbec.common.ids import make_resident_id, make_uscc
from cbec.credit.schemas import FactIn
from cbec.credit.service import (
    alert_enterprises,
    apply_events,
    import_facts,
    list_alerts,
    list_entries,
    list_list_requests,
    record_fact,
    seed_configuration,
)

A = PARTIES.ecommerce.code
SOLE = make_uscc("92460000MA5TPUB01")  # an individual business (个体工商户) named after its owner


def entry(portal: Portal, subject: str, list_type: str, number: str, **extra: str) -> int:
    source = {"court_dishonest": "court", "zone": "zone", "tax_major": "tax"}[list_type]
    day = business_date(portal.zone.ctx.clock.now()) - timedelta(days=10)
    fact = FactIn(
        subject=subject,
        fact_type="list_entry",
        source=source,
        severity="serious",
        list_type=list_type,
        decided_on=day.isoformat(),
        document_no=number,
        legal_basis="最高人民法院关于公布失信被执行人名单信息的若干规定",
        **extra,  # type: ignore[arg-type]
    )
    return record_fact(portal.zone.ctx, fact, actor="court").id


def listed(portal: Portal, tmp_path: Path) -> None:
    ctx = portal.zone.ctx
    seed_configuration(ctx)
    apply_events(ctx)
    entry(portal, A, "court_dishonest", "(2026)琼01执501号")
    entry(portal, SOLE, "zone", "琼自贸信〔2026〕502号", subject_name="王小明")
    person = make_resident_id("460100", date(1980, 5, 6), 12)
    day = business_date(ctx.clock.now()).isoformat()
    rows = tmp_path / "persons.csv"
    rows.write_text(
        "person_id,fact_type,source,severity,list_type,decided_on,document_no,legal_basis\n"
        f"{person},list_entry,court,serious,court_dishonest,{day},(2026)琼01执503号,失信规定\n",
        encoding="utf-8",
    )
    assert import_facts(ctx, rows).recorded == 1
    assert alert_enterprises(ctx).alerts_new == 1


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html.split("<main", 1)[-1])


def test_officers_see_the_lists_the_catalogue_and_decide_alerts(portal: Portal, tmp_path: Path) -> None:
    listed(portal, tmp_path)
    officer = portal.client("officer")
    assert 'href="/console/credit/lists"' in officer.get("/console/credit").text
    page = officer.get("/console/credit/lists")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert PARTIES.ecommerce.name in text and "王小明" in text and "自然人（不显示）" in text
    assert "CRT-PUBLISH JNT-INSPECT JNT-NO-FACILITATION JNT-ADMISSION JNT-SUBSIDY" in " ".join(text.split())
    assert "联合惩戒" in text and "国办发〔2020〕49号" in text and "通关：查验率 80%" in text
    assert "统一社会信用代码一致" in text and "1.0000" in text
    court = visible_text(officer.get("/console/credit/lists?type=zone").text.split('id="alerts"')[0])
    assert "王小明" in court and PARTIES.ecommerce.name not in court
    [alert] = list_alerts(portal.zone.ctx).items
    token = csrf_of(page.text)
    url = f"/console/credit/lists/alerts/{alert.id}"
    bare = officer.post(url, data={"csrf_token": token, "action": "dismiss"})
    assert bare.status_code == 422 and "驳回须写明理由" in bare.text
    assert officer.post(url, data={"action": "confirm"}).status_code == 403  # no token
    done = officer.post(
        url, data={"csrf_token": token, "action": "confirm", "note": "同一企业"}, follow_redirects=False
    )
    assert (done.status_code, done.headers["location"]) == (303, f"/console/credit/lists?done=alert-{alert.id}#alerts")
    [decided] = list_alerts(portal.zone.ctx, state="confirmed").items
    assert (decided.reviewer, decided.note) == ("officer", "同一企业")
    after = officer.get("/console/credit/lists").text
    assert "没有待复核的预警" in after
    # the confirmed match waits for a second officer to record it; the confirming officer sees no button
    waiting = visible_text(after.split('id="to-record"')[1].split("</section>")[0])
    assert "已确认、待登记的匹配" in waiting and "须由另一名工作人员登记" in waiting and "登记为名单事实" not in waiting
    admin = portal.client("admin")
    other = admin.get("/console/credit/lists").text
    assert 'value="record"' in other.split('id="to-record"')[1]
    same = admin.post(url, data={"csrf_token": csrf_of(other), "action": "record"})
    assert same.status_code == 422 and "该名单条目已是本企业的" in same.text  # the entry is about the shop itself
    english = portal.client("officer", lang="en").get("/console/credit/lists")
    assert "Negative lists" in english.text and "joint punishment" in english.text
    assert portal.client("shop").get("/console/credit/lists").status_code == 403
    assert portal.client().get("/console/credit/lists", follow_redirects=False).status_code == 303


def test_the_public_lists_show_enterprises_only_without_sign_in(portal: Portal, tmp_path: Path) -> None:
    listed(portal, tmp_path)
    page = portal.client().get("/public/credit")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert PARTIES.ecommerce.name in text and "失信被执行人" in text and "提高进出口货物查验比例" in text
    assert "王**" in text and "王小明" not in text  # a person-like name is masked
    assert "执503号" not in page.text and "person:" not in page.text  # persons are never published
    assert "ZON-INSPECT" not in text and "提高抽查比例" in text
    zone_only = visible_text(portal.client().get("/public/credit?type=zone").text)
    assert "王**" in zone_only and PARTIES.ecommerce.name not in zone_only
    english = portal.client(lang="en").get("/public/credit")
    assert "Credit publicity" in english.text and "dishonest judgment debtors" in english.text


def test_officers_add_confirm_end_and_correct_entries_on_the_console(portal: Portal) -> None:
    ctx = portal.zone.ctx
    seed_configuration(ctx)
    apply_events(ctx)
    officer, admin = portal.client("officer"), portal.client("admin")
    page = officer.get("/console/credit/lists")
    assert 'action="/console/credit/lists/entries"' in page.text
    assert '<option value="customs"' in page.text and '<option value="court"' not in page.text  # its own source
    day = (business_date(ctx.clock.now()) - timedelta(days=3)).isoformat()
    form = {
        "csrf_token": csrf_of(page.text),
        "subject": A,
        "list_type": "customs_serious",
        "source": "customs",
        "severity": "serious",
        "legal_basis": "海关注册登记和备案企业信用管理办法 第十二条",
        "document_no": "海关信用〔2026〕7号",
        "decided_on": day,
    }
    added = officer.post("/console/credit/lists/entries", data=form, follow_redirects=False)
    assert (added.status_code, added.headers["location"]) == (303, "/console/credit/lists?done=list-pending#manage")
    mine = officer.get("/console/credit/lists")
    assert "已提交，待另一名工作人员确认" not in mine.text  # the flash is shown on the redirect only
    pending = visible_text(mine.text.split('id="requests"')[1].split('id="entries"')[0])
    assert "登记 · 海关严重失信企业" in pending and "海关信用〔2026〕7号" in pending
    assert "须由另一名工作人员批准" in pending and "确认生效" not in pending  # the proposer cannot confirm
    assert "没有在列名单" in visible_text(mine.text.split('id="entries"')[1].split('id="alerts"')[0])
    [request] = list_list_requests(ctx, status="pending")
    url = f"/console/credit/lists/requests/{request.id}"
    own = officer.post(url, data={"csrf_token": csrf_of(mine.text), "action": "confirm"})
    assert own.status_code == 422 and "提议人不能自行批准" in own.text
    other = admin.get("/console/credit/lists")
    assert "确认生效" in other.text
    done = admin.post(url, data={"csrf_token": csrf_of(other.text), "action": "confirm"}, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (
        303,
        f"/console/credit/lists?done=request-{request.id}#requests",
    )
    listed = visible_text(admin.get("/console/credit/lists").text.split('id="entries"')[1].split('id="alerts"')[0])
    assert "CUS-HOLD CUS-GUARANTEE JNT-ADMISSION JNT-SUBSIDY" in " ".join(listed.split())
    [entry] = list_entries(ctx).items
    entry_url = f"/console/credit/lists/entries/{entry.fact_id}"
    shown = officer.get(entry_url)
    assert shown.status_code == 200 and "海关信用〔2026〕7号" in shown.text and "CUS-HOLD" in shown.text
    taxman = portal.client("taxman")
    token = csrf_of(taxman.get(entry_url).text)
    foreign = taxman.post(f"{entry_url}/end", data={"csrf_token": token, "ends_on": day, "reason": "x"})
    assert foreign.status_code == 422 and "只能管理本部门认定的名单" in foreign.text  # another agency's entry
    token = csrf_of(shown.text)
    early = officer.post(f"{entry_url}/end", data={"csrf_token": token, "ends_on": day, "reason": "整改"})
    assert early.status_code == 422 and "结束日期须晚于" in early.text
    fix = {k: form[k] for k in ("list_type", "source", "legal_basis", "document_no", "decided_on")}
    corrected = officer.post(
        f"{entry_url}/correct",
        data={**fix, "csrf_token": token, "severity": "general", "reason": "认定为一般失信"},
        follow_redirects=False,
    )
    assert (corrected.status_code, corrected.headers["location"]) == (
        303,
        "/console/credit/lists?done=list-pending#manage",
    )
    [correction] = list_list_requests(ctx, status="pending")
    reject = admin.post(
        f"/console/credit/lists/requests/{correction.id}",
        data={"csrf_token": csrf_of(other.text), "action": "reject"},
    )
    assert reject.status_code == 422 and "须说明理由" in reject.text
    ended = officer.post(
        f"{entry_url}/end",
        data={"csrf_token": token, "ends_on": business_date(ctx.clock.now()).isoformat(), "reason": "x"},
    )
    assert ended.status_code == 422 and "该条目已有待复核的变更" in ended.text  # the correction waits
    english = portal.client("officer", lang="en").get(entry_url)
    assert "End the entry early" in english.text and "Correct the entry" in english.text
    assert portal.client("shop").get(entry_url).status_code == 403
    assert officer.get("/console/credit/lists/entries/999999").status_code == 404
