"""Pure rules of third-party evaluation (agency list, report fields, detached signatures, notches), the published
method (dimensions and weights from the ruleset) and the AEO self-assessment scorer."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, date, datetime
from typing import Any

import pytest

from cbec.common.ids import make_uscc
from cbec.credit.aeo import score, shipped_standard
from cbec.credit.method import method_document
from cbec.credit.schemes import ConfigKind, build_configuration, shipped_documents
from cbec.credit.thirdparty import (
    canonical,
    check_against_list,
    check_signature,
    notches,
    parse_agencies,
    parse_report,
    severity_of,
)
from cbec.messages.signature import SignatureAlgorithm, generate_test_identity

TODAY = date(2026, 3, 2)
AT = datetime(2026, 3, 2, 2, tzinfo=UTC)
ACME = make_uscc("91460000MA5TRPR01")


def report(**changes: Any) -> dict[str, Any]:
    return {
        "agency": "XY01",
        "accreditation": "PBOC-46-0001",
        "method": "GB/T 23794-2015",
        "subject": ACME,
        "grade": "aa",
        "valid_from": "2026-02-01",
        "valid_to": "2027-02-01",
        "report_no": "R-1",
        "issued_on": "2026-02-01",
        **changes,
    }


def agencies(*certificates: bytes) -> Any:
    doc = dict(next(v for k, v in shipped_documents() if k == ConfigKind.AGENCIES))
    doc["agencies"] = [
        {
            "code": "XY01",
            "name": "海南信评",
            "accreditation": "PBOC-46-0001",
            "methods": ["GB/T 23794-2015"],
            "certificates_sha256": [hashlib.sha256(c).hexdigest() for c in certificates],
        }
    ]
    found, problems = parse_agencies(doc)
    assert problems == []
    return found


def test_canonical_json_sorts_keys_without_spaces() -> None:
    assert canonical({"b": 1, "a": "信"}) == '{"a":"信","b":1}'.encode()


def test_a_report_is_checked_field_by_field() -> None:
    found, problems = parse_report(report(), today=TODAY)
    assert problems == [] and found is not None and (found.grade, found.subject) == ("AA", ACME)
    _, problems = parse_report(
        report(grade="", valid_to="2026-01-01", issued_on="2026-04-01", subject="123", extra="x"), today=TODAY
    )
    assert [(p.rule_id, p.field) for p in problems] == [
        ("CRD-TP-REQUIRED", "grade"),
        ("CRD-TP-FIELD", "extra"),
        ("CRD-DATE-ORDER", "valid_to"),
        ("CRD-DECIDED-FUTURE", "issued_on"),
        ("CRD-TP-EXPIRED", "valid_to"),
        ("CRD-SUBJECT", "subject"),
    ]


def test_the_agency_list_maps_grades_and_refuses_strangers() -> None:
    listed = agencies()
    found, _ = parse_report(report(), today=TODAY)
    assert found is not None
    assert check_against_list(found, listed) == ("A", [])
    other, _ = parse_report(report(accreditation="X", method="mine", grade="E"), today=TODAY)
    assert other is not None
    assert [p.rule_id for p in check_against_list(other, listed)[1]] == [
        "CRD-TP-ACCREDITATION",
        "CRD-TP-METHOD",
        "CRD-GRADE",
    ]
    stranger, _ = parse_report(report(agency="ZZ"), today=TODAY)
    assert stranger is not None and [p.rule_id for p in check_against_list(stranger, listed)[1]] == ["CRD-TP-AGENCY"]
    _, bad = parse_agencies(
        {"code": "x", "version": "1", "effective_from": "2026-01-01", "grade_levels": {}, "agencies": [{"code": "A"}]}
    )
    assert [p.rule_id for p in bad] == ["CRD-AGENCIES"]


@pytest.mark.parametrize(
    "algorithm,name", [(SignatureAlgorithm.SM2_SM3, "SM2-SM3"), (SignatureAlgorithm.RSA_SHA1, "RSA-SHA1")]
)
def test_a_detached_signature_over_the_canonical_json_verifies(algorithm: SignatureAlgorithm, name: str) -> None:
    signer, cert = generate_test_identity(algorithm, "信评", not_before=datetime(2026, 1, 1, tzinfo=UTC))
    listed = agencies(cert)
    body = report()
    signature = {
        "algorithm": name,
        "certificate": base64.b64encode(cert).decode(),
        "value": base64.b64encode(signer.sign(canonical(body))).decode(),
    }
    signed, problems = check_signature(body, signature, listed.agency("XY01"), AT)
    assert problems == [] and signed is not None
    assert (signed.algorithm, signed.certificate_sha256) == (name, hashlib.sha256(cert).hexdigest())
    _, changed = check_signature({**body, "grade": "AAA"}, signature, listed.agency("XY01"), AT)
    assert [p.rule_id for p in changed] == ["CRD-TP-SIGNATURE"]
    _, late = check_signature(body, signature, listed.agency("XY01"), datetime(2030, 1, 1, tzinfo=UTC))
    assert [p.rule_id for p in late] == ["CRD-TP-CERT-EXPIRED"]
    _, foreign = check_signature(body, signature, agencies().agency("XY01"), AT)
    assert [p.rule_id for p in foreign] == ["CRD-TP-CERT-UNTRUSTED"]
    assert [p.rule_id for p in check_signature(body, None, None, AT)[1]] == ["CRD-TP-UNSIGNED"]
    assert [p.rule_id for p in check_signature(body, {**signature, "algorithm": "MD5"}, None, AT)[1]] == [
        "CRD-TP-ALGORITHM"
    ]
    assert [p.rule_id for p in check_signature(body, {**signature, "certificate": "%%"}, None, AT)[1]] == [
        "CRD-TP-SIGNATURE"
    ]


def test_notches_and_severity() -> None:
    levels = ("A", "B", "C", "D")
    assert [notches(levels, "A", x) for x in levels] == [0, 1, 2, 3]
    assert [severity_of(x, levels) for x in levels] == ["positive", "positive", "neutral", "neutral"]


def test_the_method_is_derived_from_the_ruleset_in_force() -> None:
    config = build_configuration(shipped_documents())
    ruleset = config.ruleset_on(TODAY)
    assert ruleset is not None
    method = method_document(ruleset, {"AAA": "A"})
    # customs: the largest tier (40, one holds at a time); third party: caps 5 + 5; conduct: caps 20 + 10 + 5 + 10;
    # dishonesty: uncapped, its points once (40 + 15 + 3); 153 in all
    assert [(d["id"], d["largest_effect"], d["weight"]) for d in method["dimensions"]] == [
        ("customs", 40, "0.261"),
        ("third_party", 10, "0.065"),
        ("conduct", 45, "0.294"),
        ("dishonesty", 58, "0.379"),
    ]
    assert [i["id"] for i in method["dimensions"][0]["indicators"]] == [
        "tier-advanced",
        "tier-certified",
        "tier-regular",
        "tier-dishonest",
        "tier-serious",
    ]
    assert method["levels"] == [
        {"level": "A", "min_score": 90},
        {"level": "B", "min_score": 75},
        {"level": "C", "min_score": 60},
        {"level": "D", "min_score": None},
    ]
    assert [f["id"] for f in method["floors"]] == [
        "serious-list",
        "customs-serious-dishonest",
        "customs-dishonest",
        "unpaid-tax",
        "customs-advanced",
    ]
    assert method["grade_levels"] == {"AAA": "A"}


def items(*rows: tuple[str, str, Any]) -> dict[str, Any]:
    return {"items": [{"module": m, "item": i, "score": s} for m, i, s in rows]}


def test_aeo_scores_modules_and_the_pass_rule() -> None:
    standard = shipped_standard()
    passed, problems = score(
        items(("internal_control", "1", 0), ("financial", "2", -1), ("compliance", "3", "n.a.")), standard
    )
    assert problems == [] and passed is not None
    assert (passed.score, passed.passed, passed.reasons) == (99, True, [])
    assert [(m.module, m.items, m.not_applicable, m.total) for m in passed.modules] == [
        ("internal_control", 1, 0, 0),
        ("financial", 1, 0, -1),
        ("compliance", 1, 1, 0),
        ("trade_security", 0, 0, 0),
    ]
    four_basic = items(*((("internal_control" if n % 2 else "trade_security"), str(n), -1) for n in range(4)))
    failed, _ = score(four_basic, standard)
    assert failed is not None and (failed.score, failed.passed) == (96, False)
    assert failed.reasons == [
        "basically_meets: 4 item(s) 基本达标 in internal_control, trade_security, at most 3 allowed"
    ]
    basic_elsewhere = items(*(("financial", str(n), -1) for n in range(4)))
    assert score(basic_elsewhere, standard)[0].passed is True
    low = items(*(("compliance", str(n), -1) for n in range(6)))
    assert score(low, standard)[0].reasons == ["score: 94 below 95"]
    fails = items(("financial", "1", -2))
    assert score(fails, standard)[0].reasons == ["fails: 1 item(s) 不达标, at most 0 allowed"]


def test_aeo_refuses_bad_input_with_every_problem() -> None:
    _, problems = score(
        items(("x", "1", 0), ("financial", "", -3), ("financial", "2", "yes"), ("financial", "2", 0)),
        shipped_standard(),
    )
    assert [(p.rule_id, p.field) for p in problems] == [
        ("CRD-AEO-MODULE", "items[0].module"),
        ("CRD-AEO-ITEM", "items[1].item"),
        ("CRD-AEO-SCORE", "items[1].score"),
        ("CRD-AEO-SCORE", "items[2].score"),
        ("CRD-AEO-DUPLICATE", "items[3].item"),
    ]
    assert [p.rule_id for p in score({"items": []}, shipped_standard())[1]] == ["CRD-AEO-EMPTY"]
