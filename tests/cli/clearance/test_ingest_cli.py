"""Contract of `cbec ingest` and `cbec check`: files and folders in, receipt files out, exit codes."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from tests.builders import AT, MILK, PARTIES, a_set
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state
from cbec.demo.builders import build_message
from cbec.messages import parse_receipts, render_message, seal_envelope
from cbec.messages.signature import sign_document


@pytest.fixture
def cli(zone: Zone):
    state._ctx = zone.ctx
    yield CliRunner()
    state._ctx = None


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_ingest_writes_every_receipt_and_tax_bill(zone: Zone, cli: CliRunner, tmp_path: Path) -> None:
    s = a_set(trade_mode="1210", items=[(replace(MILK, item_record_no="T4601W000001-0001"), Decimal(2))])
    inbox = tmp_path / "in"
    inbox.mkdir()
    write(inbox / "1_order.xml", render_message(build_message([s.order], PARTIES.ecommerce)))
    envelope = seal_envelope(
        render_message(build_message([s.payment], PARTIES.payment)),
        message_type="CEB411Message",
        sender_id="DXPENT0000000013",
        created_at=AT,
    )
    write(inbox / "2_payment.xml", envelope)
    write(inbox / "3_waybill.xml", render_message(build_message([s.waybill], PARTIES.logistics)))
    signed = sign_document(render_message(build_message([s.inventory], PARTIES.agent)), zone.signer)
    inventory = write(tmp_path / "4_inventory.xml", signed)
    out = tmp_path / "out"
    result = cli.invoke(app, ["ingest", str(inbox), str(inventory), "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name.split("_", 1)[1].split("_")[0] for p in out.iterdir())
    assert names == ["CEB312Message", "CEB412Message", "CEB512Message", "CEB622Message", "CEB816Message"]
    [inventory_receipts] = [p for p in out.iterdir() if "CEB622" in p.name]
    assert [r.status for r in parse_receipts(inventory_receipts.read_bytes())] == ["2", "120", "399", "800"]
    assert "ingest summary" in result.output


def test_check_reports_problems_and_writes_nothing(zone: Zone, cli: CliRunner, tmp_path: Path) -> None:
    s = a_set()
    wrong = replace(s.order, actual_paid=s.order.actual_paid + 1)
    file = write(tmp_path / "order.xml", render_message(build_message([wrong], PARTIES.ecommerce)))
    result = cli.invoke(app, ["check", str(file)])
    assert result.exit_code == 1, result.output  # something would be refused
    assert "CEB-R1" in result.output
    assert "preflight" in result.output


def test_ingest_missing_file_is_a_usage_error(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["ingest", str(tmp_path / "missing.xml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2


def test_refusal_receipts_of_unstored_inventories_are_written(zone: Zone, cli: CliRunner, tmp_path: Path) -> None:
    s = a_set()
    unsigned = write(tmp_path / "inventory.xml", render_message(build_message([s.inventory], PARTIES.agent)))
    out = tmp_path / "out"
    result = cli.invoke(app, ["ingest", str(unsigned), "--out", str(out)])
    assert result.exit_code == 0, result.output
    [receipt] = parse_receipts(next(out.iterdir()).read_bytes())
    assert (receipt.status, receipt.eport_no) == ("-621029", "B20260302000000001")


def test_check_after_ingest_of_the_same_bytes_still_reports(zone: Zone, cli: CliRunner, tmp_path: Path) -> None:
    s = a_set()
    file = write(tmp_path / "order.xml", render_message(build_message([s.order], PARTIES.ecommerce)))
    assert cli.invoke(app, ["ingest", str(file), "--out", str(tmp_path / "out")]).exit_code == 0
    result = cli.invoke(app, ["check", str(file)])
    assert result.exit_code == 0, result.output
    assert "resubmission" in result.output or "preflight" in result.output
