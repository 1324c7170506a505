"""Risk disposal pages: the case queue by score, a case with its reasons in words and masked documents, actions,
the second officer's confirmation, closing with a label, the review page's precision — over the test client and
in a real browser (Debian's chromium, headless)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from tests.web.support import PASSWORD, Portal, csrf_of
from tests.web.test_browser import _page, _shoot, _sign_in, browser, server
from tests.web.test_risk_page import plant

from cbec.accounts.schemas import AccountCreate, TenantCreate
from cbec.accounts.service import create_account, create_tenant, sign_in
from cbec.risk.cases import list_cases, show_case

__all__ = ["browser", "server"]  # the fixtures of test_browser.py


def officer(portal: Portal, username: str, tenant: str | None = None) -> TestClient:
    """A customs officer's signed-in client (a second officer beside the portal's "officer")."""
    if username not in portal.users:
        if tenant is not None:
            create_tenant(portal.zone.ctx, TenantCreate(path=tenant, name="郑州分平台"), actor="test")
        create_account(
            portal.zone.ctx,
            AccountCreate(
                username=username,
                role="agency_officer",
                agency="customs",
                password=PASSWORD,
                display_name=username.title(),
                tenant=tenant,
            ),
            actor="test",
        )
        portal.users.add(username)
    client = TestClient(portal.app)
    client.cookies.set("cbec_session", sign_in(portal.zone.ctx, username, PASSWORD, client="testclient").token)
    return client


def test_an_officer_disposes_of_a_case_and_a_second_officer_confirms_the_return(portal: Portal) -> None:
    plant(portal)
    ctx = portal.zone.ctx
    cases, total = list_cases(ctx)
    assert total >= 2 and {t for c in cases for t in c.typologies} >= {"order_splitting", "fake_order"}
    li = portal.client("officer")
    queue = li.get("/console/risk/cases")
    assert queue.status_code == 200 and "处置案件" in queue.text and "刷单" in queue.text
    scores = [int(s) for s in re.findall(r'<span class="badge [^"]+">(\d+) · ', queue.text)]
    assert scores == [c.score for c in cases] == sorted(scores, reverse=True)
    fakes = portal.client("officer", lang="en").get("/console/risk/cases?typology=fake_order")
    assert "Fake orders" in fakes.text
    assert fakes.text.count('class="case-link"') == len([c for c in cases if "fake_order" in c.typologies])

    top = cases[0]
    detail = show_case(ctx, top.id)
    view = li.get(f"/console/risk/cases/{top.id}")
    assert view.status_code == 200
    first = detail.alerts[0].alert
    assert first.contributions[0].reason_zh in view.text and first.contributions[0].reason_en not in view.text
    assert top.pivot_key not in view.text and top.pivot_key[:6] + "…" in view.text  # keys masked
    assert first.subjects["buyer"] not in view.text
    english = portal.client("officer", lang="en").get(f"/console/risk/cases/{top.id}")
    assert first.contributions[0].reason_en in english.text and "Linked documents" in english.text

    token = csrf_of(view.text)
    url = f"/console/risk/cases/{top.id}/actions"
    held = li.post(url, data={"csrf_token": token, "kind": "hold", "comment": "待查"}, follow_redirects=False)
    assert (held.status_code, held.headers["location"]) == (303, f"/console/risk/cases/{top.id}?done=hold-done")
    assert li.post(url, data={"kind": "note", "comment": "x"}).status_code == 403  # no anti-forgery token
    bad = li.post(url, data={"csrf_token": token, "kind": "close", "outcome": ""})
    assert bad.status_code == 422 and "RSK-CASE-OUTCOME" not in bad.text and "结案须给出结论" in bad.text
    li.post(url, data={"csrf_token": token, "kind": "return", "comment": "虚假交易"}, follow_redirects=False)
    mine = li.get(f"/console/risk/cases/{top.id}").text
    assert "须另一名关员复核" in mine and 'class="inline confirm-form"' not in mine  # never one's own
    [proposed] = [a for a in show_case(ctx, top.id).actions if a.kind == "return"]
    own = li.post(f"{url}/{proposed.id}", data={"csrf_token": token, "decision": "confirm"})
    assert own.status_code == 422 and "提议人不能复核自己的提议" in own.text

    wang = officer(portal, "officer2")
    page = wang.get(f"/console/risk/cases/{top.id}").text
    assert 'class="inline confirm-form"' in page
    done = wang.post(
        f"{url}/{proposed.id}", data={"csrf_token": csrf_of(page), "decision": "confirm"}, follow_redirects=False
    )
    assert done.status_code == 303
    closing = {"csrf_token": token, "kind": "close", "outcome": "confirmed", "comment": "属实"}
    assert li.post(url, data=closing, follow_redirects=False).status_code == 303
    after = show_case(ctx, top.id)
    assert [(a.kind, a.state, a.actor, a.checked_by) for a in after.actions] == [
        ("hold", "done", "officer", None),
        ("return", "confirmed", "officer", "officer2"),
        ("close", "done", "officer", None),
    ]
    assert {a.outcome for a in after.alerts} == {"confirmed"}
    closed_page = li.get(f"/console/risk/cases/{top.id}").text
    assert "确认属实" in closed_page and 'id="action-form"' not in closed_page

    review = li.get("/console/risk/review")
    assert review.status_code == 200 and "100.00 %" in review.text and "准确率" in review.text
    assert portal.client("officer", lang="en").get("/console/risk/review").text.count("<th>Precision</th>") == 2


def test_other_tenants_and_roles_do_not_reach_the_cases(portal: Portal) -> None:
    plant(portal)
    [top, *_] = list_cases(portal.zone.ctx)[0]
    city = officer(portal, "cityofficer", tenant="hub/zhengzhou")
    assert city.get(f"/console/risk/cases/{top.id}").status_code == 404
    assert 'class="case-link"' not in city.get("/console/risk/cases").text
    assert "尚无预警" in city.get("/console/risk/review").text
    assert portal.client("shop").get("/console/risk/cases").status_code == 403
    assert portal.client("taxman").get(f"/console/risk/cases/{top.id}").status_code == 403
    token = csrf_of(city.get("/console/risk/cases").text)  # the sign-out form carries the session's token
    refused = city.post(f"/console/risk/cases/{top.id}/actions", data={"csrf_token": token, "kind": "hold"})
    assert refused.status_code == 404
    assert show_case(portal.zone.ctx, top.id).actions == []


def test_in_a_browser_an_officer_acts_a_second_confirms_and_the_review_shows_the_precision(
    browser: Any, server: str, portal: Portal
) -> None:
    plant(portal)
    ctx = portal.zone.ctx
    top = list_cases(ctx)[0][0]
    page = _page(browser)
    _sign_in(page, server, portal, "officer", "/console/risk/cases")
    page.locator("a.case-link").first.click()
    page.wait_for_url(f"{server}/console/risk/cases/{top.id}")
    assert page.locator("#alerts ul.reasons li").count() >= 1
    page.select_option("#action-form select[name=kind]", "return")
    page.fill("#action-form input[name=comment]", "虚假交易，退运")
    page.click("#action-form button.primary")
    page.locator("tr.action-return", has_text="待复核").wait_for()
    assert page.locator("form.confirm-form").count() == 0
    _shoot(page, "risk-case-proposed")
    officer(portal, "officer2")  # the account of the second officer
    second = _page(browser)
    _sign_in(second, server, portal, "officer2", f"/console/risk/cases/{top.id}")
    second.click("form.confirm-form button[value=confirm]")
    second.locator("tr.action-return", has_text="已复核同意").wait_for()
    page.reload()  # a watch-list entry: proposed by one officer, confirmed by the second, shown in the list
    page.select_option("#action-form select[name=kind]", "propose_list_entry")
    page.select_option("#action-form select[name=list_name]", "watch")
    page.fill("#action-form input[name=comment]", "列入观察")
    page.click("#action-form button.primary")
    page.locator("tr.action-propose_list_entry", has_text="待复核").wait_for()
    second.reload()
    second.click("tr.action-propose_list_entry form.confirm-form button[value=confirm]")
    second.locator("tr.action-propose_list_entry a.list-entry").click()
    second.wait_for_url(f"{server}/console/risk/lists?kind=watch#entry-*")
    row = second.locator("#entries tr", has_text="列入观察")
    assert row.locator(f'a[href="/console/risk/cases/{top.id}"]').count() == 1
    assert top.pivot_key not in second.content()  # a person's key is shown masked
    _shoot(second, "risk-watch-entry")
    page.goto(f"{server}/console/risk")  # the alert queue links each alert to its case
    page.locator(f'td.case-link a[href="/console/risk/cases/{top.id}"]').first.click()
    page.wait_for_url(f"{server}/console/risk/cases/{top.id}")
    page.select_option("#action-form select[name=kind]", "close")
    page.select_option("#action-form select[name=outcome]", "valuable")
    page.click("#action-form button.primary")
    page.locator("#case-outcome", has_text="有价值").wait_for()
    page.goto(f"{server}/console/risk/review")
    names = {"fake_order": "刷单", "order_splitting": "化整为零", "id_misuse": "身份冒用"}
    for typology in top.typologies:  # the closed case's typologies have labels: all confirmed or valuable
        row = page.locator("#by-typology tr", has_text=names[typology])
        assert row.locator("td.precision").inner_text() == "100.00 %"
    assert page.locator("#by-typology td.precision", has_text="100.00 %").count() == len(top.typologies)
    _shoot(page, "risk-case-review")
