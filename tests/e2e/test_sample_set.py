"""The integrator's path: `cbec sample` writes a signed set that POST /ceb accepts on the first try, and the
demo's written messages verify in any database the demo was loaded into (its identities are deterministic)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.api.auth import client_for
from tests.conftest import _clean
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state
from cbec.demo.filing import set_up_zone
from cbec.demo.generator import DemoOptions, run_demo
from cbec.demo.sample import SampleRefused, write_sample_set
from cbec.demo.wire import demo_identity
from cbec.enterprises.certificates import list_certificates
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import file_enterprise
from cbec.intake import ingest_message
from cbec.messages import parse_receipts
from cbec.storage.context import Context

# enterprise -> (message type, receipt status) of each sample file, in order
EXPECTED = {
    "4601960001": [("CEB311Message", "CEB312Message", "120")],  # platform: its order
    "4601960002": [("CEB311Message", "CEB312Message", "120"), ("CEB621Message", "CEB622Message", "2")],
    "4601960004": [("CEB411Message", "CEB412Message", "120")],  # payment company: the payment
    "4601960005": [("CEB511Message", "CEB512Message", "120")],  # logistics company: the waybill
    "4601960006": [("CEB621Message", "CEB622Message", "2")],  # declaring agent: the inventory
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_a_sample_set_is_answered_200_with_receipts_on_the_first_try(ctx: Context, tmp_path: Path, code: str) -> None:
    set_up_zone(ctx)
    written = write_sample_set(ctx, code, tmp_path / "samples", register=True)
    client = client_for(ctx, "enterprise_user", enterprise_code=code, scopes=["ceb.submit"])
    answers = []
    for file in written.files:
        response = client.post("/ceb", content=file.path.read_bytes())
        assert response.status_code == 200, response.text
        [receipt] = parse_receipts(response.content)
        answers.append((file.message_type, receipt.message_type.value, receipt.status))
    assert answers == EXPECTED[code]
    assert written.key_file is not None and written.key_file.stat().st_mode & 0o777 == 0o600
    [registered] = [c for c in list_certificates(ctx, code) if c.serial_hex == written.certificate_serial]
    assert registered.status == "active"


def test_the_cli_writes_the_set_and_refuses_without_an_identity(ctx: Context, tmp_path: Path) -> None:
    set_up_zone(ctx)
    state._ctx = ctx
    cli = CliRunner(env={"COLUMNS": "200"})
    try:
        made = cli.invoke(
            app, ["sample", "--enterprise", "4601960002", "--out", str(tmp_path), "--register-certificate"]
        )
        assert made.exit_code == 0, made.output
        assert sorted(p.name for p in tmp_path.glob("*.xml")) == [
            "01_CEB311Message_4601960002.xml",
            "02_CEB621Message_4601960002.xml",
        ]
        assert "Registered throw-away certificate" in made.output
        bare = cli.invoke(app, ["sample", "--enterprise", "4601960002", "--out", str(tmp_path / "x")])
        assert bare.exit_code == 1
        assert "SAMPLE-SIGNER" in bare.output
        again = cli.invoke(
            app,
            [
                "sample",
                "--enterprise",
                "4601960002",
                "--out",
                str(tmp_path / "own"),
                "--key",
                str(tmp_path / "identity" / "4601960002.sm2.key"),
                "--certificate",
                str(tmp_path / "identity" / "4601960002.pem"),
            ],
        )
        assert again.exit_code == 0, again.output
        checked = cli.invoke(app, ["check", str(tmp_path / "own")])
        assert checked.exit_code == 0, checked.output
    finally:
        state._ctx = None


def test_an_enterprise_not_approved_gets_no_sample(ctx: Context, tmp_path: Path) -> None:
    set_up_zone(ctx)
    file_enterprise(
        ctx,
        EnterpriseCreate(
            uscc="91460100MA5T0P9J3N",
            customs_code="4601960009",
            name="海口新开跨境电商有限公司",
            roles=["ecommerce_enterprise"],
            actor="test",
        ),
    )
    with pytest.raises(SampleRefused) as refused:
        write_sample_set(ctx, "4601960009", tmp_path, register=True)
    [problem] = refused.value.problems
    assert (problem.rule_id, problem.field) == ("SAMPLE-ENTERPRISE", "enterprise")
    assert problem.message == (
        "企业 4601960009 备案状态为 pending，不能申报 / "
        "enterprise 4601960009 is pending, not approved: it may not declare"
    )
    assert list(tmp_path.iterdir()) == []


def test_demo_identities_are_the_same_in_every_run() -> None:
    first, second = demo_identity("4601960006", "海口通关报关服务有限公司"), demo_identity("4601960006", "x")
    assert first.certificate_der() == demo_identity("4601960006", "海口通关报关服务有限公司").certificate_der()
    assert first.certificate_der() != demo_identity("4601960005", "海口通关报关服务有限公司").certificate_der()
    assert second.certificate_der() != first.certificate_der()  # the name is in the certificate


def test_demo_out_files_verify_in_another_database_the_demo_was_loaded_into(ctx: Context, tmp_path: Path) -> None:
    run_demo(ctx, DemoOptions(buyers=60, orders=40, seed=7, out=tmp_path))
    inventories = sorted((tmp_path / "messages").glob("*_CEB621Message_inventories-1.xml"))
    assert inventories
    _clean(ctx.engine)  # another database: nothing of the first run, then the demo loaded with another seed
    run_demo(ctx, DemoOptions(buyers=60, orders=40, seed=8))
    result = ingest_message(ctx, inventories[0].read_bytes(), dry_run=True)
    rules = {p.rule_id for d in result.documents for p in d.problems} | {p.rule_id for p in result.problems}
    assert result.outcome == "processed"
    assert not {r for r in rules if r.startswith("SIG-")}, rules
