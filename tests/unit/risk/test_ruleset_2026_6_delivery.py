"""Ruleset 2026.6, the shipped one: 2026.5 (kept byte for byte) plus the delivery rules of six-systems R2.4 — a
parcel signed for less than 2 hours after release more than 500 km away (D1) and a seller 20 % or more of whose
parcels are never signed while its carrier signs most of its own (D2) — each at its edges, and the pure helpers of
cbec.risk.deliveries (hours, km, shares, the signing a waybill-status event tells)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from types import SimpleNamespace
from typing import Any

import pytest

from cbec.facts.queries import Parcel
from cbec.risk.cases.rules import choose_pivot
from cbec.risk.deliveries import (
    hours_between,
    reads_deliveries,
    release_km,
    share,
    signed_fields,
    signing_of,
)
from cbec.risk.rules import Band, Typology, evaluate, parse_ruleset, shipped_ruleset
from cbec.risk.versions.service import past_shipped_texts, shipped_text
from cbec.sharing.catalogue import parse_event

D = Decimal
FIFTH_TEXT = resources.files("cbec.risk").joinpath("data/ruleset-2026.5.json").read_text(encoding="utf-8")
FIFTH = parse_ruleset(FIFTH_TEXT)
RULES = shipped_ruleset()
RELEASED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def test_2026_6_is_2026_5_plus_d1_and_d2_and_three_parameters() -> None:
    assert (FIFTH.version, RULES.version) == ("2026.5", "2026.6")
    old, new = json.loads(FIFTH_TEXT), json.loads(shipped_text())
    # the whole difference from 2026.5 is pinned in test_ruleset_2026_6.py; here: D1 and D2 follow F4, with their
    # three parameters
    ids = [r["id"] for r in new["rules"]]
    assert ids[ids.index("F4") + 1 : ids.index("F4") + 3] == ["D1", "D2"]
    assert new["typologies"] == old["typologies"]
    assert {k: new["parameters"][k] for k in ("unsigned_days", "unsigned_min_parcels", "delivery_sweep_days")} == {
        "unsigned_days": "15",
        "unsigned_min_parcels": "20",
        "delivery_sweep_days": "30",
    }
    assert {k: new["parameters"][k] for k in old["parameters"]} == old["parameters"]
    rules = {r.id: r for r in RULES.rules}
    assert (rules["D1"].typology, rules["D1"].input, [(g.input, g.op, g.value) for g in rules["D1"].guards]) == (
        Typology.FAKE_ORDER,
        "doc.sign_hours",
        [("doc.sign_km", ">", D(500))],
    )
    assert (rules["D2"].typology, rules["D2"].input, [(g.input, g.op, g.value) for g in rules["D2"].guards]) == (
        Typology.FAKE_ORDER,
        "doc.unsigned_share",
        [("doc.carrier_unsigned_share", "<", D("0.5")), ("doc.unsigned", "==", D(1))],
    )
    assert (reads_deliveries(FIFTH), reads_deliveries(RULES)) == (False, True)


def test_the_2026_5_document_is_kept_byte_for_byte_for_its_replays() -> None:
    assert FIFTH_TEXT in past_shipped_texts() and shipped_text() != FIFTH_TEXT
    # the digest 2026.5's decisions stored when it was the shipped ruleset.json
    assert FIFTH.sha256 == "0fc97efb67c844607211805698b2d350fc02da908949c34bd49f1d1b2214f510"


def test_an_entry_decision_scores_as_under_2026_5() -> None:
    """The delivery rules read delivery inputs only, which an entry decision never carries: insufficient there."""
    inputs: dict[str, Decimal | None] = {name: D(0) for rule in FIFTH.rules for name in rule.inputs}
    inputs.update({"phone.buyers.30d": D(6), "address.buyers.30d": D(10), "doc.payer_differs": D(0)})
    old, new = evaluate(FIFTH, inputs), evaluate(RULES, inputs)
    assert (old.score, new.score, new.band) == (110, 110, Band.REJECT)  # F1 40 + F2 70
    assert {t.rule: t.status for t in new.rules if t.rule in ("D1", "D2")} == {
        "D1": "insufficient",
        "D2": "insufficient",
    }


def _d(rule: str, **inputs: object) -> tuple[str, int]:
    values = {f"doc.{k}": (None if v is None else D(str(v))) for k, v in inputs.items()}
    [trace] = [t for t in evaluate(RULES, values).rules if t.rule == rule]
    return trace.status, trace.weight


@pytest.mark.parametrize(
    ("hours", "km", "expected"),
    [
        ("1.99", "500.1", ("fired", 40)),  # under 2 h, over 500 km
        ("0.00", "1942.5", ("fired", 40)),
        ("-3.50", "1942.5", ("fired", 40)),  # signed "before" release: as false a signing
        ("2.00", "1942.5", ("no_band", 0)),  # the band's upper edge is exclusive
        ("1.00", "500.0", ("guard_failed", 0)),  # "over 500 km": 500 itself is not
        ("1.00", None, ("insufficient", 0)),  # no region or release customs known
        (None, "1942.5", ("insufficient", 0)),  # not released when signed
    ],
)
def test_d1_signed_too_soon_too_far(hours: object, km: object, expected: tuple[str, int]) -> None:
    assert _d("D1", sign_hours=hours, sign_km=km) == expected


@pytest.mark.parametrize(
    ("mine", "carrier", "expected"),
    [
        ("0.2", "0.2", ("fired", 40)),
        ("0.3", "0.4999", ("fired", 40)),
        ("0.1999", "0.2", ("no_band", 0)),
        ("0.9", "0.5", ("guard_failed", 0)),  # a carrier reporting no signings for half its parcels: a gap
        ("0.9", None, ("insufficient", 0)),  # the carrier carried fewer than 20 parcels in 30 days
        (None, "0.1", ("insufficient", 0)),  # the seller sold fewer than 20
    ],
)
def test_d2_a_seller_whose_parcels_are_not_signed(mine: object, carrier: object, expected: tuple[str, int]) -> None:
    assert _d("D2", unsigned=1, unsigned_share=mine, carrier_unsigned_share=carrier) == expected


def test_each_alone_reaches_review_and_is_the_seller_s_alert() -> None:
    for inputs in (
        {"doc.sign_hours": D("0.5"), "doc.sign_km": D(1200)},
        {"doc.unsigned": D(1), "doc.unsigned_share": D("0.3"), "doc.carrier_unsigned_share": D("0.3")},
    ):
        result = evaluate(RULES, inputs)
        fake = next(s for s in result.scores if s.typology is Typology.FAKE_ORDER)
        assert (fake.score, fake.band, result.score) == (40, Band.REVIEW, 40)
        rules = [c.rule for c in fake.contributions]
        subjects = {"enterprise": "4601960002", "platform": "4601960001"}
        assert choose_pivot("fake_order", subjects, rules) == ("enterprise", "4601960002")


def parcel(**changes: Any) -> Parcel:
    values: dict[str, Any] = {
        "eport_no": "B20260302000000001",
        "order_no": "ORD1",
        "inventory_no": "46012026I000000001",
        "tenant": None,
        "platform_code": "4601960001",
        "ecommerce_code": "4601960002",
        "logistics_code": "4601960004",
        "logistics_no": "LN1",
        "agent_code": "4601960005",
        "customs_code": "5301",  # Shenzhen customs
        "consignee_region": "110100",  # Beijing
        "status": "released",
        "released_at": RELEASED,
    }
    values.update(changes)
    return Parcel(**values)


def test_hours_and_km_of_a_signed_parcel() -> None:
    assert hours_between(RELEASED, datetime(2026, 3, 2, 3, 59, 42, tzinfo=UTC)) == D("1.99")
    assert hours_between(RELEASED, datetime(2026, 3, 2, 1, 30, tzinfo=UTC)) == D("-0.50")
    assert hours_between(RELEASED, datetime(2026, 3, 5, 2, 0, tzinfo=UTC)) == D("72.00")
    assert release_km(parcel()) == D("1942.5")  # the seats of Shenzhen customs and of Beijing
    assert release_km(parcel(customs_code="5399", consignee_region="440305")) == D("0.0")
    assert [release_km(parcel(consignee_region=None)), release_km(parcel(customs_code="0000"))] == [None, None]
    signed = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    assert signed_fields(parcel(), signed) == {"doc.sign_hours": D("1.00"), "doc.sign_km": D("1942.5")}
    assert signed_fields(parcel(released_at=None), signed) == {"doc.sign_hours": None, "doc.sign_km": D("1942.5")}


def test_shares_need_the_least_number_of_parcels() -> None:
    assert [
        share(D(4), D(20), D(20)),
        share(D(1), D(3), D(1)),
        share(D(5), D(19), D(20)),
        share(None, D(30), D(20)),
    ] == [
        D("0.2000"),
        D("0.3333"),
        None,
        None,
    ]
    assert share(D(0), D(0), D(0)) is None


def _event(kind: str, document: dict[str, Any]) -> Any:
    row = SimpleNamespace(
        position=41,
        occurred_at=datetime(2026, 3, 2, 4, 0, tzinfo=UTC),
        kind="data",
        document_type="CEB513Message",
        business_key="waybill:4601960004/LN1",
        zone="4601",
        status=None,
        parties=["4601960004"],
        payload={"message_type": "CEB513Message", "document_kind": kind, "document": document},
    )
    return parse_event(row)


def test_the_signing_a_waybill_status_data_event_tells() -> None:
    doc = {"logistics_code": "4601960004", "logistics_no": "LN1", "logistics_status": "S"}
    found = signing_of(_event("waybill_status", {**doc, "status_time": "2026-03-02T11:30:00+08:00"}))
    assert found is not None
    assert (found.logistics_code, found.logistics_no, found.signed_at, found.position) == (
        "4601960004",
        "LN1",
        datetime(2026, 3, 2, 3, 30, tzinfo=UTC),
        41,
    )
    assert signing_of(_event("waybill", {**doc, "status_time": "2026-03-02T11:30:00+08:00"})) is None
    assert signing_of(_event("waybill_status", {**doc, "status_time": "2026-03-02T11:30:00"})) is None  # no zone
    assert signing_of(_event("waybill_status", {**doc, "status_time": "yesterday"})) is None
    assert signing_of(_event("waybill_status", {**doc, "logistics_status": "X", "status_time": "2026-03-02"})) is None
