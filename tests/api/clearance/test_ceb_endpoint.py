"""Contract of POST /ceb and the clearance REST API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.api.auth import client_for
from tests.builders import AT, PARTIES, a_set
from tests.zone import Zone

from cbec.demo.builders import Party, build_arrival, build_message
from cbec.messages import parse_format_receipt, parse_receipts, render_message
from cbec.messages.signature import sign_document


def xml_of(zone: Zone, documents: list, sender) -> bytes:
    return sign_document(render_message(build_message(documents, sender)), zone.signer)


def sender(zone: Zone, party: Party) -> TestClient:
    """Return the client of an enterprise user of the party (it may send messages as the party)."""
    return client_for(zone.ctx, "enterprise_user", enterprise_code=party.code)


def test_post_ceb_answers_with_the_receipt_message(zone: Zone) -> None:
    client = sender(zone, PARTIES.ecommerce)
    s = a_set()
    response = client.post(
        "/ceb", content=xml_of(zone, [s.order], PARTIES.ecommerce), headers={"content-type": "application/xml"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    [receipt] = parse_receipts(response.content)
    assert (receipt.message_type.value, receipt.status, receipt.order_no) == ("CEB312Message", "120", s.order.order_no)


def test_post_ceb_refuses_garbage_with_a_format_receipt(zone: Zone) -> None:
    client = sender(zone, PARTIES.ecommerce)
    response = client.post("/ceb", content=b"<not-ceb/>")
    assert response.status_code == 422
    receipt = parse_format_receipt(response.content)
    assert receipt.status == "-1"
    assert receipt.original_message_type == "Unknown"


def test_post_ceb_dry_run_lists_problems_and_stores_nothing(zone: Zone) -> None:
    client = sender(zone, PARTIES.agent)
    s = a_set()
    response = client.post("/ceb?dry_run=true", content=xml_of(zone, [s.inventory], PARTIES.agent))
    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True
    assert [(d["status"], d["note"]) for d in body["documents"]] == [("2", "order,payment,waybill")]
    assert client.get("/api/v1/clearance/inventories").json()["total"] == 0


def test_clearance_api_search_detail_and_officer_decision(zone: Zone) -> None:
    zone.ctx.settings = zone.ctx.settings.model_copy(update={"random_review_rate": 1.0})
    client = client_for(zone.ctx, "agency_officer", agency="customs")
    s = a_set()
    for documents, party in (
        ([s.order], PARTIES.ecommerce),
        ([s.payment], PARTIES.payment),
        ([s.waybill], PARTIES.logistics),
        ([s.inventory], PARTIES.agent),
    ):
        assert sender(zone, party).post("/ceb", content=xml_of(zone, documents, party)).status_code == 200
    arrival = build_arrival(PARTIES, [s.waybill.logistics_no], bill_no="MAWB20260302001", at=AT)
    sent = sender(zone, PARTIES.site_operator).post("/ceb", content=xml_of(zone, [arrival], PARTIES.site_operator))
    assert sent.status_code == 200
    held = client.get("/api/v1/clearance/held").json()["items"]
    assert [(i["inventory_no"], i["status"]) for i in held] == [("46012026I000000001", "300")]
    refused = client.post(
        "/api/v1/clearance/inventories/46012026I000000001/decision", json={"action": "release", "comment": " "}
    )
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["rule_id"] == "OFFICER-COMMENT"
    released = client.post(
        "/api/v1/clearance/inventories/46012026I000000001/decision",
        json={"action": "release", "comment": "核对无误", "actor": "officer-1"},
    )
    assert [r["status"] for r in released.json()["receipts"]] == ["399", "800"]
    detail = client.get("/api/v1/clearance/inventories/46012026I000000001").json()
    assert [r["status"] for r in detail["receipts"]] == ["2", "120", "300", "399", "800"]
    assert detail["tax_bill"]["vat"] == "55.15"
    assert client.get("/api/v1/clearance/inventories/NOPE").status_code == 404
    page = client.get("/")
    assert page.status_code == 200
    assert "46012026I000000001" in page.text
