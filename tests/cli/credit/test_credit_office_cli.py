"""Contract of `cbec credit thirdparty|ruleset|aeo`: exit statuses, rule ids, JSON output."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state
from cbec.common.ids import make_uscc
from cbec.credit.schemes import ConfigKind, shipped_documents
from cbec.credit.thirdparty import canonical
from cbec.messages.signature import SignatureAlgorithm, generate_test_identity

ACME = make_uscc("91460000MA5TCRP03")


@pytest.fixture
def cli(zone: Zone):  # type: ignore[no-untyped-def]
    state._ctx = zone.ctx
    yield CliRunner()
    state._ctx = None


def run(cli: CliRunner, *args: str, status: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == status, result.output
    return result.output


def write(path: Path, value: Any) -> str:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_thirdparty_reports_and_reviews_from_the_command_line(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "credit", "seed")
    signer, cert = generate_test_identity(
        SignatureAlgorithm.SM2_SM3, "信评", not_before=datetime(2026, 1, 1, tzinfo=UTC), days=3650
    )
    agencies = copy.deepcopy(next(v for k, v in shipped_documents() if k == ConfigKind.AGENCIES))
    agencies.update(version="cli")
    agencies["agencies"] = [
        {
            "code": "XY01",
            "name": "信评",
            "accreditation": "PBOC-1",
            "methods": [],
            "certificates_sha256": [hashlib.sha256(cert).hexdigest()],
        }
    ]
    run(cli, "credit", "config", "load", write(tmp_path / "agencies.json", agencies), "--kind", "agencies")
    report = {
        "agency": "XY01",
        "accreditation": "PBOC-1",
        "method": "GB/T 23794-2015",
        "subject": ACME,
        "grade": "CCC",
        "valid_from": "2026-03-01",
        "valid_to": "2027-03-01",
        "report_no": "R-1",
        "issued_on": "2026-03-01",
    }
    signature = {
        "algorithm": "SM2-SM3",
        "certificate": base64.b64encode(cert).decode(),
        "value": base64.b64encode(signer.sign(canonical(report))).decode(),
    }
    tampered = write(
        tmp_path / "bad.json", {"reports": [{"report": {**report, "grade": "AAA"}, "signature": signature}]}
    )
    refused = run(cli, "credit", "thirdparty", "import", tampered, status=1)
    assert "CRD-TP-SIGNATURE" in refused
    good = write(tmp_path / "good.json", {"reports": [{"report": report, "signature": signature}]})
    imported = json.loads(run(cli, "credit", "thirdparty", "import", good, "--format", "json"))
    assert [(r["grade"], r["level"]) for r in imported] == [("CCC", "D")]
    listed = json.loads(run(cli, "credit", "thirdparty", "list", "--format", "json"))
    assert [r["report_no"] for r in listed] == ["R-1"]
    [task] = json.loads(run(cli, "credit", "thirdparty", "review", "--status", "open", "--format", "json"))
    assert (task["agency_level"], task["zone_level"], task["notches"]) == ("D", "A", 3)
    no_note = run(cli, "credit", "thirdparty", "review", str(task["id"]), "--action", "keep", status=1)
    assert "CRD-DECISION-NOTE" in no_note
    kept = json.loads(
        run(
            cli,
            "credit",
            "thirdparty",
            "review",
            str(task["id"]),
            "--action",
            "keep",
            "--note",
            "有据",
            "--format",
            "json",
        )
    )
    assert (kept["status"], kept["decision"]) == ("closed", "keep")
    assert run(cli, "credit", "thirdparty", "import", str(tmp_path / "missing.json"), status=2)


def test_ruleset_maker_checker_from_the_command_line(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "credit", "seed")
    doc = copy.deepcopy(next(v for k, v in shipped_documents() if k == ConfigKind.RULESET))
    doc.update(version="5", effective_from="2026-03-02")
    proposed = json.loads(
        run(
            cli, "credit", "ruleset", "propose", write(tmp_path / "r.json", doc), "--actor", "alice", "--format", "json"
        )
    )
    assert (proposed["ruleset"], proposed["status"], proposed["dry_run"]["subjects"]) == ("zone@5", "pending", 0)
    own = run(cli, "credit", "ruleset", "publish", str(proposed["id"]), "--actor", "alice", status=1)
    assert "CRD-MAKER-CHECKER" in own
    dry = json.loads(run(cli, "credit", "ruleset", "dry-run", str(proposed["id"]), "--format", "json"))
    assert dry["ruleset"] == "zone@5"
    published = json.loads(
        run(cli, "credit", "ruleset", "publish", str(proposed["id"]), "--actor", "bob", "--format", "json")
    )
    assert (published["status"], published["decided_by"]) == ("published", "bob")
    assert [p["status"] for p in json.loads(run(cli, "credit", "ruleset", "list", "--format", "json"))] == ["published"]


def test_aeo_score_from_the_command_line(cli: CliRunner, tmp_path: Path) -> None:
    assessment = {
        "items": [
            {"module": "internal_control", "item": "1.1", "score": 0},
            {"module": "trade_security", "item": "4.2", "score": -1},
            {"module": "financial", "item": "2.1", "score": "n.a."},
        ]
    }
    scored = json.loads(run(cli, "credit", "aeo", "score", write(tmp_path / "a.json", assessment), "--format", "json"))
    assert (scored["score"], scored["passed"]) == (99, True)
    assert [(m["module"], m["total"]) for m in scored["modules"]] == [
        ("internal_control", 0),
        ("financial", 0),
        ("compliance", 0),
        ("trade_security", -1),
    ]
    table = run(cli, "credit", "aeo", "score", str(tmp_path / "a.json"))
    assert "score 99, passed" in table
    bad = run(cli, "credit", "aeo", "score", write(tmp_path / "b.json", {"items": []}), status=1)
    assert "CRD-AEO-EMPTY" in bad
