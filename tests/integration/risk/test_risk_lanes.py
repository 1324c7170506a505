"""Lanes over stored decisions: a credit level's inspection rate (a supervision measure from credit) scales the
score of its enterprise's inventories; the day's lanes from the command line; nothing is written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from tests.integration.risk.cases.support import SUBJECTS, decide
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state
from cbec.risk.lanes import LanePolicy
from cbec.risk.models import RiskDecision
from cbec.risk.service import day_lanes
from cbec.supervision import MeasureKind, MeasureSpec, SubjectKind, add_measure
from cbec.supervision.models import SupervisionMeasure

DAY = date(2026, 3, 2)
AEO, DISHONEST = "4601960201", "4601960204"


def _plant(zone: Zone) -> None:
    now = zone.ctx.clock.now()
    decide(
        zone.ctx, "E1", [("quality", 100, "reject", ["Q2"])], day=DAY, at=now, subjects={**SUBJECTS, "enterprise": AEO}
    )
    decide(zone.ctx, "E2", [("fake_order", 70, "hold", ["F1"])], day=DAY, at=now)
    decide(
        zone.ctx,
        "E3",
        [("id_misuse", 20, "none", ["I1"])],
        day=DAY,
        at=now,
        subjects={**SUBJECTS, "enterprise": DISHONEST},
    )
    decide(zone.ctx, "E4", [("order_splitting", 40, "review", ["S1"])], day=DAY, at=now)
    decide(zone.ctx, "E5", [("fake_order", 80, "hold", ["F1"])], day=DAY - timedelta(days=1), at=now)  # other day
    with zone.ctx.uow() as uow:
        for code, rate in ((AEO, "0.002"), (DISHONEST, "0.8")):
            spec = MeasureSpec(MeasureKind.INSPECTION, f"level {code}", "credit level", now, None, Decimal(rate))
            add_measure(
                uow.session, source="credit", subject=(SubjectKind.ENTERPRISE, code), spec=spec, at=now, actor="credit"
            )
        uow.commit()


@pytest.fixture
def cli(zone: Zone) -> Iterator[CliRunner]:
    state._ctx = zone.ctx
    yield CliRunner()
    state._ctx = None


def test_credit_levels_scale_the_day_s_decisions_into_lanes(zone: Zone) -> None:
    _plant(zone)
    found = {
        d.eport_no: (d.lane.value, d.reason, d.priority, d.multiplier)
        for d in day_lanes(zone.ctx, DAY, LanePolicy(budget=1))
    }
    assert found == {
        "E1": ("blue", "post_clearance", Decimal("20.00"), Decimal("0.2")),  # reject score, AEO: a fifth
        "E2": ("yellow", "over_budget", Decimal("70.00"), Decimal(1)),
        "E3": ("red", "risk", Decimal("100.00"), Decimal(5)),  # 20 points, dishonest: five times
        "E4": ("yellow", "review", Decimal("40.00"), Decimal(1)),
    }
    with zone.ctx.uow() as uow:  # read only: no measure or decision written
        counts = (
            uow.session.scalar(select(func.count()).select_from(SupervisionMeasure)),
            uow.session.scalar(select(func.count()).select_from(RiskDecision)),
        )
        uow.commit()
    assert counts == (2, 5)


def test_the_day_s_lanes_from_the_command_line(cli: CliRunner, zone: Zone) -> None:
    _plant(zone)
    done = cli.invoke(app, ["risk", "lanes", "--day", "2026-03-02", "--budget", "2", "--format", "jsonl"])
    assert done.exit_code == 0, done.output
    rows = [json.loads(line) for line in done.output.splitlines()]
    assert [(r["eport_no"], r["lane"], r["reason"]) for r in rows] == [
        ("E1", "blue", "post_clearance"),
        ("E2", "red", "risk"),
        ("E3", "red", "risk"),
        ("E4", "yellow", "review"),
    ]
    table = cli.invoke(app, ["risk", "lanes", "--day", "2026-03-02", "--budget", "2"])
    assert table.exit_code == 0 and "red 2, yellow 1, blue 1, green 0" in table.output
    refused = cli.invoke(app, ["risk", "lanes", "--day", "2026-03-02", "--budget", "2", "--random-share", "0.01"])
    assert refused.exit_code == 1 and "RSK-LANES-RANDOM" in refused.output
