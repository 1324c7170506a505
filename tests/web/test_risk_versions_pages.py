"""The ruleset-versions page of the console: an officer drafts a version and puts it in shadow, may not publish his
own draft, a second customs officer publishes it; the page shows states, authors, approvers, digests, the shadow
delta and the last backtest, in Chinese first and in English; roles without risk.read do not open it. The last
test drives the same forms in Debian's chromium."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from tests.web.support import PASSWORD, Portal, csrf_of
from tests.web.test_browser import _page, _shoot, _sign_in, browser, server  # noqa: F401 (fixtures)

from cbec.accounts.schemas import AccountCreate
from cbec.accounts.service import create_account, sign_in
from cbec.risk.rules import shipped_ruleset
from cbec.risk.versions import list_versions
from cbec.risk.versions.service import shipped_text

PAGE = "/console/risk/versions"


def candidate(version: str = "2026.7") -> str:
    doc = json.loads(shipped_text())
    doc["version"] = version
    doc["typologies"]["id_misuse"]["review"] = 20
    return json.dumps(doc, ensure_ascii=False, indent=2)


def second_officer(portal: Portal) -> TestClient:
    """A second customs officer at the hub (the checker)."""
    create_account(
        portal.zone.ctx,
        AccountCreate(
            username="checker", role="agency_officer", agency="customs", password=PASSWORD, display_name="Checker"
        ),
        actor="test",
    )
    client = TestClient(portal.app)
    client.cookies.set("cbec_session", sign_in(portal.zone.ctx, "checker", PASSWORD, client="testclient").token)
    return client


def _post(client: TestClient, url: str, data: dict[str, str] | None = None) -> Any:
    token = csrf_of(client.get(PAGE).text)
    return client.post(url, data={"csrf_token": token, **(data or {})}, follow_redirects=False)


def test_draft_shadow_and_publication_by_a_second_officer_on_the_page(portal: Portal) -> None:
    maker = portal.client("officer")
    first = maker.get(PAGE)
    assert first.status_code == 200
    assert "风险规则集版本" in first.text and "现行" in first.text and shipped_ruleset().sha256[:16] in first.text
    made = _post(maker, PAGE, {"document": candidate()})
    assert (made.status_code, made.headers["location"]) == (303, f"{PAGE}?done=draft:2026.7")
    bad = _post(maker, PAGE, {"document": "{"})
    assert bad.status_code == 422 and "RSK-RULESET-JSON" in bad.text
    assert _post(maker, f"{PAGE}/2026.7/shadow").status_code == 303
    assert _post(maker, f"{PAGE}/2026.7/backtest").status_code == 303
    page = maker.get(PAGE).text
    assert 'id="delta-2026.7"' in page and 'id="backtest-2026.7"' in page
    assert "须由起草人以外的关员发布" in page
    own = _post(maker, f"{PAGE}/2026.7/publish")
    assert own.status_code == 409 and "RSK-VERSION-SELF-APPROVAL" in own.text
    assert {v.version: v.state for v in list_versions(portal.zone.ctx)} == {"2026.6": "published", "2026.7": "shadow"}
    checker = second_officer(portal)
    assert _post(checker, f"{PAGE}/2026.7/publish").status_code == 303
    versions = {v.version: (v.state, v.author, v.approver) for v in list_versions(portal.zone.ctx)}
    assert versions == {
        "2026.6": ("retired", "cbec (shipped)", "cbec (shipped)"),
        "2026.7": ("published", "officer", "checker"),
    }
    en = portal.client("officer", lang="en").get(PAGE).text
    assert "Risk ruleset versions" in en and "风险规则集版本" not in en
    row = en.split('data-version="2026.7"')[1].split("</tr>")[0]
    assert ">live<" in row and ">officer<" in row and ">checker<" in row


def test_readers_see_the_page_without_forms_and_others_are_refused(portal: Portal) -> None:
    seen = portal.client("auditor").get(PAGE)
    assert seen.status_code == 403  # the console is for officers and the zone office (CONSOLE_ROLES)
    admin = portal.client("admin").get(PAGE)
    assert admin.status_code == 200 and 'action="/console/risk/versions"' not in admin.text  # risk.read, no manage
    assert portal.client("taxman").get(PAGE).status_code == 403
    assert portal.client("shop").get(PAGE).status_code == 403
    assert 'action="/console/risk/versions"' in portal.client("officer").get(PAGE).text
    token = csrf_of(portal.client("admin").get(PAGE).text)
    refused = portal.client("admin").post(PAGE, data={"csrf_token": token, "document": candidate()})
    assert refused.status_code == 403
    assert [v.version for v in list_versions(portal.zone.ctx)] == ["2026.6"]


def test_the_versions_page_in_a_browser(browser: Any, server: str, portal: Portal) -> None:  # noqa: F811
    page = _page(browser)
    _sign_in(page, server, portal, "officer", PAGE)
    assert page.locator("#versions tr[data-version='2026.6']").inner_text().count("现行") == 1
    page.fill("#document", candidate("2026.8"))
    page.click("form[action='/console/risk/versions'] button[type=submit]")
    page.wait_for_url(f"{server}{PAGE}?done=draft:2026.8")
    row = page.locator("#versions tr[data-version='2026.8']")
    assert "草稿" in row.inner_text() and "officer" in row.inner_text()
    row.locator("button[value=shadow]").click()
    page.wait_for_url(f"{server}{PAGE}?done=shadow:2026.8")
    assert "影子运行" in page.locator("#versions tr[data-version='2026.8'] .badge").inner_text()
    assert page.locator("#delta-2026\\.8").count() == 1
    _shoot(page, "console-risk-versions")
