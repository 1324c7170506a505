"""Officers' credit pages: fact entry (an agency its own source only), overrides and rulesets published by another
account, third-party reports with disagreement reviews, and the zone's public method page."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, date, timedelta
from typing import Any

from tests.builders import PARTIES
from tests.web.support import Portal, csrf_of

from cbec.accounts.schemas import AccountCreate
from cbec.accounts.service import create_account
from cbec.common.clock import business_date
from cbec.common.ids import make_uscc
from cbec.credit.schemas import FactIn
from cbec.credit.schemes import ConfigKind, shipped_documents
from cbec.credit.service import (
    apply_events,
    list_reviews,
    load_configuration,
    record_fact,
    seed_configuration,
    show_subject,
)
from cbec.credit.thirdparty import canonical
from cbec.messages.signature import SignatureAlgorithm, generate_test_identity

A = PARTIES.ecommerce.code  # the shop's customs code


def seeded(portal: Portal) -> None:
    seed_configuration(portal.zone.ctx)
    apply_events(portal.zone.ctx)


def second_admin(portal: Portal) -> Any:
    """A second zone-office account (maker-checker needs two)."""
    create_account(
        portal.zone.ctx,
        AccountCreate(username="admin2", role="zone_admin", password="Web-portal-2026", display_name="Admin 2"),
        actor="test",
    )
    portal.users.add("admin2")
    return portal.client("admin2")


def test_an_agency_officer_enters_facts_of_its_own_source_only(portal: Portal) -> None:
    seeded(portal)
    officer = portal.client("officer")
    page = officer.get("/console/credit/facts/new")
    assert page.status_code == 200
    assert '<option value="customs"' in page.text and '<option value="tax"' not in page.text
    assert '<a href="/console/credit/rulesets">' not in page.text  # an agency officer holds no credit.rate
    form = {
        "csrf_token": csrf_of(page.text),
        "subject": A,
        "fact_type": "penalty",
        "source": "customs",
        "severity": "general",
        "decided_on": (business_date(portal.zone.ctx.clock.now()) - timedelta(days=3)).isoformat(),
        "legal_basis": "海关行政处罚实施条例",
        "document_no": "海关罚字〔2026〕31号",
    }
    done = officer.post("/console/credit/facts", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/console/credit/facts/new?done=")
    assert "已登记事实" in officer.get(done.headers["location"]).text
    other = officer.post("/console/credit/facts", data={**form, "source": "tax", "document_no": "税罚〔2026〕1号"})
    assert other.status_code == 422 and "只能登记本部门认定的事实" in other.text
    missing = officer.post("/console/credit/facts", data={**form, "legal_basis": "", "document_no": "罚〔2026〕2号"})
    assert missing.status_code == 422 and "失信事实须注明法律依据" in missing.text
    assert portal.client("shop").get("/console/credit/facts/new").status_code == 403
    english = portal.client("officer", lang="en").get("/console/credit/facts/new")
    assert "Enter a credit fact" in english.text


def test_an_override_is_approved_by_another_account(portal: Portal) -> None:
    seeded(portal)
    admin = portal.client("admin")
    page = admin.get("/console/credit/overrides")
    assert page.status_code == 200
    token = csrf_of(page.text)
    until = (business_date(portal.zone.ctx.clock.now()) + timedelta(days=30)).isoformat()
    proposed = admin.post(
        "/console/credit/overrides",
        data={"csrf_token": token, "subject": A, "level": "B", "reason": "整改到位", "until": until},
        follow_redirects=False,
    )
    assert proposed.status_code == 303
    listed = admin.get("/console/credit/overrides").text
    assert "提议人：admin" in listed and "须由另一名工作人员批准" in listed
    [request_id] = [int(x) for x in re.findall(r'data-request="(\d+)"', listed)]
    own = admin.post(f"/console/credit/overrides/{request_id}", data={"csrf_token": token, "action": "approve"})
    assert own.status_code == 422 and "提议人不能自行批准" in own.text
    other = second_admin(portal)
    approved = other.post(
        f"/console/credit/overrides/{request_id}",
        data={"csrf_token": csrf_of(other.get("/console/credit/overrides").text), "action": "approve"},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    assert "已批准" in admin.get("/console/credit/overrides").text
    assert portal.client("officer").get("/console/credit/overrides").status_code == 403


def test_a_ruleset_is_proposed_with_its_dry_run_and_published_by_another_account(portal: Portal) -> None:
    seeded(portal)
    today = business_date(portal.zone.ctx.clock.now())
    record_fact(
        portal.zone.ctx,
        FactIn(
            subject=A,
            fact_type="penalty",
            source="customs",
            severity="serious",
            decided_on=(today - timedelta(days=2)).isoformat(),
            document_no="海关罚字〔2026〕40号",
            legal_basis="海关行政处罚实施条例",
        ),
        actor="customs",
    )
    doc = json.loads(json.dumps(next(v for k, v in shipped_documents() if k == ConfigKind.RULESET)))
    doc.update(version="9", effective_from=today.isoformat())
    admin = portal.client("admin")
    token = csrf_of(admin.get("/console/credit/rulesets").text)
    bad = admin.post("/console/credit/rulesets", data={"csrf_token": token, "document": "{not json"})
    assert bad.status_code == 422 and "不是有效的 JSON" in bad.text
    proposed = admin.post(
        "/console/credit/rulesets",
        data={"csrf_token": token, "document": json.dumps(doc, ensure_ascii=False)},
        follow_redirects=False,
    )
    assert proposed.status_code == 303
    page = admin.get("/console/credit/rulesets").text
    assert "zone@9" in page and "待发布" in page and "等级变动的主体（共 6 个）" in page
    label = show_subject(portal.zone.ctx, A).subject
    assert re.search(
        rf'<td class="mono" data-label="企业">{label}</td><td data-label="原等级">—</td><td data-label="新等级">C</td>',
        page,
    )
    proposal = int(proposed.headers["location"].rsplit("=", 1)[1])
    own = admin.post(f"/console/credit/rulesets/{proposal}", data={"csrf_token": token, "action": "publish"})
    assert own.status_code == 422 and "提议人不能自行批准" in own.text
    other = second_admin(portal)
    published = other.post(
        f"/console/credit/rulesets/{proposal}",
        data={"csrf_token": csrf_of(other.get("/console/credit/rulesets").text), "action": "publish"},
        follow_redirects=False,
    )
    assert published.status_code == 303
    assert "已发布" in admin.get("/console/credit/rulesets").text
    assert "zone@9" in portal.client().get("/public/credit/method").text


def signed_report(portal: Portal) -> tuple[dict[str, Any], dict[str, str]]:
    """Register an accredited agency with a test certificate; return an AAA report of a seriously penalised
    enterprise (the zone's own level C) and the agency's signature of it."""
    ctx = portal.zone.ctx
    now = ctx.clock.now()
    signer, cert = generate_test_identity(
        SignatureAlgorithm.SM2_SM3, "信评机构", not_before=now.astimezone(UTC) - timedelta(days=30), days=3650
    )
    agencies = json.loads(json.dumps(next(v for k, v in shipped_documents() if k == ConfigKind.AGENCIES)))
    agencies.update(version="web", effective_from="2021-11-01")
    agencies["agencies"] = [
        {
            "code": "XY01",
            "name": "海南信评有限公司",
            "accreditation": "PBOC-46-0001",
            "methods": ["GB/T 23794-2015"],
            "certificates_sha256": [hashlib.sha256(cert).hexdigest()],
        }
    ]
    load_configuration(ctx, [(ConfigKind.AGENCIES, agencies)], actor="zone-office")
    today = business_date(now)
    subject = make_uscc("91460000MA5TRPR07")
    record_fact(
        ctx,
        FactIn(
            subject=subject,
            fact_type="penalty",
            source="customs",
            severity="serious",
            decided_on=(today - timedelta(days=5)).isoformat(),
            document_no="海关罚字〔2026〕50号",
            legal_basis="海关行政处罚实施条例",
        ),
        actor="customs",
    )
    body = {
        "agency": "XY01",
        "accreditation": "PBOC-46-0001",
        "method": "GB/T 23794-2015",
        "subject": subject,
        "grade": "AAA",
        "valid_from": (today - timedelta(days=1)).isoformat(),
        "valid_to": (today + timedelta(days=365)).isoformat(),
        "report_no": "XY-2026-001",
        "issued_on": (today - timedelta(days=1)).isoformat(),
    }
    signature = {
        "algorithm": "SM2-SM3",
        "certificate": base64.b64encode(cert).decode(),
        "value": base64.b64encode(signer.sign(canonical(body))).decode(),
    }
    return body, signature


def test_third_party_reports_are_verified_imported_and_reviewed(portal: Portal) -> None:
    seeded(portal)
    ctx = portal.zone.ctx
    body, signature = signed_report(portal)
    admin = portal.client("admin")
    token = csrf_of(admin.get("/console/credit/thirdparty").text)
    tampered = {"reports": [{"report": {**body, "grade": "A"}, "signature": signature}]}
    refused = admin.post("/console/credit/thirdparty", data={"csrf_token": token, "document": json.dumps(tampered)})
    assert refused.status_code == 422 and "签名与报告内容不符" in refused.text
    good = {"reports": [{"report": body, "signature": signature}]}
    done = admin.post(
        "/console/credit/thirdparty",
        data={"csrf_token": token, "document": json.dumps(good)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = admin.get("/console/credit/thirdparty").text
    assert "XY-2026-001" in page and "AAA → A" in page and "相差 2 级" in page
    [review] = list_reviews(ctx, status="open")
    kept = admin.post(
        f"/console/credit/thirdparty/reviews/{review.id}",
        data={"csrf_token": token, "action": "keep", "note": "机构说明了依据"},
        follow_redirects=False,
    )
    assert kept.status_code == 303
    assert list_reviews(ctx, status="open") == []
    officer = portal.client("officer")
    not_theirs = officer.post(
        "/console/credit/thirdparty",
        data={"csrf_token": csrf_of(officer.get("/console/credit/thirdparty").text), "document": json.dumps(good)},
    )
    assert not_theirs.status_code == 422 and "只能登记本部门认定的事实" in not_theirs.text


def test_the_zone_method_is_public(portal: Portal) -> None:
    seeded(portal)
    anonymous = portal.client()
    page = anonymous.get("/public/credit/method")
    assert page.status_code == 200
    # the portal's clock is the real present: zone@1 until the shipped ruleset of 2027 starts
    in_force = "zone@1" if business_date(portal.zone.ctx.clock.now()) < date(2027, 1, 1) else "zone@2027.1"
    for text in ("综试区信用评价方法", "海关信用", "第三方评价", "经营表现", "失信记录", "权重 0.", in_force):
        assert text in page.text, text
    english = portal.client(lang="en").get("/public/credit/method")
    assert "credit rating method" in english.text and "Dishonesty record" in english.text
    console = portal.client("admin").get("/console/credit")
    assert (
        '<a href="/console/credit/thirdparty">' in console.text and '<a href="/public/credit/method">' in console.text
    )
