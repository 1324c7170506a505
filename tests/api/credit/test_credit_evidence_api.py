"""REST of evidence files: fact entry, repair applications and objections accept the file itself (PDF, JPEG, PNG,
≤ 700 KB, the type checked against its bytes, the digest recorded its SHA-256), stored encrypted; the subject's
enterprise and officers in scope download it (every read audited), nobody else.

Enterprise A is filed at the hub, B at the Zhengzhou sub-platform; the world's day is 2026-03-02.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from sqlalchemy import select
from tests.api import test_authorization as authz
from tests.api.test_authorization import World
from tests.api.test_trust_boundary import audit_actors, client_of, name_of
from tests.builders import PARTIES

from cbec.credit.models import CreditEvidence
from cbec.credit.service import apply_events, seed_configuration

A = PARTIES.ecommerce.code
world = authz.world
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 64


def sent(content: bytes, kind: str, name: str = "decision.pdf") -> dict[str, str]:
    return {"filename": name, "content_type": kind, "data": base64.b64encode(content).decode("ascii")}


def rules(answer: Any) -> list[str]:
    return [p["rule_id"] for p in answer.json()["problems"]]


def fact_body(**extra: Any) -> dict[str, Any]:
    return {
        "subject": A,
        "fact_type": "penalty",
        "source": "customs",
        "severity": "general",
        "decided_on": "2025-06-01",
        "document_no": "海关罚〔2025〕9号",
        "legal_basis": "海关行政处罚实施条例",
        **extra,
    }


@pytest.fixture
def credit(world: World) -> World:
    seed_configuration(world.app.state.ctx)
    apply_events(world.app.state.ctx)
    return world


def test_files_are_checked_stored_encrypted_and_read_in_scope(credit: World) -> None:
    admin, shop = client_of(credit, "zone_admin"), client_of(credit, "shop_a")
    made = admin.post("/api/v1/credit/facts", json=fact_body(evidence_file=sent(PDF, "application/pdf")))
    assert made.status_code == 201, made.json()
    fact = made.json()
    assert fact["evidence_sha256"] == hashlib.sha256(PDF).hexdigest()
    repair = {
        "fact_id": fact["id"],
        "description": "罚款已缴清",
        "commitment": "承诺守法经营",
        "evidence_file": sent(PNG, "image/png", "receipt.png"),
    }
    applied = shop.post("/api/v1/credit/repairs", json=repair)
    assert (applied.status_code, applied.json()["evidence_sha256"]) == (201, hashlib.sha256(PNG).hexdigest())
    objection = {"fact_id": fact["id"], "reason": "金额有误", "evidence_file": sent(JPEG, "image/jpeg", "scan.jpg")}
    assert shop.post("/api/v1/credit/objections", json=objection).status_code == 201
    listed = shop.get(f"/api/v1/credit/subjects/{A}/evidence").json()
    assert [(e["purpose"], e["filename"], e["content_type"], e["size"]) for e in listed] == [
        ("fact", "decision.pdf", "application/pdf", len(PDF)),
        ("repair", "receipt.png", "image/png", len(PNG)),
        ("objection", "scan.jpg", "image/jpeg", len(JPEG)),
    ]
    for caller in ("shop_b", "city_admin", "city_customs"):
        assert client_of(credit, caller).get(f"/api/v1/credit/subjects/{A}/evidence").status_code == 404, caller
    first = listed[0]["id"]
    for caller in ("shop_a", "customs", "zone_admin"):
        answer = client_of(credit, caller).get(f"/api/v1/credit/evidence/{first}")
        assert (answer.status_code, answer.content, answer.headers["content-type"]) == (200, PDF, "application/pdf")
        assert answer.headers["x-content-sha256"] == hashlib.sha256(PDF).hexdigest()
    for caller in ("shop_b", "city_admin", "city_customs"):
        assert client_of(credit, caller).get(f"/api/v1/credit/evidence/{first}").status_code == 404, caller
    assert client_of(credit, "consumer").get(f"/api/v1/credit/evidence/{first}").status_code == 403
    assert audit_actors(credit, "credit.evidence.read") == [
        name_of(credit, caller) for caller in ("shop_a", "customs", "zone_admin")
    ]
    with credit.app.state.ctx.uow() as uow:
        stored = list(uow.session.scalars(select(CreditEvidence.content).order_by(CreditEvidence.id)))
    assert all(c.startswith("k1:") or ":" in c[:8] for c in stored)
    assert base64.b64encode(PDF).decode("ascii") not in stored[0] and "PDF" not in stored[0]  # encrypted at rest


def test_bad_files_are_refused_with_their_rule(credit: World) -> None:
    admin = client_of(credit, "zone_admin")
    url = "/api/v1/credit/facts"
    wrong = admin.post(url, json=fact_body(evidence_sha256="ab" * 32, evidence_file=sent(PDF, "application/pdf")))
    assert (wrong.status_code, rules(wrong)) == (422, ["CRD-EVIDENCE-DIGEST"])
    kind = admin.post(url, json=fact_body(evidence_file=sent(PNG, "application/pdf")))
    assert (kind.status_code, rules(kind)) == (422, ["CRD-EVIDENCE-TYPE"])
    text = admin.post(url, json=fact_body(evidence_file=sent(b"hello", "text/plain", "a.txt")))
    assert (text.status_code, rules(text)) == (422, ["CRD-EVIDENCE-TYPE"])
    big = admin.post(url, json=fact_body(evidence_file=sent(PDF + b"0" * (700 * 1024), "application/pdf")))
    assert (big.status_code, rules(big)) == (422, ["CRD-EVIDENCE-SIZE"])
    huge = admin.post(url, json=fact_body(evidence_file=sent(PDF + b"0" * (1024 * 1024), "application/pdf")))
    assert (huge.status_code, rules(huge)) == (413, ["LIMIT-BODY-SIZE"])  # the API's body limit comes first
    garbled = {"filename": "../x.pdf", "content_type": "application/pdf", "data": "not base64!"}
    bad = admin.post(url, json=fact_body(evidence_file=garbled))
    assert (bad.status_code, rules(bad)) == (422, ["CRD-EVIDENCE-FILE", "CRD-EVIDENCE-FILE"])
    with credit.app.state.ctx.uow() as uow:
        assert list(uow.session.scalars(select(CreditEvidence.id))) == []


def test_list_changes_over_rest_keep_their_file(credit: World) -> None:
    admin = client_of(credit, "zone_admin")
    entry = {
        "subject": A,
        "list_type": "zone",
        "source": "zone",
        "severity": "general",
        "decided_on": "2025-06-01",
        "document_no": "综试办〔2025〕3号",
        "legal_basis": "试验区信用管理办法",
    }
    wrong = admin.post(
        "/api/v1/credit/lists/entries",
        json={**entry, "evidence_sha256": "ab" * 32, "evidence_file": sent(PDF, "application/pdf")},
    )
    assert (wrong.status_code, rules(wrong)) == (422, ["CRD-EVIDENCE-DIGEST"])
    added = admin.post("/api/v1/credit/lists/entries", json={**entry, "evidence_file": sent(PDF, "application/pdf")})
    assert added.status_code == 201, added.json()
    request = added.json()
    assert request["payload"]["evidence_sha256"] == hashlib.sha256(PDF).hexdigest()
    listed = admin.get(f"/api/v1/credit/subjects/{A}/evidence").json()
    assert [(e["purpose"], e["reference_id"], e["filename"]) for e in listed] == [
        ("list", request["id"], "decision.pdf")
    ]
    assert client_of(credit, "shop_b").get(f"/api/v1/credit/evidence/{listed[0]['id']}").status_code == 404
