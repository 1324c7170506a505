"""Browser tests (Chromium): an officer attaches a file on the fact entry form, a list entry waits with its file for
another officer, the shop downloads the file of its own repair application, and the AEO self-assessment is scored
item by item with the selects."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from tests.web.support import Portal
from tests.web.test_browser import _page, _shoot, _sign_in, browser, server
from tests.web.test_credit_console_pages import PDF, PNG
from tests.web.test_credit_pages import A, credit

from cbec.audit.models import AuditRecord
from cbec.common.clock import business_date
from cbec.credit.service import list_assessments, list_list_requests, list_repairs, subject_evidence, subject_facts

__all__ = ["browser", "server"]


def _readers(portal: Portal) -> list[str]:
    with portal.zone.ctx.uow() as uow:
        rows = uow.session.scalars(
            select(AuditRecord.actor).where(AuditRecord.action == "credit.evidence.read").order_by(AuditRecord.id)
        )
        return list(rows)


def test_officers_attach_files_and_the_shop_downloads_its_own(
    browser: Any, server: str, portal: Portal, tmp_path: Path
) -> None:
    minor, _ = credit(portal)
    ctx = portal.zone.ctx
    day = (business_date(ctx.clock.now()) - timedelta(days=3)).isoformat()
    decision = tmp_path / "处罚决定书.pdf"
    decision.write_bytes(PDF)
    officer = _page(browser)
    _sign_in(officer, server, portal, "officer", "/console/credit/facts/new")
    form = officer.locator("#fact-form form")
    form.locator("input[name=subject]").fill(A)
    form.locator("select[name=fact_type]").select_option("penalty")
    form.locator("select[name=severity]").select_option("general")
    form.locator("input[name=decided_on]").fill(day)
    form.locator("input[name=legal_basis]").fill("海关行政处罚实施条例")
    form.locator("input[name=document_no]").fill("海关罚字〔2026〕51号")
    form.locator("input[name=evidence_file]").set_input_files(str(decision))
    form.locator("button").click()
    officer.locator(".flash.ok").wait_for()
    [fact] = [f for f in subject_facts(ctx, A) if f.document_no == "海关罚字〔2026〕51号"]
    assert fact.evidence_sha256 == hashlib.sha256(PDF).hexdigest()

    officer.goto(f"{server}/console/credit/lists")
    add = officer.locator('form[action="/console/credit/lists/entries"]')
    add.locator("input[name=subject]").fill(A)
    add.locator("select[name=list_type]").select_option("customs_serious")
    add.locator("select[name=severity]").select_option("serious")
    add.locator("input[name=legal_basis]").fill("海关注册登记和备案企业信用管理办法 第十二条")
    add.locator("input[name=document_no]").fill("海关信用〔2026〕9号")
    add.locator("input[name=decided_on]").fill(day)
    add.locator("input[name=evidence_file]").set_input_files(str(decision))
    add.locator("button").click()
    officer.wait_for_url(f"{server}/console/credit/lists?done=list-pending#manage")
    [request] = list_list_requests(ctx, status="pending")
    admin = _page(browser)
    _sign_in(admin, server, portal, "admin", "/console/credit/lists")
    link = admin.locator(f'tr[data-request="{request.id}"] a.evidence-file')
    assert link.inner_text() == "处罚决定书.pdf"
    with admin.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == PDF
    _shoot(admin, "credit-list-request-file")

    scan = tmp_path / "整改证明.png"
    scan.write_bytes(PNG)
    shop = _page(browser)
    _sign_in(shop, server, portal, "shop", "/workspace/credit")
    repair = shop.locator("#repair form")
    repair.locator("select[name=fact_id]").select_option(str(minor))
    repair.locator("input[name=evidence_file]").set_input_files(str(scan))
    repair.locator("textarea[name=description]").fill("罚款已缴清，整改完成")
    repair.locator("textarea[name=commitment]").fill("承诺守法经营")
    repair.locator("button").click()
    shop.wait_for_url(f"{server}/workspace/credit?done=repair")
    [applied] = list_repairs(ctx)
    mine = shop.locator("#applications a.evidence-file")
    assert mine.count() == 1 and mine.inner_text() == "整改证明.png"
    with shop.expect_download() as download:
        mine.click()
    assert Path(download.value.path()).read_bytes() == PNG
    _shoot(shop, "credit-my-evidence")
    [kept] = [e for e in subject_evidence(ctx, A) if e.purpose == "repair" and e.reference_id == applied.id]
    assert _readers(portal) == ["admin", "shop"]
    assert kept.filename == "整改证明.png"


def test_an_aeo_self_assessment_is_scored_item_by_item(browser: Any, server: str, portal: Portal) -> None:
    credit(portal)
    page = _page(browser)
    _sign_in(page, server, portal, "admin", "/console/credit/aeo")
    page.fill("#enter input[name=subject]", A)
    for name, item, score in (
        ("internal_control.0", "1.1", "0"),
        ("internal_control.1", "1.2", "-2"),
        ("financial.0", "2.1", "n.a."),
        ("trade_security.0", "4.1", "-1"),
    ):
        page.fill(f'#enter input[name="item.{name}"]', item)
        page.select_option(f'#enter select[name="score.{name}"]', score)
    page.click("#enter button[value=score]")
    assert page.locator("#aeo-score").inner_text() == "97"
    assert page.locator("#aeo-pass").inner_text() == "未达标"  # an item fails
    assert page.locator('#result tr[data-module="internal_control"] .module-total').inner_text() == "-2"
    assert page.locator('#enter select[name="score.internal_control.1"]').input_value() == "-2"
    _shoot(page, "credit-aeo-items")
    page.select_option('#enter select[name="score.internal_control.1"]', "0")
    page.click("#enter button[value=store]")
    page.locator(".flash.ok").wait_for()
    [stored] = list_assessments(portal.zone.ctx, A)
    assert (stored.score, stored.passed, len(stored.items)) == (99, True, 4)
