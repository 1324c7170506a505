"""Contract of `cbec credit lists`: entries in force with their measures, the catalogue, alerts and decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.builders import PARTIES
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state
from cbec.common.ids import make_uscc

ACME = make_uscc("91460000MA5TCRD01")


@pytest.fixture
def cli(zone: Zone):  # type: ignore[no-untyped-def]
    state._ctx = zone.ctx
    yield CliRunner()
    state._ctx = None


def run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_lists_measures_alerts_and_decisions(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "credit", "seed")
    run(cli, "credit", "consume")
    lists = tmp_path / "lists.csv"
    lists.write_text(
        "subject,subject_name,fact_type,source,severity,list_type,decided_on,document_no,legal_basis\n"
        f"{ACME},海南蓝海华信贸易有限公司,list_entry,court,serious,court_dishonest,2026-01-10,(2026)琼01执1号,失信规定\n"
        f"{PARTIES.agent.code},,list_entry,zone,general,zone,2026-01-10,琼自贸信1号,综试区名单\n",
        encoding="utf-8",
    )
    run(cli, "credit", "facts", "import", str(lists))
    shown = json.loads(run(cli, "credit", "lists", "show", "--format", "json"))
    assert [(e["list_type"], e["measures"]) for e in shown["items"]] == [  # newest decision first, then newest row
        ("zone", ["ZON-INSPECT", "ZON-PUBLISH"]),
        ("court_dishonest", ["CRT-PUBLISH", "JNT-INSPECT", "JNT-NO-FACILITATION", "JNT-ADMISSION", "JNT-SUBSIDY"]),
    ]
    assert "2 list entries in force" in run(cli, "credit", "lists", "show")
    catalogue = json.loads(run(cli, "credit", "lists", "measures", "--format", "json"))
    assert [(c["list_type"], c["serious"]) for c in catalogue["lists"]] == [
        ("court_dishonest", True),
        ("tax_major", True),
        ("market_serious", True),
        ("customs_serious", True),
        ("zone", False),
    ]
    mine = json.loads(run(cli, "credit", "lists", "measures", PARTIES.agent.code, "--format", "json"))
    assert [(m["measure_code"], m["ended_on"]) for m in mine] == [("ZON-INSPECT", None), ("ZON-PUBLISH", None)]

    assert "alerts stored: 1 new, 0 known" in run(cli, "credit", "screen", "--all")
    assert "alerts stored: 0 new, 1 known" in run(cli, "credit", "screen", "--all")
    [alert] = json.loads(run(cli, "credit", "lists", "alerts", "--format", "json"))["items"]
    assert (alert["customs_code"], alert["list_type"], alert["matched"], alert["state"]) == (
        PARTIES.agent.code,
        "zone",
        "uscc",
        "open",
    )
    refused = cli.invoke(app, ["credit", "lists", "decide", str(alert["id"]), "--action", "dismiss"])
    assert refused.exit_code == 1 and "CRD-DECISION-NOTE" in refused.output
    done = json.loads(
        run(
            cli,
            "credit",
            "lists",
            "decide",
            str(alert["id"]),
            "--action",
            "confirm",
            "--actor",
            "o1",
            "--format",
            "json",
        )
    )
    assert (done["state"], done["reviewer"]) == ("confirmed", "o1")
    assert json.loads(run(cli, "credit", "lists", "alerts", "--format", "json"))["total"] == 0
