"""Contract of `cbec risk`: rules, consume (with bands), alerts as JSON lines and as a table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import pytest
from tests.builders import MILK, PARTIES, SERUM
from tests.integration.risk.test_risk_traffic import _send
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state
from cbec.common.clock import SHANGHAI
from cbec.demo.risk_traffic import plan_risk_traffic
from cbec.risk.rules import Typology


@pytest.fixture
def cli(zone: Zone) -> Iterator[CliRunner]:
    state._ctx = zone.ctx
    yield CliRunner()
    state._ctx = None


def run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_rules_consume_and_alerts(cli: CliRunner, zone: Zone) -> None:
    assert "S1" in run(cli, "risk", "rules") and "buyer.near_limit.30d" in run(cli, "risk", "rules")
    traffic = plan_risk_traffic(
        PARTIES,
        (MILK, SERUM),
        seed=3,
        start=datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI),
        days=2,
        normal_buyers=10,
        splitters=1,
        families=0,
        rings=1,
    )
    _send(zone, traffic)
    out = run(cli, "risk", "consume", "--bands")
    assert f"{traffic.orders} inventories assessed" in out
    lines = run(cli, "risk", "alerts", "--format", "jsonl").splitlines()
    alerts = [json.loads(line) for line in lines]
    assert {a["typology"] for a in alerts} >= {"order_splitting", "fake_order"}
    assert {a["typology"] for a in alerts} <= {t.value for t in Typology}
    for alert in alerts:
        assert alert["band"] in {"review", "hold", "reject"} and alert["contributions"]
        assert alert["subjects"]["buyer"] and alert["eport_no"] and alert["order_no"]
        assert all(c["reason_en"] and c["inputs"] for c in alert["contributions"])
    assert run(cli, "risk", "alerts", "--until", "2000-01-01T00:00:00", "--format", "jsonl") == ""
    assert "alerts" in run(cli, "risk", "alerts", "--typology", "fake_order")
    bad = cli.invoke(app, ["risk", "alerts", "--typology", "smuggling"])
    assert bad.exit_code != 0
