"""Contract of `cbec audit`, `cbec privacy`, `cbec feeds`, `cbec enterprises certificate` and `cbec clearance flows`."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import text
from tests.audit_guard import triggers_lifted
from tests.builders import BUYER, PARTIES, SERUM, a_set
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.bootstrap import make_cipher
from cbec.cli.main import app
from cbec.cli.state import state
from cbec.messages.signature import SignatureAlgorithm, generate_test_identity
from cbec.messages.signature_signers import parse_certificate


@pytest.fixture
def cli(zone: Zone):  # type: ignore[no-untyped-def]
    state._ctx = zone.ctx
    yield CliRunner()
    state._ctx = None


def release(zone: Zone) -> str:
    s = a_set(items=[(SERUM, Decimal(1))], trade_mode="1210")
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    number = zone.send([s.inventory], PARTIES.agent).receipts[-1].inventory_no
    assert number is not None
    return number


def test_audit_verify_exits_1_and_names_a_deleted_record(zone: Zone, cli: CliRunner) -> None:
    ok = cli.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "audit chain intact" in ok.output
    with triggers_lifted(zone.ctx.engine) as conn:  # a superuser past the append-only triggers
        second = conn.execute(text("SELECT id FROM audit_record ORDER BY seq LIMIT 1 OFFSET 1")).scalar_one()
        third = conn.execute(text("SELECT id FROM audit_record ORDER BY seq LIMIT 1 OFFSET 2")).scalar_one()
        conn.execute(text("DELETE FROM audit_record WHERE id = :id"), {"id": second})
    broken = cli.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert f"audit chain broken at record id {third} (seq 3)" in broken.output
    listed = cli.invoke(app, ["audit", "list", "--action", "enterprises.enterprise.approved", "--limit", "2"])
    assert listed.exit_code == 0 and "enterprises.enterprise.approved" in listed.output


def test_certificate_add_list_revoke(zone: Zone, cli: CliRunner, tmp_path: Path) -> None:
    _, der = generate_test_identity(SignatureAlgorithm.RSA_SHA1, "海口通关代理")
    path = tmp_path / "agent.pem"
    path.write_bytes(x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM))
    added = cli.invoke(app, ["enterprises", "certificate", "add", PARTIES.agent.code, str(path)])
    assert added.exit_code == 0, added.output
    assert "RSA" in added.output and "active" in added.output
    listed = cli.invoke(app, ["enterprises", "certificate", "list", PARTIES.agent.code])
    assert listed.exit_code == 0 and listed.output.count("active") == 2
    again = cli.invoke(app, ["enterprises", "certificate", "add", PARTIES.agent.code, str(path)])
    assert again.exit_code == 1
    serial = parse_certificate(der).serial_hex
    revoked = cli.invoke(app, ["enterprises", "certificate", "revoke", PARTIES.agent.code, serial, "--reason", "换证"])
    assert revoked.exit_code == 0 and "revoked" in revoked.output


def test_privacy_rotate_reveal_and_purge(zone: Zone, cli: CliRunner) -> None:
    number = release(zone)
    old = base64.b64encode(b"k" * 32).decode()
    zone.ctx.settings = zone.ctx.settings.model_copy(
        update={
            "data_key": base64.b64encode(b"n" * 32).decode(),
            "data_key_id": "k2",
            "data_old_keys": f"k1:{old}",
            "data_index_key": old,
        }
    )
    zone.ctx.cipher = make_cipher(zone.ctx.settings)
    rotated = cli.invoke(app, ["privacy", "rotate", "--batch-size", "1"])
    assert rotated.exit_code == 0, rotated.output
    assert "import_inventory" in rotated.output and "rotation to key k2" in rotated.output
    refused = cli.invoke(app, ["privacy", "reveal", number, "--actor", "li", "--reason", ""])
    assert refused.exit_code == 1
    revealed = cli.invoke(app, ["privacy", "reveal", number, "--actor", "li", "--reason", "稽查"])
    assert revealed.exit_code == 0 and BUYER.id_number in revealed.output
    early = cli.invoke(app, ["privacy", "purge", "--before", "2026-03-01"])
    assert early.exit_code == 1 and "PRIVACY-RETENTION" in early.output
    zone.ctx.clock.advance(timedelta(days=1200))  # type: ignore[attr-defined]
    purged = cli.invoke(app, ["privacy", "purge"])
    assert purged.exit_code == 0 and "import_inventory" in purged.output


def test_feeds_subscribe_events_and_deliver_once(zone: Zone, cli: CliRunner) -> None:
    made = cli.invoke(app, ["feeds", "subscribe", "tax-bills", "--agency", "tax", "--type", "CEB816Message"])
    assert made.exit_code == 0, made.output
    release(zone)
    events = cli.invoke(app, ["feeds", "events", "tax-bills", "--commit"])
    assert events.exit_code == 0
    [line] = [json.loads(x) for x in events.stdout.splitlines() if x.startswith("{")]
    assert (line["document_type"], line["status"]) == ("CEB816Message", "1")
    empty = cli.invoke(app, ["feeds", "events", "tax-bills"])
    assert [x for x in empty.stdout.splitlines() if x.startswith("{")] == []
    listed = cli.invoke(app, ["feeds", "list"])
    assert "agency:tax" in listed.output
    delivered = cli.invoke(app, ["feeds", "deliver", "--once", "--no-nats"])
    assert delivered.exit_code == 0
    both = cli.invoke(app, ["feeds", "subscribe", "x", "--agency", "tax", "--enterprise", PARTIES.agent.code])
    assert both.exit_code != 0


def test_clearance_flows_prints_the_timeline(zone: Zone, cli: CliRunner) -> None:
    release(zone)
    shown = cli.invoke(app, ["clearance", "flows", PARTIES.platform.code, "ORD20260302000001"])
    assert shown.exit_code == 0, shown.output
    assert "order received (CEB311)" in shown.output and "tax bill (CEB816)" in shown.output
    assert BUYER.name not in shown.output
    missing = cli.invoke(app, ["clearance", "flows", PARTIES.platform.code, "NOPE"])
    assert missing.exit_code == 1
