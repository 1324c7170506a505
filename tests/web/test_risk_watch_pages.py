"""The console's link between alerts, cases and lists: the alert queue links each alert to the case it was filed
into (a snoozed one to none, one not filed yet shows a dash); a case's watch-list proposal, confirmed by a second
officer on the case page, shows its entry, and the lists page shows the entry (a person's key masked) with a link
back to its case."""

from __future__ import annotations

import re

from sqlalchemy import delete, select
from tests.web.support import Portal, csrf_of
from tests.web.test_risk_cases_pages import officer
from tests.web.test_risk_page import plant

from cbec.risk.cases import cases_of_alerts, list_cases, show_case
from cbec.risk.cases.models import RiskCaseAlert
from cbec.risk.lists import list_entries
from cbec.risk.service import list_alerts

LINK = re.compile(r'<td class="nowrap case-link"[^>]*>(.*?)</td>')


def test_the_alert_queue_links_each_alert_to_its_case(portal: Portal) -> None:
    plant(portal)
    ctx = portal.zone.ctx
    alerts = sorted(list_alerts(ctx), key=lambda a: (-a.score, -a.decision_id, a.typology))[:50]
    filed = cases_of_alerts(ctx, (a.decision_id for a in alerts))
    assert len(filed) == len(alerts) and all(filed.values())  # every alert on the page is in a case
    page = portal.client("officer").get("/console/risk").text
    assert len(LINK.findall(page)) == len(alerts)
    shown = [int(n) for n in re.findall(r'<a href="/console/risk/cases/(\d+)">#\1</a>', page)]
    assert shown == [filed[(a.decision_id, a.typology)] for a in alerts]
    for case_id in set(shown):  # each link goes to a case holding that alert
        eports = {x.alert.eport_no for x in show_case(ctx, case_id).alerts}
        assert {a.eport_no for a in alerts if filed[(a.decision_id, a.typology)] == case_id} <= eports

    # a snoozed alert is in no case: the queue says so
    key = (alerts[-1].decision_id, alerts[-1].typology)
    with ctx.uow() as uow:
        row = uow.session.scalars(
            select(RiskCaseAlert).where(RiskCaseAlert.decision_id == key[0], RiskCaseAlert.typology == key[1])
        ).one()
        row.case_id, row.snoozed = None, True
        uow.commit()
    again = portal.client("officer").get("/console/risk").text
    cells = LINK.findall(again)
    position = [(a.decision_id, a.typology) for a in alerts].index(key)
    assert "已静默" in cells[position] and "/console/risk/cases/" not in cells[position]
    with ctx.uow() as uow:  # an alert not filed yet (gather has not run since its decision): a dash
        uow.session.execute(
            delete(RiskCaseAlert).where(
                RiskCaseAlert.decision_id == alerts[0].decision_id, RiskCaseAlert.typology == alerts[0].typology
            )
        )
        uow.commit()
    assert LINK.findall(portal.client("officer").get("/console/risk").text)[0] == '<span class="muted">—</span>'


def test_a_watch_proposal_confirmed_on_the_case_page_shows_its_list_entry(portal: Portal) -> None:
    plant(portal)
    ctx = portal.zone.ctx
    case = next(c for c in list_cases(ctx)[0] if c.pivot_kind == "buyer")
    li = portal.client("officer")
    view = li.get(f"/console/risk/cases/{case.id}").text
    url = f"/console/risk/cases/{case.id}/actions"
    asked = {"csrf_token": csrf_of(view), "kind": "propose_list_entry", "list_name": "watch", "comment": "临界拆单"}
    assert li.post(url, data=asked, follow_redirects=False).status_code == 303
    [proposed] = [a for a in show_case(ctx, case.id).actions if a.kind == "propose_list_entry"]
    own = li.post(f"{url}/{proposed.id}", data={"csrf_token": csrf_of(view), "decision": "confirm"})
    assert own.status_code == 422 and "提议人不能复核自己的提议" in own.text
    assert list_entries(ctx, "watch") == []
    wang = officer(portal, "officer2")
    page = wang.get(f"/console/risk/cases/{case.id}").text
    done = wang.post(
        f"{url}/{proposed.id}", data={"csrf_token": csrf_of(page), "decision": "confirm"}, follow_redirects=False
    )
    assert done.status_code == 303
    [entry] = list_entries(ctx, "watch")
    assert (entry.case_id, entry.data["subject"], entry.data["proposed_by"], entry.data["confirmed_by"]) == (
        case.id,
        case.pivot_key,
        "officer",
        "officer2",
    )
    after = li.get(f"/console/risk/cases/{case.id}").text
    assert (
        f'<a class="list-entry" href="/console/risk/lists?kind=watch#entry-{entry.id}">观察名单条目 {entry.id}</a>'
        in (after)
    )
    lists = li.get("/console/risk/lists?kind=watch").text
    row = lists.split(f'<tr id="entry-{entry.id}">', 1)[1].split("</tr>", 1)[0]
    assert f"buyer:{case.pivot_key[:6]}…" in row and f'href="/console/risk/cases/{case.id}"' in row
    assert case.pivot_key not in lists  # the person's key is masked
    assert "来自案件" in row and "officer2" in row and "临界拆单" in row
    summary = lists.split('<tr data-kind="watch">', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'class="(entries|in-force)">(\d+)</td>', summary) == [("entries", "1"), ("in-force", "1")]

    english = portal.client("officer", lang="en").get(f"/console/risk/cases/{case.id}").text
    assert f"watch-list entry {entry.id}" in english
