"""Evidence files on the officers' fact entry and list management forms (the digest kept is the file's own), and an
enterprise downloading the files it sent itself on "my credit" (its own only, every download audited)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from tests.web.support import Portal, csrf_of
from tests.web.test_credit_console_pages import PDF, PNG, reads_of
from tests.web.test_credit_pages import DIGEST, A, credit

from cbec.common.clock import business_date
from cbec.credit.service import (
    apply_events,
    list_list_requests,
    list_repairs,
    seed_configuration,
    subject_evidence,
    subject_facts,
)


def _day(portal: Portal, days: int = 3) -> str:
    return (business_date(portal.zone.ctx.clock.now()) - timedelta(days=days)).isoformat()


def test_the_fact_entry_form_takes_a_file_whose_digest_is_kept(portal: Portal) -> None:
    ctx = portal.zone.ctx
    seed_configuration(ctx)
    apply_events(ctx)
    officer = portal.client("officer")
    page = officer.get("/console/credit/facts/new")
    assert 'enctype="multipart/form-data"' in page.text and 'name="evidence_file"' in page.text
    assert 'name="evidence_sha256"' in page.text  # the digest-only input stays
    form = {
        "csrf_token": csrf_of(page.text),
        "subject": A,
        "fact_type": "penalty",
        "source": "customs",
        "severity": "general",
        "decided_on": _day(portal),
        "legal_basis": "海关行政处罚实施条例",
        "document_no": "海关罚字〔2026〕41号",
    }
    url = "/console/credit/facts"
    gif = officer.post(url, data=form, files={"evidence_file": ("d.gif", b"GIF89a..", "image/gif")})
    assert gif.status_code == 422 and "只接受 PDF、JPEG 或 PNG 文件，且内容须与类型一致" in gif.text
    wrong = officer.post(
        url, data={**form, "evidence_sha256": DIGEST}, files={"evidence_file": ("d.pdf", PDF, "application/pdf")}
    )
    assert wrong.status_code == 422 and "所填摘要须与所附文件的 SHA-256 一致" in wrong.text
    assert subject_facts(ctx, A) == []
    done = officer.post(
        url, data=form, files={"evidence_file": ("处罚决定书.pdf", PDF, "application/pdf")}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/console/credit/facts/new?done=")
    [fact] = subject_facts(ctx, A)
    assert fact.evidence_sha256 == hashlib.sha256(PDF).hexdigest()
    [kept] = subject_evidence(ctx, A)
    assert (kept.purpose, kept.reference_id, kept.filename, kept.size) == ("fact", fact.id, "处罚决定书.pdf", len(PDF))
    assert kept.uploaded_by == "officer"
    # the digest alone, for an agency that keeps the file (URL-encoded, as before): no file kept
    digest_only = officer.post(
        url, data={**form, "document_no": "海关罚字〔2026〕42号", "evidence_sha256": DIGEST}, follow_redirects=False
    )
    assert digest_only.status_code == 303
    assert sorted(f.evidence_sha256 for f in subject_facts(ctx, A)) == sorted([hashlib.sha256(PDF).hexdigest(), DIGEST])
    assert len(subject_evidence(ctx, A)) == 1
    got = officer.get(f"/console/credit/evidence/{kept.id}")
    assert got.status_code == 200 and got.content == PDF
    assert reads_of(portal) == [("officer", str(kept.id))]


def test_list_changes_take_a_file_shown_to_the_confirming_officer(portal: Portal) -> None:
    ctx = portal.zone.ctx
    seed_configuration(ctx)
    apply_events(ctx)
    officer, admin = portal.client("officer"), portal.client("admin")
    page = officer.get("/console/credit/lists")
    assert 'action="/console/credit/lists/entries" class="stack" enctype="multipart/form-data"' in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "subject": A,
        "list_type": "customs_serious",
        "source": "customs",
        "severity": "serious",
        "legal_basis": "海关注册登记和备案企业信用管理办法 第十二条",
        "document_no": "海关信用〔2026〕8号",
        "decided_on": _day(portal),
    }
    url = "/console/credit/lists/entries"
    fake = officer.post(url, data=form, files={"evidence_file": ("d.png", b"not a picture", "image/png")})
    assert fake.status_code == 422 and "只接受 PDF、JPEG 或 PNG 文件" in fake.text
    assert list_list_requests(ctx) == []
    added = officer.post(
        url, data=form, files={"evidence_file": ("认定决定.pdf", PDF, "application/pdf")}, follow_redirects=False
    )
    assert (added.status_code, added.headers["location"]) == (303, "/console/credit/lists?done=list-pending#manage")
    [request] = list_list_requests(ctx, status="pending")
    assert request.payload["evidence_sha256"] == hashlib.sha256(PDF).hexdigest()
    [kept] = subject_evidence(ctx, A)
    assert (kept.purpose, kept.reference_id, kept.filename) == ("list", request.id, "认定决定.pdf")
    other = admin.get("/console/credit/lists")
    pending = other.text.split('id="requests"')[1].split('id="entries"')[0]
    assert re.findall(r'href="/console/credit/evidence/(\d+)"[^>]*>([^<]+)</a>', pending) == [
        (str(kept.id), "认定决定.pdf")
    ]
    assert admin.get(f"/console/credit/evidence/{kept.id}").content == PDF
    assert reads_of(portal) == [("admin", str(kept.id))]
    confirmed = admin.post(
        f"/console/credit/lists/requests/{request.id}",
        data={"csrf_token": csrf_of(other.text), "action": "confirm"},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    [entry] = [f for f in subject_facts(ctx, A) if f.fact_type == "list_entry"]
    assert entry.evidence_sha256 == hashlib.sha256(PDF).hexdigest()
    # a correction with a file of its own
    entry_url = f"/console/credit/lists/entries/{entry.id}"
    shown = officer.get(entry_url)
    assert 'enctype="multipart/form-data"' in shown.text and 'name="evidence_file"' in shown.text
    fix = {k: form[k] for k in ("list_type", "source", "legal_basis", "document_no", "decided_on")}
    corrected = officer.post(
        f"{entry_url}/correct",
        data={**fix, "csrf_token": csrf_of(shown.text), "severity": "general", "reason": "认定为一般失信"},
        files={"evidence_file": ("更正决定.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert corrected.status_code == 303
    [correction] = list_list_requests(ctx, status="pending")
    assert correction.payload["evidence_sha256"] == hashlib.sha256(PNG).hexdigest()
    files = [(e.purpose, e.reference_id, e.filename) for e in subject_evidence(ctx, A)]
    assert files == [("list", request.id, "认定决定.pdf"), ("list", correction.id, "更正决定.png")]


def test_an_enterprise_downloads_only_its_own_files_every_download_audited(portal: Portal) -> None:
    ctx = portal.zone.ctx
    minor, _ = credit(portal)
    shop = portal.client("shop")
    token = csrf_of(shop.get("/workspace/credit").text)
    form = {"csrf_token": token, "fact_id": str(minor), "description": "罚款已缴清", "commitment": "承诺守法经营"}
    done = shop.post(
        "/workspace/credit/repairs",
        data=form,
        files={"evidence_file": ("整改证明.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    [repair] = list_repairs(ctx)
    mine = shop.get("/workspace/credit").text
    applications = mine.split('id="applications"')[1].split('id="aeo"')[0]
    found = re.findall(r'href="/workspace/credit/evidence/(\d+)"[^>]*>([^<]+)</a>', applications)
    [(number, name)] = found
    assert name == "整改证明.png"
    [kept] = subject_evidence(ctx, A)
    assert (int(number), kept.purpose, kept.reference_id) == (kept.id, "repair", repair.id)
    got = shop.get(f"/workspace/credit/evidence/{kept.id}")
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["x-content-sha256"] == hashlib.sha256(PNG).hexdigest()
    assert got.headers["content-disposition"].startswith(f"attachment; filename=evidence-{kept.id}.png")
    assert got.headers["cache-control"] == "no-store"
    assert reads_of(portal) == [("shop", str(kept.id))]

    # an officer's decision file about the same enterprise is not the enterprise's own: not found, not audited
    officer = portal.client("officer")
    page = officer.get("/console/credit/facts/new")
    entered = officer.post(
        "/console/credit/facts",
        data={
            "csrf_token": csrf_of(page.text),
            "subject": A,
            "fact_type": "penalty",
            "source": "customs",
            "severity": "minor",
            "decided_on": _day(portal),
            "legal_basis": "海关行政处罚实施条例",
            "document_no": "海关罚字〔2026〕43号",
        },
        files={"evidence_file": ("处罚决定书.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert entered.status_code == 303
    [decision] = [e for e in subject_evidence(ctx, A) if e.purpose == "fact"]
    assert shop.get(f"/workspace/credit/evidence/{decision.id}").status_code == 404
    # another enterprise's user, an unknown file: not found; an officer has no "my credit": refused
    assert portal.client("payer").get(f"/workspace/credit/evidence/{kept.id}").status_code == 404
    assert shop.get("/workspace/credit/evidence/999999").status_code == 404
    assert officer.get(f"/workspace/credit/evidence/{kept.id}").status_code == 403
    assert reads_of(portal) == [("shop", str(kept.id))]
    english = portal.client("shop", lang="en").get("/workspace/credit").text
    assert 'href="/workspace/credit/evidence/' in english and "Evidence" in english
