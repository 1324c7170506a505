"""REST of publication past the maximum for uncorrected behaviour (未整改继续公示): an officer flags a negative fact
before its window's maximum, another account confirms, the fact keeps counting past the maximum (a row with the new end
supersedes it), the daily job reports it and ends it at the flag's end.

Enterprise A is filed at the hub; the world's day is 2026-03-02. A minor penalty decided 2026-01-01 is published until
2026-04-01 (three months).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from tests.api import test_authorization as authz
from tests.api.credit.test_credit_list_management_api import other_officer
from tests.api.credit.test_credit_office_api import second_key
from tests.api.test_authorization import World
from tests.api.test_trust_boundary import client_of, name_of
from tests.builders import PARTIES

from cbec.credit.service import apply_events, run_daily, seed_configuration

A = PARTIES.ecommerce.code
world = authz.world
BASIS = "海关行政处罚公示规定（行业规定）第九条"


@pytest.fixture
def penalty(world: World) -> tuple[World, int]:
    ctx = world.app.state.ctx
    seed_configuration(ctx)
    apply_events(ctx)
    body = {
        "subject": A,
        "fact_type": "penalty",
        "source": "customs",
        "severity": "minor",
        "decided_on": "2026-01-01",
        "document_no": "海关罚〔2026〕1号",
        "legal_basis": "海关行政处罚实施条例",
    }
    made = client_of(world, "zone_admin").post("/api/v1/credit/facts", json=body)
    assert (made.status_code, made.json()["publish_max_until"]) == (201, "2026-04-01")
    return world, made.json()["id"]


def rules(answer: Any) -> list[str]:
    return [p["rule_id"] for p in answer.json()["problems"]]


def counted(world: World, on: str) -> list[int]:
    answer = client_of(world, "zone_admin").get(f"/api/v1/credit/subjects/{A}?on={on}").json()
    return [c["fact_id"] for c in answer["contributions"]]


def test_a_confirmed_flag_publishes_past_the_maximum_and_the_daily_job_reports_it(
    penalty: tuple[World, int],
) -> None:
    credit, fact = penalty
    admin = client_of(credit, "zone_admin")
    body = {"fact_id": fact, "legal_basis": BASIS, "reason": "罚款未缴清，违法行为未改正", "until": "2026-07-01"}
    flagged = admin.post("/api/v1/credit/uncorrected", json=body)
    assert flagged.status_code == 201, flagged.json()
    flag = flagged.json()
    assert (flag["status"], flag["window_max"], flag["until"], flag["flagged_by"]) == (
        "pending",
        "2026-04-01",
        "2026-07-01",
        name_of(credit, "zone_admin"),
    )
    assert counted(credit, "2026-05-01") == []  # nothing continues before a second officer confirms
    url = f"/api/v1/credit/uncorrected/{flag['id']}/decision"
    same = second_key(credit, "zone_admin").post(url, json={"action": "confirm"})
    assert (same.status_code, rules(same)) == (403, ["CRD-MAKER-CHECKER"])
    twice = admin.post("/api/v1/credit/uncorrected", json=body)
    assert (twice.status_code, rules(twice)) == (409, ["CRD-UNCORRECTED-OPEN"])
    assert client_of(credit, "city_admin").post(url, json={"action": "confirm"}).status_code == 404
    assert client_of(credit, "tax").post(url, json={"action": "confirm"}).status_code == 403  # customs' fact
    done = other_officer(credit).post(url, json={"action": "confirm"})
    assert done.status_code == 200, done.json()
    continued = done.json()["result_fact_id"]
    assert (done.json()["status"], done.json()["decided_by"][:15]) == ("confirmed", "second-officer:")
    assert counted(credit, "2026-03-31") == [continued]
    assert counted(credit, "2026-05-01") == [continued]  # past the window's maximum
    assert counted(credit, "2026-07-01") == []  # the flag's end
    before = admin.get(f"/api/v1/credit/subjects/{A}?on=2026-05-01&known_at=2026-03-01T12:00:00%2B08:00").json()
    assert before["contributions"] == []  # as known before the flag, the window ended on 2026-04-01
    rows = {f["id"]: f for f in admin.get(f"/api/v1/credit/subjects/{A}/facts").json()}
    assert (rows[continued]["supersedes"], rows[continued]["publish_max_until"]) == (fact, "2026-07-01")
    ctx = credit.app.state.ctx
    report = run_daily(ctx, on=date(2026, 5, 1))
    assert (report.ended, [(u.fact_id, u.window_max, u.published_until) for u in report.uncorrected]) == (
        [],
        [(continued, date(2026, 4, 1), date(2026, 7, 1))],
    )
    final = run_daily(ctx, on=date(2026, 7, 1))
    assert ([e.fact_id for e in final.ended], final.uncorrected) == ([continued], [])
    listed = admin.get("/api/v1/credit/uncorrected?status=confirmed").json()
    assert [(f["id"], f["result_fact_id"]) for f in listed] == [(flag["id"], continued)]
    assert client_of(credit, "city_admin").get("/api/v1/credit/uncorrected").json() == []


def test_flags_are_refused_with_every_reason(penalty: tuple[World, int]) -> None:
    credit, fact = penalty
    admin = client_of(credit, "zone_admin")
    bad = admin.post(
        "/api/v1/credit/uncorrected", json={"fact_id": fact, "legal_basis": " ", "reason": "", "until": "2026-03-15"}
    )
    assert (bad.status_code, rules(bad)) == (
        422,
        ["CRD-UNCORRECTED-UNTIL", "CRD-UNCORRECTED-TEXT", "CRD-UNCORRECTED-TEXT"],
    )
    unknown = admin.post("/api/v1/credit/uncorrected", json={"fact_id": 999999, "legal_basis": BASIS, "reason": "x"})
    assert (unknown.status_code, rules(unknown)) == (404, ["CRD-FACT-UNKNOWN"])
    open_ended = admin.post("/api/v1/credit/uncorrected", json={"fact_id": fact, "legal_basis": BASIS, "reason": "x"})
    assert (open_ended.status_code, open_ended.json()["until"]) == (201, None)  # until repaired
    url = f"/api/v1/credit/uncorrected/{open_ended.json()['id']}/decision"
    bare = other_officer(credit).post(url, json={"action": "reject"})
    assert (bare.status_code, rules(bare)) == (422, ["CRD-DECISION-NOTE"])
    rejected = other_officer(credit).post(url, json={"action": "reject", "note": "已缴清"})
    assert (rejected.json()["status"], rejected.json()["result_fact_id"]) == ("rejected", None)
    assert counted(credit, "2026-05-01") == []
    positive = {
        "subject": A,
        "fact_type": "certification",
        "source": "customs",
        "severity": "positive",
        "decided_on": "2026-01-01",
        "document_no": "认证〔2026〕1号",
    }
    made = admin.post("/api/v1/credit/facts", json=positive).json()["id"]
    refused = admin.post("/api/v1/credit/uncorrected", json={"fact_id": made, "legal_basis": BASIS, "reason": "x"})
    assert (refused.status_code, rules(refused)) == (422, ["CRD-UNCORRECTED-NEGATIVE", "CRD-UNCORRECTED-LATE"])
