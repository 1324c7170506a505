"""The AEO self-assessment as a per-item form: one select per item (0 / −1 / −2 / n.a.) grouped by module, the
standard's item catalogue as data (none shipped until verified), the pasted list kept as a fallback."""

from __future__ import annotations

import re

import pytest
from tests.web.support import Portal, csrf_of
from tests.web.test_credit_pages import A, credit

import cbec.web.credit_aeo as aeo_page
from cbec.credit.aeo import Catalogue, Item, parse_catalogue, shipped_standard
from cbec.credit.service import aeo_catalogue, list_assessments

MODULES = ["internal_control", "financial", "compliance", "trade_security"]


def test_the_shipped_catalogue_has_no_unverified_item() -> None:
    catalogue = aeo_catalogue()
    assert (catalogue.standard, catalogue.verified, catalogue.items) == ("GACC-2022-106", False, ())
    assert "not in the sources read" in catalogue.provenance


def test_a_catalogue_names_known_modules_and_each_item_once() -> None:
    standard = shipped_standard()
    doc = {
        "standard": "T",
        "verified": True,
        "modules": {"financial": [{"item": "2.1", "text_zh": "甲", "text_en": "a"}], "compliance": []},
    }
    parsed = parse_catalogue(doc, standard)
    assert parsed.items == (Item("financial", "2.1", "甲", "a"),)
    assert parsed.of("financial") == [Item("financial", "2.1", "甲", "a")] and parsed.of("compliance") == []
    with pytest.raises(ValueError, match="unknown module 'logistics'"):
        parse_catalogue({**doc, "modules": {"logistics": []}}, standard)
    twice = [{"item": "2.1", "text_zh": "甲", "text_en": "a"}, {"item": "2.1", "text_zh": "乙", "text_en": "b"}]
    with pytest.raises(ValueError, match="repeats"):
        parse_catalogue({**doc, "modules": {"financial": twice}}, standard)
    with pytest.raises(ValueError, match="malformed"):
        parse_catalogue({**doc, "modules": {"financial": [{"item": "2.1"}]}}, standard)


def test_the_form_offers_a_select_per_row_grouped_by_module(portal: Portal) -> None:
    credit(portal)
    page = portal.client("admin").get("/console/credit/aeo").text
    assert re.findall(r'<fieldset class="aeo-module" data-module="(\w+)"><legend>([^<]+)</legend>', page) == [
        ("internal_control", "内部控制"),
        ("financial", "财务状况"),
        ("compliance", "守法规范"),
        ("trade_security", "贸易安全"),
    ]
    for module in MODULES:
        assert re.findall(rf'<select name="score\.{module}\.(\d+)"', page) == [str(n) for n in range(6)]
    options = re.findall(r'<option value="([^"]*)">([^<]+)</option>', page.split('name="score.financial.0"')[1])[:5]
    assert options == [("", "—"), ("0", "达标 0"), ("-1", "基本达标 −1"), ("-2", "不达标 −2"), ("n.a.", "不适用")]
    assert "标准条目清单尚未核实，未随系统提供" in page
    english = portal.client("admin", lang="en").get("/console/credit/aeo").text
    assert "<legend>internal control</legend>" in english
    assert '<option value="-1">basically meets −1</option>' in english


def _rows(token: str, action: str, **extra: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "subject": A,
        "action": action,
        "item.internal_control.0": "1.1",
        "score.internal_control.0": "0",
        "item.internal_control.1": "1.2",
        "score.internal_control.1": "-1",
        "item.financial.0": "2.1",
        "score.financial.0": "0",
        "item.trade_security.3": "4.1",  # a row further down: the blank ones before it do not count
        "score.trade_security.3": "-1",
        "items": "守法规范 3.1 n.a.",  # the pasted fallback, scored with the rows
        **extra,
    }


def test_the_rows_and_the_pasted_list_are_scored_and_stored_together(portal: Portal) -> None:
    credit(portal)
    admin = portal.client("admin")
    token = csrf_of(admin.get("/console/credit/aeo").text)
    scored = admin.post("/console/credit/aeo", data=_rows(token, "score"))
    assert scored.status_code == 200
    assert '<span id="aeo-score">98</span>' in scored.text and 'id="aeo-pass">达标' in scored.text
    totals = re.findall(r'<tr data-module="(\w+)">.*?class="module-total">(-?\d+)</td>', scored.text, re.S)
    assert totals == [("internal_control", "-1"), ("financial", "0"), ("compliance", "0"), ("trade_security", "-1")]
    # the rows come back as entered (the typed row moved up, the blank rows after them)
    assert 'name="item.trade_security.0" value="4.1"' in scored.text
    kept = scored.text.split('name="score.trade_security.0"')[1].split("</select>")[0]
    assert '<option value="-1" selected>' in kept
    assert list_assessments(portal.zone.ctx, A) == []
    stored = admin.post("/console/credit/aeo", data=_rows(token, "store"), follow_redirects=False)
    assert stored.status_code == 303
    [assessment] = list_assessments(portal.zone.ctx, A)
    assert assessment.items == [
        {"module": "internal_control", "item": "1.1", "score": "0"},
        {"module": "internal_control", "item": "1.2", "score": "-1"},
        {"module": "financial", "item": "2.1", "score": "0"},
        {"module": "trade_security", "item": "4.1", "score": "-1"},
        {"module": "compliance", "item": "3.1", "score": "n.a."},
    ]
    assert (assessment.score, assessment.passed) == (98, True)


def test_each_problem_names_its_row(portal: Portal) -> None:
    credit(portal)
    admin = portal.client("admin")
    token = csrf_of(admin.get("/console/credit/aeo").text)
    bad = admin.post(
        "/console/credit/aeo",
        data=_rows(
            token,
            "score",
            **{"score.financial.1": "-2", "item.compliance.0": "3.2", "items": "内部控制 1.1 0"},
        ),
    )
    assert bad.status_code == 422
    assert "财务状况第 2 行：缺少条目编号" in bad.text  # a score without its item
    assert "守法规范第 1 行：评分无效:" in bad.text  # an item without its score
    assert "第 1 行：条目重复: 1.1" in bad.text  # the pasted line repeats a row
    nothing = admin.post("/console/credit/aeo", data={"csrf_token": token, "subject": A, "action": "score"})
    assert nothing.status_code == 422 and "自评表没有条目" in nothing.text
    assert list_assessments(portal.zone.ctx, A) == []


def test_catalogue_items_are_rows_of_their_own(portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    credit(portal)
    catalogue = Catalogue(
        standard="T",
        verified=True,
        provenance="test",
        items=(Item("financial", "2.1", "会计信息", "accounting"), Item("financial", "2.2", "偿付能力", "solvency")),
    )
    monkeypatch.setattr(aeo_page, "aeo_catalogue", lambda: catalogue)
    admin = portal.client("admin")
    page = admin.get("/console/credit/aeo").text
    assert '<input type="hidden" name="item.financial.0" value="2.1"><span class="mono">2.1</span>' in page
    assert '<span class="small">偿付能力</span>' in page
    assert re.findall(r'<select name="score\.financial\.(\d+)"', page) == [str(n) for n in range(8)]
    form = {
        "csrf_token": csrf_of(page),
        "subject": A,
        "action": "store",
        "item.financial.0": "2.1",
        "score.financial.0": "-1",
        "item.financial.1": "2.2",  # left unscored: not an item
        "score.financial.1": "",
        "item.financial.2": "2.9",
        "score.financial.2": "0",
    }
    assert admin.post("/console/credit/aeo", data=form, follow_redirects=False).status_code == 303
    [assessment] = list_assessments(portal.zone.ctx, A)
    assert assessment.items == [
        {"module": "financial", "item": "2.1", "score": "-1"},
        {"module": "financial", "item": "2.9", "score": "0"},
    ]
    assert assessment.score == 99
