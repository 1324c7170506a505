"""Sample surveys end to end: define, draw from the rollups, answer (enterprise and import), estimate."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.integration.statistics.test_export_figures import _month
from tests.zone import Zone

from cbec.common.clock import FixedClock
from cbec.common.errors import Conflict, InvalidInput, NotFound
from cbec.common.scope import Scope
from cbec.statistics.models import StatSurveyUnit
from cbec.statistics.queries import list_surveys, survey_estimate
from cbec.statistics.service import create_survey, draw_sample, record_responses, run_rollup

HUB = Scope(tenant="hub")


def _define(zone: Zone, code: str = "S-2026-03", **changes: object) -> object:
    fields: dict[str, object] = {
        "code": code,
        "title": "跨境电商其他渠道出口抽样调查",
        "question": "本期经其他渠道的跨境电商出口额（元）",
        "period": "2026-03",
        "min_size": "0",
        "take_all_at": "100000",
        "sample_size": 1,
        "seed": 3,
    }
    return create_survey(zone.ctx, **{**fields, **changes}, actor="office", scope=HUB)  # type: ignore[arg-type]


def test_a_survey_is_drawn_answered_and_estimated(zone: Zone, clock: FixedClock, tmp_path: Path) -> None:
    _month(zone, clock, tmp_path)
    run_rollup(zone.ctx)
    _define(zone)
    with pytest.raises(Conflict) as taken:
        _define(zone)
    assert [p.rule_id for p in taken.value.problems] == ["STAT-SURVEY-EXISTS"]
    with pytest.raises(InvalidInput) as bad:
        _define(zone, code="bad code", period="2026-03-15", min_size="-1", sample_size=0)
    assert [p.rule_id for p in bad.value.problems] == [
        "STAT-SURVEY-CODE",
        "STAT-SURVEY-PERIOD",
        "STAT-SURVEY-AMOUNT",
        "STAT-SURVEY-SIZE",
    ]
    drawn = draw_sample(zone.ctx, "S-2026-03", actor="office", scope=HUB)
    with pytest.raises(Conflict):
        draw_sample(zone.ctx, "S-2026-03", actor="office", scope=HUB)
    view, _ = survey_estimate(zone.ctx, "S-2026-03", HUB)
    assert (view.state, view.frame, view.selected, view.answered) == ("drawn", drawn.frame, drawn.selected, 0)
    assert view.frame >= 1 and view.selected >= 1
    with zone.ctx.uow() as uow:
        units = [
            (code, stratum, selected)
            for code, stratum, selected in uow.session.execute(
                select(StatSurveyUnit.code, StatSurveyUnit.stratum, StatSurveyUnit.selected).order_by(
                    StatSurveyUnit.code
                )
            )
        ]
    asked = [code for code, _, selected in units if selected]
    not_asked = [code for code, _, selected in units if not selected]
    refused_rows = [{"code": asked[0], "value": "12.345"}] + [{"code": c, "value": "1"} for c in not_asked[:1]]
    with pytest.raises(InvalidInput) as refused:
        record_responses(zone.ctx, "S-2026-03", refused_rows, actor="office", scope=HUB)
    expected = ["STAT-SURVEY-AMOUNT"] + ["STAT-SURVEY-UNIT"] * len(not_asked[:1])
    assert [p.rule_id for p in refused.value.problems] == expected
    assert survey_estimate(zone.ctx, "S-2026-03", HUB)[0].answered == 0  # nothing of the refused batch kept

    shop = Scope(parties=frozenset({asked[0]}))
    assert [s.code for s in list_surveys(zone.ctx, shop)] == ["S-2026-03"]
    assert list_surveys(zone.ctx, Scope(parties=frozenset({"0000000000"}))) == []
    with pytest.raises(NotFound):
        survey_estimate(zone.ctx, "S-2026-03", Scope(parties=frozenset({"0000000000"})))
    rows = [{"code": code, "value": "1000.00"} for code in asked]
    record_responses(zone.ctx, "S-2026-03", rows[:1], actor="shop", scope=shop)
    record_responses(zone.ctx, "S-2026-03", rows[1:], actor="office", scope=HUB)
    view, found = survey_estimate(zone.ctx, "S-2026-03", HUB)
    take_all = sum(1 for _, stratum, _ in units if stratum == "take_all")
    sampled = len(units) - take_all
    assert view.answered == len(asked)
    assert found.total == Decimal("1000.00") * (take_all + sampled)
    assert (found.standard_error, found.response_rate, found.caliber) == (Decimal(0), Decimal("1.0000"), "survey")
