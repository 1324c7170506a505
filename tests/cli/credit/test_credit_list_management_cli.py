"""Contract of `cbec credit lists add|end|correct|requests|confirm`: the operator's CLI acts as a real account (--as, or
the holder of CBEC_API_KEY), and maker-checker compares accounts across the CLI and REST: an account never confirms
its own proposal, whichever transport made it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.builders import PARTIES
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.accounts.schemas import AccountCreate
from cbec.accounts.service import create_account, create_api_key
from cbec.api.app import create_app
from cbec.cli.main import app
from cbec.cli.state import state
from cbec.common.clock import business_date
from cbec.common.ids import make_uscc
from cbec.credit.schemas import FactIn
from cbec.credit.service import record_fact

ACME = make_uscc("91460000MA5TCRD02")
ENTRY = [
    "--subject",
    ACME,
    "--name",
    "海南蓝海华信贸易有限公司",
    "--type",
    "court_dishonest",
    "--source",
    "court",
    "--severity",
    "serious",
    "--decided-on",
    "2026-03-01",
    "--document-no",
    "(2026)琼01执90号",
    "--legal-basis",
    "最高人民法院关于公布失信被执行人名单信息的若干规定",
]


@pytest.fixture
def cli(zone: Zone):  # type: ignore[no-untyped-def]
    state._ctx = zone.ctx
    for username, role, extra in (
        ("alice", "zone_admin", {}),
        ("bob", "zone_admin", {}),
        ("carol", "auditor", {}),
        ("dora", "zone_admin", {"tenant": "hub/zhengzhou"}),
    ):
        if extra:
            from cbec.accounts.schemas import TenantCreate
            from cbec.accounts.service import create_tenant

            create_tenant(zone.ctx, TenantCreate(path="hub/zhengzhou", name="郑州"), actor="test")
        create_account(zone.ctx, AccountCreate(username=username, role=role, **extra), actor="test")
    yield CliRunner()
    state._ctx = None


def run(cli: CliRunner, *args: str, code: int = 0, env: dict[str, str] | None = None) -> str:
    result = cli.invoke(app, list(args), env=env)
    assert result.exit_code == code, result.output
    return " ".join(result.output.replace("│", " ").split()) if code == 2 else result.output  # rich wraps errors


def test_cli_steps_act_as_accounts_and_maker_checker_spans_transports(cli: CliRunner, zone: Zone) -> None:
    run(cli, "credit", "seed")
    missing = run(cli, "credit", "lists", "add", *ENTRY, code=2, env={"CBEC_API_KEY": ""})
    assert "--as USERNAME" in missing
    assert "no active account 'mallory'" in run(cli, "credit", "lists", "add", *ENTRY, "--as", "mallory", code=2)
    assert "not an account of the hub with credit.manage" in run(
        cli, "credit", "lists", "add", *ENTRY, "--as", "carol", code=2
    )
    assert "not an account of the hub" in run(cli, "credit", "lists", "add", *ENTRY, "--as", "dora", code=2)
    added = json.loads(run(cli, "credit", "lists", "add", *ENTRY, "--as", "alice", "--format", "json"))
    assert (added["status"], added["proposed_by"], added["serious"]) == ("pending", "alice", True)
    own = run(cli, "credit", "lists", "confirm", str(added["id"]), "--as", "alice", code=1)
    assert "CRD-MAKER-CHECKER" in own
    alice_key = create_api_key(zone.ctx, username="alice", label="rest", actor="test").key
    rest = TestClient(create_app(zone.ctx), headers={"Authorization": f"Bearer {alice_key}"})
    answer = rest.post(f"/api/v1/credit/lists/requests/{added['id']}/decision", json={"action": "confirm"})
    assert (answer.status_code, [p["rule_id"] for p in answer.json()["problems"]]) == (403, ["CRD-MAKER-CHECKER"])
    by_key = run(cli, "credit", "lists", "confirm", str(added["id"]), code=1, env={"CBEC_API_KEY": alice_key})
    assert "CRD-MAKER-CHECKER" in by_key
    done = json.loads(run(cli, "credit", "lists", "confirm", str(added["id"]), "--as", "bob", "--format", "json"))
    assert (done["status"], done["decided_by"]) == ("recorded", "bob")
    shown = json.loads(run(cli, "credit", "lists", "show", "--format", "json"))
    assert [(e["fact_id"], e["severity"]) for e in shown["items"]] == [(done["fact_id"], "serious")]
    # a REST proposal by bob is not confirmed by bob on the CLI; alice's API key confirms it
    ended = rest.post(
        f"/api/v1/credit/lists/entries/{done['fact_id']}/end", json={"ends_on": "2026-03-02", "reason": "法院撤销"}
    )
    assert (ended.status_code, ended.json()["status"], ended.json()["proposed_by"][:6]) == (201, "pending", "alice:")
    again = run(cli, "credit", "lists", "confirm", str(ended.json()["id"]), code=1, env={"CBEC_API_KEY": alice_key})
    assert "CRD-MAKER-CHECKER" in again
    closed = json.loads(
        run(cli, "credit", "lists", "confirm", str(ended.json()["id"]), "--as", "bob", "--format", "json")
    )
    assert closed["status"] == "recorded"
    assert json.loads(run(cli, "credit", "lists", "show", "--format", "json"))["items"] == []
    listed = json.loads(run(cli, "credit", "lists", "requests", "--format", "json"))
    assert [(r["action"], r["status"], r["proposed_by"][:5], r["decided_by"]) for r in listed] == [
        ("end", "recorded", "alice", "bob"),
        ("add", "recorded", "alice", "bob"),
    ]


def test_cli_correct_and_reject(cli: CliRunner) -> None:
    run(cli, "credit", "seed")
    zone_entry = [*ENTRY[:4], "--type", "zone", "--source", "zone", "--severity", "general", *ENTRY[10:]]
    added = json.loads(run(cli, "credit", "lists", "add", *zone_entry, "--as", "alice", "--format", "json"))
    assert (added["status"], added["serious"]) == ("recorded", False)  # the zone's own list: no second officer
    fix = ["--type", "court_dishonest", "--source", "court", "--severity", "serious", *ENTRY[10:]]
    corrected = json.loads(
        run(cli, "credit", "lists", "correct", str(added["fact_id"]), *fix, "--reason", "应列入失信被执行人",
            "--as", "alice", "--format", "json")
    )  # fmt: skip
    assert (corrected["status"], corrected["serious"]) == ("pending", True)  # onto a serious list: confirmed first
    bare = run(cli, "credit", "lists", "confirm", str(corrected["id"]), "--reject", "--as", "bob", code=1)
    assert "CRD-DECISION-NOTE" in bare
    rejected = json.loads(
        run(cli, "credit", "lists", "confirm", str(corrected["id"]), "--reject", "--note", "无判决书",
            "--as", "bob", "--format", "json")
    )  # fmt: skip
    assert (rejected["status"], rejected["fact_id"], rejected["decision_note"]) == ("rejected", None, "无判决书")
    shown = json.loads(run(cli, "credit", "lists", "show", "--format", "json"))
    assert [(e["fact_id"], e["list_type"]) for e in shown["items"]] == [(added["fact_id"], "zone")]


def test_cli_flags_a_fact_uncorrected_and_another_account_confirms(cli: CliRunner, zone: Zone) -> None:
    run(cli, "credit", "seed")
    decided = business_date(zone.ctx.clock.now()) - timedelta(days=30)
    fact = FactIn(
        subject=ACME,
        fact_type="penalty",
        source="customs",
        severity="minor",
        decided_on=decided.isoformat(),
        document_no="海关罚〔2026〕5号",
        legal_basis="海关行政处罚实施条例",
    )
    made = record_fact(zone.ctx, fact, actor="customs")
    flag = ["credit", "uncorrected", "flag", str(made.id), "--basis", "行业规定第九条", "--reason", "未缴清罚款"]
    flagged = json.loads(run(cli, *flag, "--as", "alice", "--format", "json"))
    assert (flagged["status"], flagged["window_max"], flagged["until"]) == (
        "pending",
        made.publish_max_until.isoformat() if made.publish_max_until else None,
        None,
    )
    decide = ["credit", "uncorrected", "decide", str(flagged["id"]), "--action", "confirm"]
    assert "CRD-MAKER-CHECKER" in run(cli, *decide, "--as", "alice", code=1)
    done = json.loads(run(cli, *decide, "--as", "bob", "--format", "json"))
    assert (done["status"], done["decided_by"]) == ("confirmed", "bob")
    listed = json.loads(run(cli, "credit", "uncorrected", "list", "--status", "confirmed", "--format", "json"))
    assert [(f["id"], f["result_fact_id"]) for f in listed] == [(flagged["id"], done["result_fact_id"])]


def test_override_and_repair_steps_compare_accounts_across_the_cli_and_rest(cli: CliRunner, zone: Zone) -> None:
    run(cli, "credit", "seed")
    decided = business_date(zone.ctx.clock.now()) - timedelta(days=30)
    fact = FactIn(
        subject=ACME,
        fact_type="penalty",
        source="customs",
        severity="minor",
        decided_on=decided.isoformat(),
        document_no="海关罚〔2026〕6号",
        legal_basis="海关行政处罚实施条例",
    )
    record_fact(zone.ctx, fact, actor="customs")
    alice_key = create_api_key(zone.ctx, username="alice", label="rest", actor="test").key
    rest = TestClient(create_app(zone.ctx), headers={"Authorization": f"Bearer {alice_key}"})
    until = (business_date(zone.ctx.clock.now()) + timedelta(days=60)).isoformat()
    proposed = rest.post(
        "/api/v1/credit/overrides", json={"subject": ACME, "level": "B", "reason": "整改", "until": until}
    )
    assert proposed.status_code == 201, proposed.json()
    decide = ["credit", "requests", "decide", str(proposed.json()["id"]), "--action", "approve"]
    alone = run(cli, *decide, "--actor", "someone-else", code=1, env={"CBEC_API_KEY": ""})
    assert "CRD-MAKER-CHECKER" in alone  # a free name never approves what an account proposed
    assert "CRD-MAKER-CHECKER" in run(cli, *decide, "--as", "alice", code=1)
    assert "CRD-MAKER-CHECKER" in run(cli, *decide, "--actor", "alice", code=1, env={"CBEC_API_KEY": ""})
    approved = json.loads(run(cli, *decide, "--as", "bob", "--format", "json"))
    assert (approved["status"], approved["decided_by"]) == ("approved", "bob")
    # the other way round: proposed on the CLI as alice, alice's API key cannot approve it over REST
    mine = json.loads(
        run(cli, "credit", "requests", "propose", ACME, "--level", "C", "--reason", "复核", "--until", until,
            "--as", "alice", "--format", "json")
    )  # fmt: skip
    answer = rest.post(f"/api/v1/credit/overrides/{mine['id']}/decision", json={"action": "approve"})
    assert (answer.status_code, [p["rule_id"] for p in answer.json()["problems"]]) == (403, ["CRD-MAKER-CHECKER"])


def test_cli_stores_an_aeo_assessment_as_an_account(cli: CliRunner, zone: Zone, tmp_path: Path) -> None:
    run(cli, "credit", "seed")
    run(cli, "credit", "consume")
    items = [
        {"module": "internal_control", "item": "1.1", "score": 0},
        {"module": "financial", "item": "2.1", "score": -1},
    ]
    path = tmp_path / "aeo.json"
    path.write_text(json.dumps({"items": items}), encoding="utf-8")
    code = PARTIES.ecommerce.code
    stored = json.loads(
        run(cli, "credit", "aeo", "store", str(path), "--subject", code, "--as", "alice", "--format", "json")
    )
    assert (stored["score"], stored["passed"], stored["assessed_by"]) == (99, True, "alice")
    listed = json.loads(run(cli, "credit", "aeo", "list", code, "--format", "json"))
    assert [(a["id"], a["fact_id"]) for a in listed] == [(stored["id"], stored["fact_id"])]
