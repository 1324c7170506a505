"""Contract of `cbec credit`: seed, facts import (all or nothing), show (table and JSON), rate, override, consume."""

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
HEADER = "subject,fact_type,source,severity,list_type,decided_on,document_no,legal_basis\n"


@pytest.fixture
def cli(zone: Zone):  # type: ignore[no-untyped-def]
    state._ctx = zone.ctx
    yield CliRunner()
    state._ctx = None


def run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_import_show_rate_override(cli: CliRunner, tmp_path: Path) -> None:
    assert "loaded 12" in run(cli, "credit", "seed")
    assert "unchanged 12" in run(cli, "credit", "seed")
    good = tmp_path / "facts.csv"
    good.write_text(
        HEADER
        + f"{ACME},list_entry,court,serious,court_dishonest,2026-01-10,(2026)琼01执1号,失信被执行人名单规定\n"
        + f"{PARTIES.ecommerce.code},penalty,customs,minor,,2026-02-01,海关罚字3号,海关行政处罚实施条例\n",
        encoding="utf-8",
    )
    assert "2 rows, 2 facts recorded, 2 new subjects" in run(cli, "credit", "facts", "import", str(good))
    shown = json.loads(run(cli, "credit", "show", ACME, "--on", "2026-03-01", "--format", "json"))
    assert (shown["level"], shown["score"], [f["id"] for f in shown["floors"]]) == ("D", 60, ["serious-list"])
    assert [c["modifier"] for c in shown["contributions"]] == ["serious"]
    table = run(cli, "credit", "show", ACME, "--on", "2026-03-01")
    assert "level D, score 60" in table and "serious-list" in table and "(2026)琼01执1号" in table
    assert "level A, score 100" in run(cli, "credit", "show", ACME, "--on", "2026-01-09")
    listed = json.loads(run(cli, "credit", "facts", "list", ACME, "--format", "json"))
    assert [(f["fact_type"], f["publish_max_until"]) for f in listed] == [("list_entry", "2029-01-10")]

    dry = json.loads(run(cli, "credit", "rate", "--format", "json"))
    assert dry["dry_run"] is True and dry["stored"] == 0 and dry["distribution"]["D"] == 1
    assert "published 2 ratings" in run(cli, "credit", "rate", "--publish")
    overridden = run(
        cli,
        "credit",
        "override",
        ACME,
        "--level",
        "C",
        "--reason",
        "法院已撤销",
        "--until",
        "2026-04-01",
        "--actor",
        "zo",
    )
    assert "level C" in overridden and "override C by zo until 2026-04-01" in overridden


def test_a_bad_file_imports_nothing_and_lists_every_problem(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "credit", "seed")
    bad = tmp_path / "facts.json"
    bad.write_text(
        json.dumps(
            {
                "facts": [
                    {
                        "subject": ACME,
                        "fact_type": "penalty",
                        "source": "customs",
                        "severity": "minor",
                        "decided_on": "2026-02-01",
                        "document_no": "1",
                        "legal_basis": "x",
                    },
                    {
                        "subject": ACME,
                        "fact_type": "list_entry",
                        "source": "court",
                        "severity": "serious",
                        "decided_on": "2026-02-01",
                        "document_no": "2",
                        "legal_basis": "x",
                    },
                    {"subject": "nope", "fact_type": "gossip", "source": "customs", "decided_on": "2026-02-01"},
                ]
            }
        ),
        encoding="utf-8",
    )
    result = cli.invoke(app, ["credit", "facts", "import", str(bad)])
    assert result.exit_code == 1
    for expected in ("row[2].list_type", "CRD-REQUIRED", "row[3].subject", "CRD-SUBJECT", "row[3].fact_type",
                     "CRD-FACT-TYPE", "nothing was imported"):  # fmt: skip
        assert expected in result.output, expected
    missing = cli.invoke(app, ["credit", "show", ACME])
    assert missing.exit_code == 1 and "CRD-SUBJECT-UNKNOWN" in missing.output


def test_consume_applies_new_events_once(cli: CliRunner) -> None:
    run(cli, "credit", "seed")
    first = run(cli, "credit", "consume")
    assert "events applied" in first and not first.startswith("0 events")
    assert run(cli, "credit", "consume").startswith("0 events applied, 0 facts recorded")
    assert "level A, score 100" in run(cli, "credit", "show", PARTIES.ecommerce.code)


def test_screen_a_name_and_every_filed_enterprise(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "credit", "seed")
    run(cli, "credit", "consume")  # the filed enterprises become subjects
    lists = tmp_path / "lists.csv"
    lists.write_text(
        "subject,subject_name,fact_type,source,severity,list_type,decided_on,document_no,legal_basis\n"
        f"{ACME},海南蓝海华信贸易有限公司,list_entry,court,serious,court_dishonest,2026-01-10,(2026)琼01执1号,失信规定\n"
        f"{PARTIES.agent.code},,list_entry,tax,serious,tax_major,2026-01-10,琼税3号,税收征管法\n",
        encoding="utf-8",
    )
    assert "2 rows, 2 facts recorded" in run(cli, "credit", "facts", "import", str(lists))
    shown = json.loads(
        run(cli, "credit", "screen", "--name", "蓝海华信(海南)有限公司", "--on", "2026-03-01", "--format", "json")
    )
    assert [(h["subject"], h["list_type"], h["score"], h["matched"]) for h in shown["hits"]] == [
        (ACME, "court_dishonest", 0.9297, "name")
    ]
    table = run(cli, "credit", "screen", "--name", "蓝海华信(海南)有限公司", "--on", "2026-03-01")
    assert "1 hits at threshold 0.72 (2 list entries in force on 2026-03-01)" in table and "0.9297" in table
    batch = json.loads(run(cli, "credit", "screen", "--all", "--on", "2026-03-01", "--format", "json"))
    assert (batch["screened"], batch["flagged"]) == (6, 1)
    assert [[(h["list_type"], h["matched"]) for h in r["hits"]] for r in batch["results"]] == [[("tax_major", "uscc")]]
    assert "6 filed enterprises screened against 2 list entries on 2026-03-01: 1 with hits" in run(
        cli, "credit", "screen", "--all", "--on", "2026-03-01"
    )
    bad = cli.invoke(app, ["credit", "screen", "--uscc", "123"])
    assert bad.exit_code == 1 and "CRD-SCREEN-USCC" in bad.output
    nothing = cli.invoke(app, ["credit", "screen"])
    assert nothing.exit_code == 1 and "CRD-SCREEN-EMPTY" in nothing.output
