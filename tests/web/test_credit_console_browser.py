"""The credit console's new pages in a real browser (Debian's chromium, headless): the enterprise attaches an evidence
file on its repair form and the officer downloads it from the review queue; an officer flags a fact uncorrected and
only another account confirms it; an AEO self-assessment is scored and stored. The new pages are measured at 1280 px
and 390 px in both languages (screenshots in test-artifacts/screenshots/)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from tests.web.support import Portal
from tests.web.test_browser import _page, _shoot, _sign_in, browser, server
from tests.web.test_credit_console_pages import ITEMS, PNG
from tests.web.test_credit_pages import A, credit
from tests.web.test_role_browser import _tour

from cbec.audit.models import AuditRecord
from cbec.credit.service import list_repairs, list_uncorrected, subject_facts

__all__ = ["browser", "server"]


def test_the_shop_uploads_evidence_on_the_repair_form_and_the_officer_downloads_it(
    browser: Any, server: str, portal: Portal, tmp_path: Path
) -> None:
    minor, _ = credit(portal)
    scan = tmp_path / "整改证明.png"
    scan.write_bytes(PNG)
    page = _page(browser)
    _sign_in(page, server, portal, "shop", "/workspace/credit")
    form = page.locator("#repair form")
    form.locator("select[name=fact_id]").select_option(str(minor))
    form.locator("input[name=evidence_file]").set_input_files(str(scan))
    form.locator("textarea[name=description]").fill("罚款已缴清，整改完成")
    form.locator("textarea[name=commitment]").fill("承诺守法经营")
    form.locator("button").click()
    page.wait_for_url(f"{server}/workspace/credit?done=repair")
    [repair] = list_repairs(portal.zone.ctx)
    assert (repair.fact_id, repair.evidence_sha256) == (minor, hashlib.sha256(PNG).hexdigest())
    _shoot(page, "credit-evidence-uploaded")

    officer = _page(browser)
    _sign_in(officer, server, portal, "officer", "/console/credit")
    link = officer.locator(f'#repairs tr:has(form[action="/console/credit/repairs/{repair.id}"]) a.evidence-file')
    assert link.inner_text() == "整改证明.png"
    with officer.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == PNG
    _shoot(officer, "credit-evidence-queue")
    with portal.zone.ctx.uow() as uow:
        readers = uow.session.scalars(select(AuditRecord.actor).where(AuditRecord.action == "credit.evidence.read"))
        assert list(readers) == ["officer"]


def test_an_uncorrected_flag_is_confirmed_by_another_account_and_an_aeo_assessment_is_stored(
    browser: Any, server: str, portal: Portal
) -> None:
    minor, _ = credit(portal)
    fact = next(f for f in subject_facts(portal.zone.ctx, A) if f.id == minor)
    assert fact.publish_max_until is not None
    page = _page(browser)
    _sign_in(page, server, portal, "officer", "/console/credit/uncorrected")
    page.fill("#flag form.inline input[name=subject]", A)
    page.click("#flag form.inline button")
    page.locator("#flag select[name=fact_id]").select_option(str(minor))
    page.fill("#flag input[name=legal_basis]", "某行业信用管理办法第 10 条")
    page.fill("#flag textarea[name=reason]", "检查发现仍未整改")
    page.fill("#flag input[name=until]", (fact.publish_max_until + timedelta(days=90)).isoformat())
    page.click("#flag form.stack button")
    page.locator(".flash.ok").wait_for()
    [flag] = list_uncorrected(portal.zone.ctx)
    page.click(f'tr[data-flag="{flag.id}"] button[value=confirm]')
    assert "提议人不能自行批准（须另一人复核）" in page.locator(".flash.err").inner_text()
    _shoot(page, "credit-uncorrected-refused")

    admin = _page(browser)
    _sign_in(admin, server, portal, "admin", "/console/credit/uncorrected")
    admin.click(f'tr[data-flag="{flag.id}"] button[value=confirm]')
    admin.locator(".flash.ok").wait_for()
    assert list_uncorrected(portal.zone.ctx)[0].status == "confirmed"
    assert "已确认" in admin.locator(f'tr[data-flag="{flag.id}"]').inner_text()

    admin.goto(f"{server}/console/credit/aeo")
    admin.fill("#enter input[name=subject]", A)
    admin.click("#enter details summary")  # the pasted list, the per-item form's fallback
    admin.fill("#enter textarea[name=items]", ITEMS)
    admin.click("#enter button[value=score]")
    assert admin.locator("#aeo-score").inner_text() == "98"
    assert admin.locator('#result tr[data-module="internal_control"] .module-total').inner_text() == "-1"
    _shoot(admin, "credit-aeo-scored")
    admin.click("#enter button[value=store]")
    admin.locator(".flash.ok").wait_for()
    assert admin.locator("#stored article[data-assessment]").count() == 1
    _tour(
        browser,
        server,
        portal,
        "admin",
        [
            ("/console/credit/uncorrected?status=all", "credit-uncorrected", "#flags table.data"),
            (f"/console/credit/aeo?subject={A}", "credit-aeo", "#stored article table.data"),
        ],
    )
