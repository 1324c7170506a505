"""The external lists and entity conditions pages of the console: an officer loads a list file (JSON or CSV) all or
nothing — every problem shown with its rule id, field, message and fix, nothing stored —, sees the kinds with their
counts, effective dates and last load and a kind's entries; places a block with expiry and ends it early; a
hard block refuses an override; readers see the pages without forms and others are refused. The last test drives
the forms in Debian's chromium (a CSV file chosen in the file input)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from tests.web.support import Portal, csrf_of
from tests.web.test_browser import _page, _shoot, _sign_in, browser, server  # noqa: F401 (fixtures)

from cbec.common.clock import SHANGHAI
from cbec.risk.conditions import list_conditions
from cbec.risk.lists import ListKind, list_entries, sample_text
from cbec.supervision import SubjectKind, measures_in_force

LISTS = "/console/risk/lists"
CONDITIONS = "/console/risk/conditions"
RECALLS_CSV = (
    "hs6,brand,product,reason,valid_from,valid_to\n"
    "040210,KIWIMILK,奶粉,批次污染(合成示例),2026-02-15,\n"
    '190110,,"婴儿米粉",重金属超标(合成示例),2026-01-01,2026-06-30\n'
)
BAD_CSV = (
    "hs6,brand,product,reason,valid_from,valid_to,colour\n"  # an unknown column
    "04021,KIWIMILK,,x,2026-02-15,,\n"
)
BAD_ROWS_CSV = (
    "hs6,brand,product,reason,valid_from,valid_to\n"
    "04021,KIWIMILK,,x,2026-02-15,\n"  # line 2: HS6 of five digits
    "190110,,,x,2026-13-01,\n"  # line 3: neither brand nor product, no date
    "190110,ACME\n"  # line 4: two cells for six columns
)


def _holds(portal: Portal, code: str) -> int:
    ctx = portal.zone.ctx
    with ctx.uow() as uow:
        found = measures_in_force(uow.session, [(SubjectKind.ENTERPRISE, code)], ctx.clock.now() + timedelta(minutes=1))
        uow.commit()
    return sum(len(m) for m in found.values())


def _post(client: TestClient, url: str, data: dict[str, str], page: str = LISTS) -> Any:
    token = csrf_of(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def test_an_officer_loads_lists_as_json_and_csv_all_or_nothing(portal: Portal) -> None:
    officer = portal.client("officer")
    first = officer.get(LISTS)
    assert first.status_code == 200 and "风险外部名单" in first.text and "尚未载入" in first.text
    loaded = _post(officer, f"{LISTS}/ipr", {"format": "json", "document": sample_text(ListKind.IPR)})
    assert (loaded.status_code, loaded.headers["location"]) == (303, f"{LISTS}?kind=ipr&done=3")
    page = officer.get(f"{LISTS}?kind=ipr").text
    row = page.split('data-kind="ipr"')[1].split("</tr>")[0]
    # three entries, two in force on the zone's business day, from 2024-01-01, two open-ended
    assert '<td data-label="条目" class="entries">3</td>' in row and 'class="in-force">2</td>' in row
    assert "2024-01-01 – 长期" in row and "officer" in row and "SYNTHETIC sample" in row
    entries = page.split('id="entries"')[1]
    assert "NORDLYS" in entries and "Nordlys Kosmetikk AS (synthetic)" in entries and "2025-12-31" in entries

    bad = _post(officer, f"{LISTS}/recall", {"format": "csv", "provenance": "", "document": BAD_CSV})
    assert bad.status_code == 422
    assert "名单未载入" in bad.text and "<code>RSK-LIST-CSV</code>" in bad.text and "未知列 colour" in bad.text
    rows = _post(officer, f"{LISTS}/recall", {"format": "csv", "provenance": "SAMR test", "document": BAD_ROWS_CSV})
    assert rows.status_code == 422
    shown = rows.text.split('id="problems"')[1].split("</div>")[0]
    assert shown.count("<li>") == 1 and "line 4" in shown  # the shape is checked before the fields
    fixed = BAD_ROWS_CSV.rsplit("190110,ACME\n", 1)[0]
    rows = _post(officer, f"{LISTS}/recall", {"format": "csv", "provenance": "", "document": fixed})
    shown = rows.text.split('id="problems"')[1].split("</div>")[0]
    assert [line.split("</code>")[0] for line in shown.split("<code>")[1:]] == [
        "RSK-LIST-PROVENANCE",
        "RSK-LIST-FIELD",
        "RSK-LIST-FIELD",
        "RSK-LIST-FIELD",
    ]
    assert "line 2.hs6" in shown and "line 3.valid_from" in shown and "HS6 无效 / not an HS6 code" in shown
    assert list_entries(portal.zone.ctx, "recall") == []  # nothing of a refused file is stored
    kept = rows.text.split('id="load-document"')[1].split("</textarea>")[0]
    assert "190110,,,x,2026-13-01," in kept  # the officer's text comes back to be corrected

    good = _post(
        officer,
        f"{LISTS}/recall",
        {"format": "csv", "provenance": "SAMR 召回公告 (synthetic)", "document": RECALLS_CSV},
    )
    assert (good.status_code, good.headers["location"]) == (303, f"{LISTS}?kind=recall&done=2")
    stored = list_entries(portal.zone.ctx, "recall")
    assert [(e.key, str(e.valid_from), str(e.valid_to)) for e in stored] == [
        ("KIWIMILK 040210", "2026-02-15", "None"),
        ("婴儿米粉 190110", "2026-01-01", "2026-06-30"),
    ]
    row = officer.get(LISTS).text.split('data-kind="recall"')[1].split("</tr>")[0]
    assert hashlib.sha256(RECALLS_CSV.encode()).hexdigest()[:12] in row and "console (csv)" in row
    en = portal.client("officer", lang="en").get(f"{LISTS}?kind=recall").text
    assert "Risk external lists" in en and "Recalls" in en and "风险外部名单" not in en


def test_list_readers_see_no_form_and_others_are_refused(portal: Portal) -> None:
    admin = portal.client("admin")
    seen = admin.get(LISTS)
    assert seen.status_code == 200 and 'id="load-form"' not in seen.text  # risk.read, no risk.manage
    refused = admin.post(f"{LISTS}/watch", data={"csrf_token": csrf_of(seen.text), "document": "{}"})
    assert refused.status_code == 403
    for user in ("taxman", "shop", "auditor"):
        assert portal.client(user).get(LISTS).status_code == 403
        assert portal.client(user).get(CONDITIONS).status_code == 403
    assert 'id="load-form"' in portal.client("officer").get(LISTS).text
    assert list_entries(portal.zone.ctx) == []


def test_an_officer_places_and_ends_conditions_on_the_page(portal: Portal) -> None:
    officer = portal.client("officer")
    ctx = portal.zone.ctx
    now = ctx.clock.now()
    until = (now + timedelta(days=30)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    placed = _post(
        officer,
        CONDITIONS,
        {
            "subject_kind": "enterprise",
            "subject_key": "4601960002",
            "kind": "block",
            "reason": "核查中",
            "valid_until": until,
        },
        CONDITIONS,
    )
    first = list_conditions(ctx)[0]
    assert (placed.status_code, placed.headers["location"]) == (303, f"{CONDITIONS}?done=placed-{first.id}")
    assert (first.kind, first.subject_key, first.in_force, first.created_by) == ("block", "4601960002", True, "officer")
    assert first.valid_until is not None and first.valid_until.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") == until
    assert _holds(portal, "4601960002") == 1  # the block is a supervision hold at once
    key = "ab12cd34ef56" * 4
    assert (
        _post(
            officer,
            CONDITIONS,
            {"subject_kind": "buyer", "subject_key": key, "kind": "hard_block", "reason": "确认冒用"},
            CONDITIONS,
        ).status_code
        == 303
    )
    page = officer.get(CONDITIONS).text
    table = page.split('id="conditions"')[1]
    assert "ab12cd…" in table and key not in page  # a buyer's key is shown masked
    assert "不可撤销拦截" in table and "核查中" in table
    refused = _post(
        officer,
        CONDITIONS,
        {"subject_kind": "buyer", "subject_key": key, "kind": "override", "reason": "AEO"},
        CONDITIONS,
    )
    assert refused.status_code == 422 and "<code>RSK-COND-HARD</code>" in refused.text
    assert len(list_conditions(ctx)) == 2
    empty = _post(officer, f"{CONDITIONS}/{first.id}/lift", {"reason": " "}, CONDITIONS)
    assert empty.status_code == 422 and "RSK-COND-REASON" in empty.text
    lifted = _post(officer, f"{CONDITIONS}/{first.id}/lift", {"reason": "核查完毕"}, CONDITIONS)
    assert (lifted.status_code, lifted.headers["location"]) == (303, f"{CONDITIONS}?state=ended&done=lifted-{first.id}")
    assert _holds(portal, "4601960002") == 0
    ended = officer.get(f"{CONDITIONS}?state=ended").text.split('id="conditions"')[1]
    assert f'data-condition="{first.id}"' in ended and "已撤销" in ended and "lift-form" not in ended
    missing = _post(officer, f"{CONDITIONS}/999999/lift", {"reason": "x"}, CONDITIONS)
    assert missing.status_code == 404 and "RSK-COND-NOT-FOUND" in missing.text
    admin = portal.client("admin").get(CONDITIONS).text
    assert 'id="place-form"' not in admin and "lift-form" not in admin and "ab12cd…" in admin


def test_the_lists_and_conditions_pages_in_a_browser(browser: Any, server: str, portal: Portal, tmp_path: Path) -> None:  # noqa: F811
    page = _page(browser)
    _sign_in(page, server, portal, "officer", LISTS)
    file = tmp_path / "recalls.csv"
    file.write_text(RECALLS_CSV, encoding="utf-8")
    page.select_option("#load-kind", "recall")
    page.set_input_files("#load-file", str(file))
    page.wait_for_function("document.getElementById('load-document').value.length > 10")
    assert page.input_value("#load-format") == "csv"
    page.fill("#load-provenance", "SAMR 召回公告 (synthetic)")
    page.click("#load-form button[type=submit]")
    page.wait_for_url(f"{server}{LISTS}?kind=recall&done=2")
    assert page.locator("#kinds tr[data-kind='recall'] .entries").inner_text() == "2"
    _shoot(page, "console-risk-lists")
    page.goto(f"{server}{CONDITIONS}")
    page.select_option("#place-form select[name=subject_kind]", "enterprise")
    page.fill("#place-form input[name=subject_key]", "4601960002")
    page.fill("#place-form input[name=reason]", "浏览器测试")
    page.click("#place-form button[type=submit]")
    page.wait_for_url(f"{server}{CONDITIONS}?done=placed-*")
    row = page.locator("#conditions tr").nth(1)
    assert "浏览器测试" in row.inner_text() and "拦截" in row.inner_text()
    row.locator("input[name=reason]").fill("结束")
    row.locator("button[type=submit]").click()
    page.wait_for_url(f"{server}{CONDITIONS}?state=ended&done=lifted-*")
    assert "已撤销" in page.locator("#conditions").inner_text()
    _shoot(page, "console-risk-conditions")
