"""Contract of the trust and sharing routes: audit chain, certificates, feeds, three flows, audited reveal."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree
from sqlalchemy import text
from tests.api.auth import client_for
from tests.audit_guard import triggers_lifted
from tests.builders import BUYER, PARTIES, SERUM, a_set
from tests.keys import rsa_files
from tests.zone import Zone

from cbec.demo.builders import build_message
from cbec.messages import parse_receipts, render_message
from cbec.messages.signature import SignatureAlgorithm, generate_test_identity, sign_document, verify_document


def release(zone: Zone) -> str:
    s = a_set(items=[(SERUM, Decimal(1))], trade_mode="1210")
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    number = zone.send([s.inventory], PARTIES.agent).receipts[-1].inventory_no
    assert number is not None
    return number


def test_audit_verify_reports_a_tampered_record(zone: Zone) -> None:
    admin = client_for(zone.ctx, "zone_admin")
    body = admin.get("/api/v1/audit/verify").json()
    assert (body["ok"], body["first_broken_id"]) == (True, None)
    records = admin.get("/api/v1/audit/records", params={"action": "enterprises.enterprise.approved"}).json()
    assert records["total"] == 6
    victim = records["items"][-1]["id"]
    with triggers_lifted(zone.ctx.engine) as conn:  # a superuser past the append-only triggers
        conn.execute(text("UPDATE audit_record SET actor = 'someone else' WHERE id = :id"), {"id": victim})
    body = admin.get("/api/v1/audit/verify").json()
    assert (body["ok"], body["first_broken_id"]) == (False, victim)


def test_certificates_are_registered_listed_and_revoked(zone: Zone) -> None:
    admin = client_for(zone.ctx, "zone_admin")
    _, der = generate_test_identity(SignatureAlgorithm.SM2_SM3, "椰城国际物流")
    pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM).decode()
    created = admin.post(f"/api/v1/enterprises/{PARTIES.logistics.code}/certificates", json={"certificate": pem})
    assert created.status_code == 201
    serial = created.json()["serial_hex"]
    assert created.json()["algorithm"] == "SM2"
    listed = admin.get(f"/api/v1/enterprises/{PARTIES.logistics.code}/certificates").json()
    assert (len(listed), listed[0]["serial_hex"]) == (2, serial)  # newest first, after the zone's own
    again = admin.post(f"/api/v1/enterprises/{PARTIES.logistics.code}/certificates", json={"certificate": pem})
    assert again.status_code == 409
    revoked = admin.post(
        f"/api/v1/enterprises/{PARTIES.logistics.code}/certificates/{serial}/revoke", json={"reason": "换证"}
    )
    assert (revoked.status_code, revoked.json()["status"]) == (200, "revoked")


def test_feeds_subscribe_read_commit_and_replay(zone: Zone) -> None:
    admin = client_for(zone.ctx, "zone_admin")
    created = admin.post(
        "/api/v1/feeds",
        json={"name": "customs-822", "subscriber_kind": "agency", "subscriber_code": "customs", "scope": "RET"},
    )
    assert (created.status_code, created.json()["webhook_secret"]) == (201, None)
    release(zone)
    page = admin.get("/api/v1/feeds/customs-822/events", params={"limit": 3}).json()
    assert [e["document_type"] for e in page["events"]] == ["CEB312Message", "CEB412Message", "CEB512Message"]
    assert admin.put("/api/v1/feeds/customs-822/cursor", json={"position": page["next_after"]}).json() == {
        "cursor": page["next_after"]
    }
    rest = admin.get("/api/v1/feeds/customs-822/events").json()
    assert [e["status"] for e in rest["events"]] == ["2", "120", "399", "800", "1"]
    assert admin.get("/api/v1/feeds/customs-822/dead-letters").json() == []
    replay = admin.post("/api/v1/feeds/customs-822/replay", json={"dead": True})
    assert (replay.status_code, replay.json()["error"]) == (409, "conflict")
    assert admin.get("/api/v1/feeds/nobody/events").status_code == 404


def test_flows_are_masked_and_reveal_is_audited(zone: Zone) -> None:
    number = release(zone)
    officer = client_for(zone.ctx, "agency_officer", agency="customs")
    flows = officer.get(f"/api/v1/orders/{PARTIES.platform.code}/ORD20260302000001/flows")
    assert flows.status_code == 200
    assert BUYER.id_number not in flows.text and BUYER.name not in flows.text
    assert flows.json()["information"]["inventories"][0]["inventory_no"] == number
    revealed = officer.post(
        f"/api/v1/clearance/inventories/{number}/reveal", json={"actor": "officer-li", "reason": "查验核对身份"}
    )
    assert revealed.status_code == 200
    assert (revealed.json()["buyer_id_number"], revealed.json()["buyer_name"]) == (BUYER.id_number, BUYER.name)
    admin = client_for(zone.ctx, "zone_admin")
    [record] = admin.get("/api/v1/audit/records", params={"action": "privacy.inventory_buyer.revealed"}).json()["items"]
    assert record["reason"] == "查验核对身份"
    missing = officer.post(f"/api/v1/clearance/inventories/{number}/reveal", json={"actor": "x", "reason": ""})
    assert missing.status_code == 422


def test_post_ceb_answers_with_a_receipt_signed_by_the_platform(zone: Zone, tmp_path: Path) -> None:
    key_file, cert_file, der = rsa_files(tmp_path)
    zone.ctx.settings = zone.ctx.settings.model_copy(
        update={"signer": "software", "signing_key_file": key_file, "signing_certificate_file": cert_file}
    )
    client = client_for(zone.ctx, "enterprise_user", enterprise_code=PARTIES.ecommerce.code)
    xml = sign_document(render_message(build_message([a_set().order], PARTIES.ecommerce)), zone.signer)
    response = client.post("/ceb", content=xml, headers={"content-type": "application/xml"})
    assert response.status_code == 200
    verdict = verify_document(response.content, trusted_certificates=[der], at=datetime(2026, 3, 2, tzinfo=UTC))
    assert verdict.valid
    # The receipt XSDs have no ds:Signature: a reader checks the signature, then parses without it.
    root = etree.fromstring(response.content)
    root.remove(root.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
    [receipt] = parse_receipts(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    assert receipt.status == "120"


def test_audit_verify_holds_the_chain_to_the_zones_checkpoint_file(zone: Zone, tmp_path: Path) -> None:
    """With CBEC_AUDIT_CHECKPOINT_FILE set, a truncated tail with the head moved back fails over the API too."""
    from cbec.audit.service import take_checkpoint

    checkpoints = tmp_path / "audit.checkpoints"
    zone.ctx.settings = zone.ctx.settings.model_copy(update={"audit_checkpoint_file": checkpoints})
    admin = client_for(zone.ctx, "zone_admin")  # its account is audited: made before the checkpoint
    take_checkpoint(zone.ctx, checkpoints)
    assert admin.get("/api/v1/audit/verify").json()["ok"] is True
    with triggers_lifted(zone.ctx.engine) as conn:
        last = conn.execute(text("SELECT max(seq) FROM audit_record")).scalar_one()
        kept = conn.execute(text("SELECT id, hash FROM audit_record WHERE seq = :s"), {"s": last - 1}).one()
        conn.execute(text("DELETE FROM audit_record WHERE seq = :s"), {"s": last})
        conn.execute(
            text("UPDATE journal_head SET last_seq = :s, last_hash = :h, last_row_id = :i WHERE name = 'audit'"),
            {"s": last - 1, "h": kept.hash, "i": kept.id},
        )
    assert admin.get("/api/v1/audit/verify").json()["ok"] is False
