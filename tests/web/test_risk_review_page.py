"""The review page reads each rule's precision and alert volume (复盘: 每条规则的准确率): planted labelled alerts give
exact figures per rule — a rule counts for an alert when it gave that alert points in its decision's trace — with
the rule's typology and reason in words, beside the figures per typology."""

from __future__ import annotations

import re

from markupsafe import escape
from tests.integration.risk.cases.support import plant_labelled_alerts
from tests.web.support import Portal

from cbec.risk.rules import shipped_ruleset

CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def _rows(html: str, table: str) -> dict[str, list[str]]:
    body = html.split(f'id="{table}">', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in body.split("<tr>")[2:]:  # the header row first
        cells = [re.sub(r"<br>.*", "", c, flags=re.S).strip() for c in CELL.findall(row)]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_review_page_shows_exact_precision_and_volume_per_rule(portal: Portal) -> None:
    ctx = portal.zone.ctx
    plant_labelled_alerts(ctx, "officer")
    html = portal.client("officer").get("/console/risk/review").text
    # rule: alerts, snoozed, labelled, confirmed or valuable, false positives, precision, then per ISO week
    assert _rows(html, "by-rule") == {
        "F1": ["1", "0", "0", "0", "0", "—", "0", "1"],
        "S1": ["3", "0", "3", "2", "1", "66.67 %", "1", "2"],
        "S2": ["2", "0", "1", "1", "0", "100.00 %", "1", "1"],
    }
    assert _rows(html, "by-typology") == {
        "刷单": ["1", "0", "0", "0", "0", "—", "0", "1"],
        "化整为零": ["4", "0", "3", "2", "1", "66.67 %", "1", "3"],
    }
    assert re.findall(r'<th class="mono">(\d{4}-W\d\d)</th>', html)[:2] == ["2026-W09", "2026-W10"]
    s1 = next(r for r in shipped_ruleset().rules if r.id == "S1")
    assert (
        f'<small class="muted rule-meaning">化整为零 · {s1.reason_zh}' in html
    )  # (the English after it if it says more)
    english = portal.client("officer", lang="en").get("/console/risk/review").text
    assert f'<small class="muted rule-meaning">Order splitting · {escape(s1.reason_en)}</small>' in english
