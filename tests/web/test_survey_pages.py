"""Survey pages: the zone office defines and draws a survey; a sampled enterprise answers for itself; the office
imports the rest and reads the estimate (caliber survey)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from tests.web.support import Portal, csrf_of
from tests.web.test_statistics_pages import _zone

from cbec.common.clock import FixedClock
from cbec.statistics.models import StatSurveyUnit


def test_a_survey_from_definition_to_estimate(portal: Portal, clock: FixedClock, tmp_path: Path) -> None:
    _zone(portal.zone, clock, tmp_path)
    admin = portal.client("admin")
    listing = admin.get("/dashboard/surveys")
    token = csrf_of(listing.text)
    form = {
        "csrf_token": token,
        "code": "S-2026-03",
        "title": "其他渠道出口调查",
        "question": "本期经其他渠道的跨境电商出口额（元）",
        "period": "2026-03",
        "min_size": "0",
        "take_all_at": "",
        "sample_size": "5",
        "seed": "7",
    }
    bad = admin.post("/dashboard/surveys", data={**form, "period": "2026-03-02"}, follow_redirects=False)
    assert bad.status_code == 422 and "期间无效" in bad.text
    assert admin.post("/dashboard/surveys", data=form, follow_redirects=False).status_code == 303
    drawn = admin.post("/dashboard/surveys/S-2026-03/draw", data={"csrf_token": token}, follow_redirects=False)
    assert drawn.status_code == 303
    with portal.zone.ctx.uow() as uow:
        asked = sorted(uow.session.scalars(select(StatSurveyUnit.code).where(StatSurveyUnit.selected.is_(True))).all())
    assert asked == ["4601960002"]  # March's one e-commerce enterprise with released trade: the demo shop
    page = admin.get("/dashboard/surveys").text
    assert f"抽中 {len(asked)} 家，已答 0 家" in page and "尚无估计" in page

    shop = portal.client("shop")  # the demo shop: answers only if it was sampled
    mine = shop.get("/workspace/surveys")
    assert mine.status_code == 200
    if "4601960002" in asked:
        answered = shop.post(
            "/workspace/surveys/S-2026-03",
            data={"csrf_token": csrf_of(mine.text), "value": "1000.00"},
            follow_redirects=False,
        )
        assert (answered.status_code, answered.headers["location"]) == (303, "/workspace/surveys?saved=S-2026-03")
        rest = [code for code in asked if code != "4601960002"]
    else:
        assert "目前没有需要贵企业填报的调查" in mine.text
        refused = shop.post(
            "/workspace/surveys/S-2026-03",
            data={"csrf_token": csrf_of(mine.text), "value": "1"},
            follow_redirects=False,
        )
        assert refused.status_code == 422
        rest = asked
    lines = "\n".join(f"{code},1000.00" for code in rest)
    imported = admin.post(
        "/dashboard/surveys/S-2026-03/answers", data={"csrf_token": token, "answers": lines}, follow_redirects=False
    )
    assert imported.status_code == 303
    page = admin.get("/dashboard/surveys").text
    assert f"已答 {len(asked)} 家" in page and "回答率 1.0000（抽样调查口径）" in page
    assert portal.client("officer").post("/dashboard/surveys", data=form, follow_redirects=False).status_code == 403
