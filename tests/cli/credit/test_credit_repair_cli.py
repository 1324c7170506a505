"""Contract of `cbec credit repair|objection|requests|daily`: exit statuses, rule ids, JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state
from cbec.common.ids import make_uscc

ACME = make_uscc("91460000MA5TCRP01")
HEADER = "subject,fact_type,source,severity,decided_on,document_no,legal_basis\n"
DIGEST = "1a" * 32


@pytest.fixture
def cli(zone: Zone):  # type: ignore[no-untyped-def]
    state._ctx = zone.ctx
    yield CliRunner()
    state._ctx = None


def run(cli: CliRunner, *args: str, status: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == status, result.output
    return result.output


def test_repair_objection_daily_from_the_command_line(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "credit", "seed")
    facts = tmp_path / "facts.csv"
    facts.write_text(
        HEADER
        + f"{ACME},penalty,customs,minor,2026-03-01,罚1,条例\n"
        + f"{ACME},penalty,customs,general,2026-03-01,罚2,条例\n",
        encoding="utf-8",
    )
    run(cli, "credit", "facts", "import", str(facts))
    rows = json.loads(run(cli, "credit", "facts", "list", ACME, "--format", "json"))
    minor, general = rows[0]["id"], rows[1]["id"]
    early = run(
        cli,
        "credit",
        "repair",
        "apply",
        str(general),
        "--evidence",
        DIGEST,
        "--description",
        "已整改",
        "--commitment",
        "承诺",
        "--actor",
        "acme",
        status=1,
    )
    assert "CRD-REPAIR-EARLY" in early and "2026-06-01" in early
    applied = json.loads(
        run(
            cli,
            "credit",
            "repair",
            "apply",
            str(minor),
            "--evidence",
            DIGEST,
            "--description",
            "已整改",
            "--commitment",
            "承诺",
            "--actor",
            "acme",
            "--format",
            "json",
        )
    )
    repair = str(applied["id"])
    run(cli, "credit", "repair", "decide", repair, "--action", "propose", "--actor", "officer-1")
    same = run(cli, "credit", "repair", "decide", repair, "--action", "approve", "--actor", "officer-1", status=1)
    assert "CRD-MAKER-CHECKER" in same
    approved = json.loads(
        run(
            cli, "credit", "repair", "decide", repair, "--action", "approve", "--actor", "officer-2", "--format", "json"
        )
    )
    assert approved["status"] == "approved"
    filed = json.loads(
        run(
            cli,
            "credit",
            "objection",
            "file",
            str(general),
            "--reason",
            "金额有误",
            "--actor",
            "acme",
            "--format",
            "json",
        )
    )
    assert filed["due_on"] == "2026-03-22"
    report = json.loads(run(cli, "credit", "daily", "--on", "2026-06-02", "--format", "json"))
    assert [o["id"] for o in report["overdue_objections"]] == [filed["id"]]
    assert report["ended"] == []  # the general fact's window runs to 2027-03-01, the minor one was repaired
    assert "1 objection(s) past their deadline" in run(cli, "credit", "daily", "--on", "2026-06-02")
    listed = json.loads(run(cli, "credit", "repair", "list", "--format", "json"))
    assert [(r["id"], r["status"]) for r in listed] == [(applied["id"], "approved")]
