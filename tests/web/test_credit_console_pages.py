"""Evidence files attached on "my credit" and downloaded (audited) on the officers' console; the console pages of
uncorrected flags (flag, a second account confirms) and of AEO self-assessments (score, store, list)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select
from tests.web.support import Portal, csrf_of
from tests.web.test_credit_pages import DIGEST, A, credit, decided

from cbec.audit.models import AuditRecord
from cbec.credit.service import list_objections, list_repairs, list_uncorrected, subject_facts

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8 + b"\r\n--\r\n\x00"  # binary, with CR LF and a boundary-like line
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def reads_of(portal: Portal) -> list[tuple[str, str]]:
    with portal.zone.ctx.uow() as uow:
        rows = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.action == "credit.evidence.read").order_by(AuditRecord.id)
        )
        return [(r.actor, r.entity_key) for r in rows]


def test_the_enterprise_attaches_evidence_files_and_the_officer_downloads_them_audited(portal: Portal) -> None:
    minor, general = credit(portal)
    shop = portal.client("shop")
    token = csrf_of(shop.get("/workspace/credit").text)
    form = {"csrf_token": token, "fact_id": str(minor), "description": "罚款已缴清", "commitment": "承诺守法经营"}
    # a file that is not of an accepted type, and one that says PNG but is not: refused with the rule's words
    gif = shop.post(
        "/workspace/credit/repairs", data=form, files={"evidence_file": ("scan.gif", b"GIF89a..", "image/gif")}
    )
    assert gif.status_code == 422
    assert "只接受 PDF、JPEG 或 PNG 文件，且内容须与类型一致" in gif.text
    assert "只接受 PDF、JPEG 或 PNG 文件，且文件内容须与类型一致。" in gif.text  # the fix, in Chinese
    assert "Only PDF, JPEG or PNG" not in gif.text
    fake = shop.post(
        "/workspace/credit/repairs", data=form, files={"evidence_file": ("scan.png", b"not a picture", "image/png")}
    )
    assert fake.status_code == 422 and "只接受 PDF、JPEG 或 PNG 文件" in fake.text
    big = PNG + b"\x00" * (700 * 1024)
    large = shop.post("/workspace/credit/repairs", data=form, files={"evidence_file": ("big.png", big, "image/png")})
    assert large.status_code == 422 and "文件超过 700 KB" in large.text
    wrong = shop.post(
        "/workspace/credit/repairs",
        data={**form, "evidence_sha256": DIGEST},
        files={"evidence_file": ("scan.png", PNG, "image/png")},
    )
    assert wrong.status_code == 422 and "所填摘要须与所附文件的 SHA-256 一致" in wrong.text
    in_english = portal.client("shop", lang="en")
    english = in_english.post(
        "/workspace/credit/repairs",
        data={**form, "csrf_token": csrf_of(in_english.get("/workspace/credit").text)},
        files={"evidence_file": ("scan.gif", b"GIF89a..", "image/gif")},
    )
    assert english.status_code == 422 and "Only PDF, JPEG or PNG files whose content is of that type" in english.text
    assert list_repairs(portal.zone.ctx) == []

    # the file itself, no digest typed: the digest kept is the file's
    done = shop.post(
        "/workspace/credit/repairs",
        data=form,
        files={"evidence_file": ("整改证明.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/workspace/credit?done=repair")
    [repair] = list_repairs(portal.zone.ctx)
    assert repair.evidence_sha256 == hashlib.sha256(PNG).hexdigest()
    objected = shop.post(
        "/workspace/credit/objections",
        data={"csrf_token": token, "fact_id": str(general), "reason": "处罚决定已撤销"},
        files={"evidence_file": ("复议决定书.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert objected.status_code == 303
    [objection] = list_objections(portal.zone.ctx)
    assert objection.evidence_sha256 == hashlib.sha256(PDF).hexdigest()
    assert reads_of(portal) == []

    officer = portal.client("officer")
    console = officer.get("/console/credit").text
    found = re.findall(r'href="/console/credit/evidence/(\d+)"[^>]*>([^<]+)</a>', console)
    links = {name: int(number) for number, name in found}
    assert sorted(links) == ["复议决定书.pdf", "整改证明.png"]
    picture = officer.get(f"/console/credit/evidence/{links['整改证明.png']}")
    assert picture.status_code == 200 and picture.content == PNG
    assert picture.headers["content-type"] == "image/png"
    assert picture.headers["x-content-sha256"] == hashlib.sha256(PNG).hexdigest()
    assert picture.headers["content-disposition"].startswith(
        f"attachment; filename=evidence-{links['整改证明.png']}.png"
    )
    document = portal.client("admin").get(f"/console/credit/evidence/{links['复议决定书.pdf']}")
    assert document.status_code == 200 and document.content == PDF
    assert reads_of(portal) == [("officer", str(links["整改证明.png"])), ("admin", str(links["复议决定书.pdf"]))]
    # nobody else: the shop is no officer, an unknown file is not found (and neither is audited)
    assert portal.client("shop").get(f"/console/credit/evidence/{links['整改证明.png']}").status_code == 403
    assert officer.get("/console/credit/evidence/999999").status_code == 404
    assert len(reads_of(portal)) == 2


def test_an_officer_flags_a_fact_uncorrected_and_only_another_account_confirms_it(portal: Portal) -> None:
    minor, general = credit(portal)
    officer = portal.client("officer")
    page = officer.get(f"/console/credit/uncorrected?subject={A}")
    assert page.status_code == 200
    assert f'<option value="{minor}"' in page.text and f'<option value="{general}"' in page.text
    token = csrf_of(page.text)
    fact = next(f for f in subject_facts(portal.zone.ctx, A) if f.id == minor)
    assert fact.publish_max_until is not None
    until = fact.publish_max_until + timedelta(days=180)
    form = {"csrf_token": token, "subject": A, "fact_id": str(minor), "legal_basis": "某行业信用管理办法第 10 条"}
    missing = officer.post("/console/credit/uncorrected", data={**form, "reason": " "})
    assert missing.status_code == 422 and "填写所依据的行业规定和未整改的情况。" in missing.text
    early = officer.post(
        "/console/credit/uncorrected", data={**form, "reason": "仍未整改", "until": decided(portal).isoformat()}
    )
    assert early.status_code == 422 and "继续公示截止日须晚于最长公示期" in early.text
    flagged = officer.post(
        "/console/credit/uncorrected",
        data={**form, "reason": "仍未整改", "until": until.isoformat()},
        follow_redirects=False,
    )
    assert flagged.status_code == 303
    [flag] = list_uncorrected(portal.zone.ctx)
    assert (flag.fact_id, flag.status, flag.flagged_by, flag.until) == (minor, "pending", "officer", until)
    again = officer.post("/console/credit/uncorrected", data={**form, "reason": "仍未整改"})
    assert again.status_code == 422 and "该信息已有待确认的标记：请先确认或驳回。" in again.text

    listed = officer.get("/console/credit/uncorrected").text
    assert f'data-flag="{flag.id}"' in listed and "须由另一名工作人员批准" in listed
    own = officer.post(f"/console/credit/uncorrected/{flag.id}", data={"csrf_token": token, "action": "confirm"})
    assert own.status_code == 422 and "提议人不能自行批准（须另一人复核）" in own.text
    taxman = portal.client("taxman")
    tax_token = csrf_of(taxman.get("/console/credit/uncorrected").text)
    not_theirs = taxman.post(
        f"/console/credit/uncorrected/{flag.id}", data={"csrf_token": tax_token, "action": "confirm"}
    )
    assert not_theirs.status_code == 422 and "由认定该信息的部门或综试办办理。" in not_theirs.text
    assert (
        officer.post("/console/credit/uncorrected/999999", data={"csrf_token": token, "action": "confirm"}).status_code
        == 404
    )
    assert list_uncorrected(portal.zone.ctx)[0].status == "pending"

    admin = portal.client("admin")
    confirmed = admin.post(
        f"/console/credit/uncorrected/{flag.id}",
        data={"csrf_token": csrf_of(admin.get("/console/credit/uncorrected").text), "action": "confirm"},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    [done] = list_uncorrected(portal.zone.ctx)
    assert (done.status, done.decided_by) == ("confirmed", "admin") and done.result_fact_id is not None
    current = next(f for f in subject_facts(portal.zone.ctx, A) if f.id == done.result_fact_id)
    assert (current.supersedes, current.publish_max_until) == (minor, until)
    shown = admin.get("/console/credit/uncorrected?status=confirmed").text
    assert f'data-flag="{flag.id}"' in shown and "已确认" in shown and "决定人：admin" in shown
    assert f'data-flag="{flag.id}"' not in admin.get("/console/credit/uncorrected?status=pending").text
    english = portal.client("admin", lang="en").get("/console/credit/uncorrected?status=all").text
    assert "Publication continued for uncorrected behaviour" in english and "confirmed" in english
    assert portal.client("shop").get("/console/credit/uncorrected").status_code == 403
    assert portal.client("auditor").get("/console/credit/uncorrected").status_code == 403


ITEMS = """# 内部控制
内部控制 1.1 0
internal_control 1.2 -1
财务状况 2.1 达标
守法规范 3.1 n.a.
trade_security 4.1 −1
"""


def test_an_officer_scores_and_stores_an_aeo_self_assessment(portal: Portal) -> None:
    credit(portal)
    admin = portal.client("admin")
    page = admin.get("/console/credit/aeo")
    assert page.status_code == 200 and "内部控制、财务状况、守法规范、贸易安全" in page.text
    token = csrf_of(page.text)
    bad = admin.post(
        "/console/credit/aeo",
        data={
            "csrf_token": token,
            "subject": A,
            "items": "内部控制 1.1 0\n物流 5.1 0\n财务状况 2.1 -3\n单独一项",
            "action": "score",
        },
    )
    assert bad.status_code == 422
    assert "第 4 行应为“模块 条目 评分”" in bad.text
    bad = admin.post(
        "/console/credit/aeo",
        data={
            "csrf_token": token,
            "subject": A,
            "items": "内部控制 1.1 0\n物流 5.1 0\n财务状况 2.1 -3",
            "action": "score",
        },
    )
    assert bad.status_code == 422
    assert "第 2 行：未知模块: 物流" in bad.text and "第 3 行：评分无效: -3" in bad.text
    scored = admin.post(
        "/console/credit/aeo", data={"csrf_token": token, "subject": A, "items": ITEMS, "action": "score"}
    )
    assert scored.status_code == 200
    assert '<span id="aeo-score">98</span>' in scored.text and 'id="aeo-pass">达标' in scored.text
    assert '<tr data-module="internal_control">' in scored.text
    totals = re.findall(r'<tr data-module="(\w+)">.*?class="module-total">(-?\d+)</td>', scored.text, re.S)
    assert totals == [("internal_control", "-1"), ("financial", "0"), ("compliance", "0"), ("trade_security", "-1")]
    with portal.zone.ctx.uow() as uow:  # nothing stored by scoring
        assert uow.session.scalar(select(AuditRecord.id).where(AuditRecord.action.like("credit.aeo%"))) is None
    stored = admin.post(
        "/console/credit/aeo",
        data={"csrf_token": token, "subject": A, "items": ITEMS, "action": "store"},
        follow_redirects=False,
    )
    assert stored.status_code == 303 and stored.headers["location"].startswith("/console/credit/aeo?subject=")
    listed = admin.get(stored.headers["location"]).text
    assert "data-assessment=" in listed and "评估人: admin" in listed and "得分 98" in listed
    facts = [f for f in subject_facts(portal.zone.ctx, A) if f.fact_type == "certification"]
    assert [(f.source, f.severity, (f.document_no or "")[:4]) for f in facts] == [("zone", "positive", "AEO-")]
    unknown = admin.post(
        "/console/credit/aeo", data={"csrf_token": token, "subject": "4601999999", "items": ITEMS, "action": "store"}
    )
    assert unknown.status_code == 404 and "检查统一社会信用代码或海关编码" in unknown.text
    english = portal.client("admin", lang="en").get(f"/console/credit/aeo?subject={A}").text
    assert "AEO self-assessment" in english and "internal control" in english
    assert portal.client("shop").get("/console/credit/aeo").status_code == 403
