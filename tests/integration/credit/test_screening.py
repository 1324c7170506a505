"""Screening against the negative lists in force (名单筛查): entries loaded as list_entry facts, a name or codes
screened with list, legal basis, score and features; persons by keyed hash only; every filed enterprise."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from tests.builders import PARTIES
from tests.zone import Zone

from cbec.common.ids import make_resident_id, make_uscc
from cbec.common.scope import EVERYTHING, Scope
from cbec.credit import CreditForbidden, CreditInvalid
from cbec.credit.schemas import FactIn, ScreenIn
from cbec.credit.service import apply_events, import_facts, record_fact, screen_enterprises, screen_name
from cbec.credit.service import seed_configuration as seed
from cbec.storage.context import Context

ACME = make_uscc("91460000MA5TCRD01")
GONE = make_uscc("91460000MA5TCRD02")
PERSON = make_resident_id("460100", date(1980, 5, 6), 12)
ON = "2026-03-01"
COLUMNS = [
    "subject",
    "subject_name",
    "person_id",
    "fact_type",
    "source",
    "severity",
    "list_type",
    "decided_on",
    "valid_to",
    "document_no",
    "legal_basis",
]


def entry(subject: str, name: str, list_type: str, number: str, **extra: str) -> dict[str, str]:
    values = {
        "subject": subject,
        "subject_name": name,
        "fact_type": "list_entry",
        "source": "court",
        "severity": "serious",
        "list_type": list_type,
        "decided_on": "2026-01-10",
        "document_no": number,
        "legal_basis": "最高人民法院关于公布失信被执行人名单信息的若干规定",
    }
    return {**values, **extra}


@pytest.fixture
def listed(zone: Zone, tmp_path: Path) -> Context:
    ctx = zone.ctx
    seed(ctx)
    apply_events(ctx)  # the filed enterprises become subjects, with their names
    rows = [
        entry(ACME, "海南蓝海华信贸易有限公司", "court_dishonest", "(2026)琼01执1号"),
        entry(PARTIES.ecommerce.code, "", "tax_major", "琼税稽罚〔2026〕3号", source="tax", legal_basis="税收征管法"),
        entry(GONE, "海口椰风进出口有限公司", "zone", "琼自贸信〔2026〕1号", source="zone", valid_to="2026-02-01"),
        entry("", "", "court_dishonest", "(2026)琼01执2号", person_id=PERSON),
    ]
    path = tmp_path / "lists.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    assert import_facts(ctx, path).recorded == 4
    return ctx


def test_a_name_in_another_script_hits_its_entry_with_the_features_behind_the_score(listed: Context) -> None:
    report = screen_name(listed, ScreenIn(name="海南藍海華信貿易有限公司", on=ON))
    assert (report.query, report.on, report.threshold, report.entries) == (
        "海南藍海華信貿易有限公司",
        date(2026, 3, 1),
        0.72,
        3,  # the expired zone entry is not in force
    )
    [hit] = report.hits
    assert (hit.subject, hit.name, hit.list_type, hit.source, hit.document_no, hit.score, hit.band, hit.matched) == (
        ACME,
        "海南蓝海华信贸易有限公司",
        "court_dishonest",
        "court",
        "(2026)琼01执1号",
        0.9529,
        "review",
        "name",
    )
    assert hit.legal_basis == "最高人民法院关于公布失信被执行人名单信息的若干规定"
    assert [(f.name, f.value, f.weight, f.contribution) for f in hit.features] == [
        ("core", 1.0, 0.15, 0.1485),
        ("order", 1.0, 0.25, 0.2475),
        ("pinyin", 1.0, 0.25, 0.2475),
        ("full", 1.0, 0.1, 0.099),
        ("surface", 0.75, 0.15, 0.1114),
        ("core_exact", 1.0, 0.05, 0.0495),
        ("length", 1.0, 0.05, 0.0495),
    ]


def test_codes_match_exactly_first_and_an_expired_entry_is_not_screened(listed: Context) -> None:
    report = screen_name(listed, ScreenIn(customs_code=PARTIES.ecommerce.code.lower(), on=ON))
    assert [(h.subject, h.list_type, h.score, h.band, h.matched, h.features) for h in report.hits] == [
        (report.hits[0].subject, "tax_major", 1.0, "top", "customs_code", [])
    ]
    assert report.hits[0].name == PARTIES.ecommerce.name  # the filing's name, not the list's
    assert screen_name(listed, ScreenIn(uscc=GONE, name="海口椰风进出口有限公司", on=ON)).hits == []
    before = screen_name(listed, ScreenIn(uscc=GONE, on="2026-01-20"))
    assert [(h.subject, h.list_type, h.matched) for h in before.hits] == [(GONE, "zone", "uscc")]


def test_persons_are_screened_by_keyed_hash_for_the_hub_only(listed: Context) -> None:
    report = screen_name(listed, ScreenIn(person_id=PERSON.lower(), on=ON))
    assert report.query == "person"
    [hit] = report.hits
    assert (hit.name, hit.list_type, hit.matched, hit.score) == (None, "court_dishonest", "person_key", 1.0)
    assert hit.subject.startswith("person:") and PERSON not in hit.model_dump_json()
    with pytest.raises(CreditForbidden) as caught:
        screen_name(listed, ScreenIn(person_id=PERSON, on=ON), scope=Scope(tenant="hub/zhengzhou"))
    assert [p.rule_id for p in caught.value.problems] == ["CRD-SCREEN-PERSON"]


def test_bad_requests_name_every_problem(listed: Context) -> None:
    with pytest.raises(CreditInvalid) as caught:
        screen_name(listed, ScreenIn())
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [("CRD-SCREEN-EMPTY", "name")]
    with pytest.raises(CreditInvalid) as caught:
        screen_name(
            listed,
            ScreenIn(name="（——）", uscc="91460000MA5TCRD0X", customs_code="46-0", on="3 March", threshold=2, limit=0),
        )
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("CRD-SCREEN-NAME", "name"),
        ("CRD-SCREEN-USCC", "uscc"),
        ("CRD-SCREEN-CUSTOMS", "customs_code"),
        ("CRD-DATE", "on"),
        ("CRD-SCREEN-THRESHOLD", "threshold"),
        ("CRD-SCREEN-LIMIT", "limit"),
    ]
    assert all(p.hint for p in caught.value.problems)
    with pytest.raises(CreditInvalid) as caught:
        screen_name(listed, ScreenIn(name="蓝" * 201))
    assert [p.rule_id for p in caught.value.problems] == ["CRD-SCREEN-NAME"]


def test_a_new_entry_is_screened_at_once(listed: Context) -> None:
    assert screen_name(listed, ScreenIn(name="椰城国际物流", on=ON)).hits == []
    record_fact(
        listed,
        FactIn(
            subject=PARTIES.logistics.code,
            fact_type="list_entry",
            source="market",
            severity="serious",
            list_type="market_serious",
            decided_on="2026-02-01",
            document_no="琼市监信〔2026〕9号",
            legal_basis="市场监督管理严重违法失信名单管理办法",
        ),
        actor="test",
        scope=EVERYTHING,
    )
    [hit] = screen_name(listed, ScreenIn(name="椰城国际物流", on=ON)).hits
    assert (hit.name, hit.list_type, hit.score, hit.matched) == (
        PARTIES.logistics.name,
        "market_serious",
        0.9281,
        "name",
    )


def test_every_filed_enterprise_is_screened(listed: Context) -> None:
    seen: list[tuple[int, int]] = []
    batch = screen_enterprises(listed, on=date(2026, 3, 1), progress=lambda done, total: seen.append((done, total)))
    assert (batch.entries, batch.screened, batch.flagged, batch.threshold) == (3, 6, 1, 0.72)
    assert seen == [(6, 6)]
    [report] = batch.results
    assert [(h.list_type, h.score, h.matched) for h in report.hits] == [("tax_major", 1.0, "uscc")]
    assert report.hits[0].name == PARTIES.ecommerce.name
