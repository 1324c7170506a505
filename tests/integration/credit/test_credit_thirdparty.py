"""Third-party evaluation (signed reports from accredited agencies, capped facts, disagreement reviews) and ruleset
maker-checker (proposal with its dry run, publication by another account), on the database."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.integration.credit.test_credit_repair import credit_events

from cbec.common.clock import FixedClock
from cbec.common.ids import make_uscc
from cbec.credit import CreditConflict, CreditForbidden, CreditInvalid
from cbec.credit.models import CreditFact, CreditReviewTask, CreditThirdPartyReport
from cbec.credit.schemas import DecisionIn, FactIn, OverrideRequestIn
from cbec.credit.schemes import ConfigKind, shipped_documents
from cbec.credit.service import (
    configuration,
    decide_override,
    decide_review,
    decide_ruleset,
    dry_run_proposal,
    import_reports,
    list_reports,
    list_reviews,
    list_ruleset_proposals,
    load_configuration,
    propose_override,
    propose_ruleset,
    record_fact,
    seed_configuration,
    show_subject,
    zone_method,
)
from cbec.credit.thirdparty import canonical
from cbec.messages.signature import SignatureAlgorithm, Signer, generate_test_identity
from cbec.storage.context import Context

ACME = make_uscc("91460000MA5TRPR01")
BETA = make_uscc("91460000MA5TRPR02")
START = datetime(2026, 1, 1, tzinfo=UTC)


def identity(algorithm: SignatureAlgorithm = SignatureAlgorithm.SM2_SM3) -> tuple[Signer, bytes]:
    return generate_test_identity(algorithm, "信评机构", not_before=START, days=3650)


def agencies(*certificates: bytes, version: str = "2") -> dict[str, Any]:
    doc = copy.deepcopy(next(v for k, v in shipped_documents() if k == ConfigKind.AGENCIES))
    doc.update(version=version, effective_from="2026-01-01")
    doc["agencies"] = [
        {
            "code": "XY01",
            "name": "海南信评有限公司",
            "accreditation": "PBOC-46-0001",
            "methods": ["GB/T 23794-2015"],
            "certificates_sha256": [hashlib.sha256(c).hexdigest() for c in certificates],
        }
    ]
    return doc


def report(number: str, grade: str = "AAA", subject: str = ACME, **extra: str) -> dict[str, str]:
    return {
        "agency": "XY01",
        "accreditation": "PBOC-46-0001",
        "method": "GB/T 23794-2015",
        "subject": subject,
        "grade": grade,
        "valid_from": "2026-02-01",
        "valid_to": "2027-02-01",
        "report_no": number,
        "issued_on": "2026-02-01",
        **extra,
    }


def signed(body: dict[str, str], signer: Signer, cert: bytes, algorithm: str = "SM2-SM3") -> dict[str, Any]:
    return {
        "report": body,
        "signature": {
            "algorithm": algorithm,
            "certificate": base64.b64encode(cert).decode(),
            "value": base64.b64encode(signer.sign(canonical(body))).decode(),
        },
    }


Office = tuple[Context, Signer, bytes]


@pytest.fixture
def office(ctx: Context) -> Office:
    seed_configuration(ctx)
    signer, cert = identity()
    load_configuration(ctx, [(ConfigKind.AGENCIES, agencies(cert))], actor="zone-office")
    return ctx, signer, cert


def serious_penalty(ctx: Context, subject: str = ACME) -> None:
    record_fact(
        ctx,
        FactIn(
            subject=subject,
            fact_type="penalty",
            source="customs",
            severity="serious",
            decided_on="2026-01-10",
            document_no=f"琼关缉违字〔2026〕{subject[-2:]}号",
            legal_basis="海关行政处罚实施条例第十五条",
        ),
        actor="customs",
    )


def counts(ctx: Context) -> tuple[int, int, int]:
    with ctx.uow() as uow:
        s = uow.session
        return (
            s.scalar(select(func.count()).select_from(CreditFact)) or 0,
            s.scalar(select(func.count()).select_from(CreditThirdPartyReport)) or 0,
            s.scalar(select(func.count()).select_from(CreditReviewTask)) or 0,
        )


def test_a_signed_report_becomes_a_capped_fact_and_a_disagreement_opens_a_review(office: Office) -> None:
    ctx, signer, cert = office
    serious_penalty(ctx)  # the zone's own level: 100 - 40 = 60 → C
    assert show_subject(ctx, ACME).level == "C"
    done = import_reports(
        ctx,
        [
            signed(report("R-1"), signer, cert),
            signed(report("R-2", "AA"), signer, cert),
            signed(report("R-3"), signer, cert),
        ],
        actor="zone-office",
    )
    assert done.reviews_opened == 3
    assert [(r.report_no, r.grade, r.level, r.algorithm) for r in done.reports] == [
        ("R-1", "AAA", "A", "SM2-SM3"),
        ("R-2", "AA", "A", "SM2-SM3"),
        ("R-3", "AAA", "A", "SM2-SM3"),
    ]
    assert [(r.review.agency_level, r.review.zone_level, r.review.notches) for r in done.reports if r.review] == [
        ("A", "C", 2),
        ("A", "C", 2),
        ("A", "C", 2),
    ]
    rating = show_subject(ctx, ACME)
    third = [(c.modifier, c.points, c.counted) for c in rating.contributions if c.fact_type == "third_party_rating"]
    # each modifier's total is capped at 5 (the ruleset's cap): a second AAA report adds nothing
    assert third == [("third-party-aaa", 5, 5), ("third-party-aa", 3, 3), ("third-party-aaa", 5, 0)]
    assert (rating.score, rating.level) == (68, "C")
    assert [r.report_no for r in list_reports(ctx)] == ["R-3", "R-2", "R-1"]


def test_within_one_notch_opens_no_review(office: Office) -> None:
    ctx, signer, cert = office
    done = import_reports(ctx, [signed(report("R-9", "BBB", subject=BETA), signer, cert)], actor="zone-office")
    assert (done.reviews_opened, done.reports[0].level, done.reports[0].review) == (0, "B", None)
    assert list_reviews(ctx) == []


def test_an_rsa_signed_report_is_accepted(ctx: Context) -> None:
    seed_configuration(ctx)
    signer, cert = identity(SignatureAlgorithm.RSA_SHA1)
    load_configuration(ctx, [(ConfigKind.AGENCIES, agencies(cert))], actor="zone-office")
    done = import_reports(ctx, [signed(report("R-3"), signer, cert, "RSA-SHA1")], actor="zone-office")
    assert [r.algorithm for r in done.reports] == ["RSA-SHA1"]


def test_bad_reports_are_refused_all_together_with_every_problem(office: Office) -> None:
    ctx, signer, cert = office
    stranger, stranger_cert = identity()
    good = signed(report("R-1"), signer, cert)
    tampered = signed(report("R-2", "C"), signer, cert)
    tampered["report"]["grade"] = "AAA"
    unsigned = {"report": report("R-3")}
    foreign = signed(report("R-4"), stranger, stranger_cert)
    unknown = signed(report("R-5", agency="ZZ99"), signer, cert)
    ungraded = signed(report("R-6", grade="E"), signer, cert)
    before = counts(ctx)
    with pytest.raises(CreditInvalid) as caught:
        import_reports(ctx, [good, tampered, unsigned, foreign, unknown, ungraded, good], actor="zone-office")
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("CRD-TP-SIGNATURE", "reports[1].signature.value"),
        ("CRD-TP-UNSIGNED", "reports[2].signature"),
        ("CRD-TP-CERT-UNTRUSTED", "reports[3].signature.certificate"),
        ("CRD-TP-AGENCY", "reports[4].agency"),
        ("CRD-GRADE", "reports[5].grade"),
        ("CRD-TP-DUPLICATE", "reports[6].report_no"),
    ]
    assert counts(ctx) == before
    import_reports(ctx, [good], actor="zone-office")
    with pytest.raises(CreditInvalid) as again:
        import_reports(ctx, [good], actor="zone-office")
    assert [p.rule_id for p in again.value.problems] == ["CRD-TP-DUPLICATE"]


def test_an_agency_officer_may_not_import(office: Office) -> None:
    ctx, signer, cert = office
    with pytest.raises(CreditForbidden) as caught:
        import_reports(ctx, [signed(report("R-1"), signer, cert)], actor="customs-1", sources=frozenset({"customs"}))
    assert [p.rule_id for p in caught.value.problems] == ["CRD-SOURCE-SCOPE"]


def test_a_review_keeps_or_withdraws_the_report_with_a_note(office: Office) -> None:
    ctx, signer, cert = office
    serious_penalty(ctx)
    serious_penalty(ctx, BETA)
    import_reports(
        ctx,
        [signed(report("R-1"), signer, cert), signed(report("R-2", subject=BETA), signer, cert)],
        actor="zone-office",
    )
    first, second = list_reviews(ctx, status="open")
    with pytest.raises(CreditInvalid) as caught:
        decide_review(ctx, first.id, DecisionIn(action="keep"), actor="officer-1")
    assert [p.rule_id for p in caught.value.problems] == ["CRD-DECISION-NOTE"]
    kept = decide_review(ctx, first.id, DecisionIn(action="keep", note="机构已说明依据"), actor="officer-1")
    assert (kept.status, kept.decision, kept.decided_by) == ("closed", "keep", "officer-1")
    with pytest.raises(CreditConflict):
        decide_review(ctx, first.id, DecisionIn(action="withdraw", note="again"), actor="officer-1")
    assert show_subject(ctx, BETA).score == 65
    withdrawn = decide_review(ctx, second.id, DecisionIn(action="withdraw", note="评价依据不足"), actor="officer-2")
    assert withdrawn.decision == "withdraw"
    rating = show_subject(ctx, BETA)
    assert (rating.score, [c.fact_type for c in rating.contributions]) == (60, ["penalty"])
    assert show_subject(ctx, ACME).score == 65
    assert [r.status for r in list_reviews(ctx)] == ["closed", "closed"]
    shared = [(change, subject) for change, subject, _ in credit_events(ctx) if change.startswith("thirdparty_")]
    assert shared == [
        ("thirdparty_recorded", ACME),
        ("thirdparty_recorded", BETA),
        ("thirdparty_kept", ACME),
        ("thirdparty_withdrawn", BETA),
    ]


def ruleset(version: str, effective_from: str, **changes: Any) -> dict[str, Any]:
    doc = json.loads(json.dumps(next(v for k, v in shipped_documents() if k == ConfigKind.RULESET)))
    doc.update(version=version, effective_from=effective_from, **changes)
    return doc


def test_a_ruleset_is_dry_run_when_proposed_and_published_by_another_account(ctx: Context, clock: FixedClock) -> None:
    seed_configuration(ctx)
    serious_penalty(ctx)
    stricter = ruleset(
        "2",
        "2026-03-10",
        thresholds=[{"level": "A", "min_score": 95}, {"level": "B", "min_score": 80}, {"level": "C", "min_score": 65}],
    )
    proposal = propose_ruleset(ctx, stricter, actor="alice:key1", account=7)
    assert (proposal.status, proposal.ruleset, proposal.dry_run["distribution"]) == (
        "pending",
        "zone@2",
        {"A": 0, "B": 0, "C": 0, "D": 1},
    )
    assert [(m["subject"], m["before"], m["after"]) for m in proposal.dry_run["movers"]] == [(ACME, None, "D")]
    assert dry_run_proposal(ctx, proposal.id, actor="bob").distribution == {"A": 0, "B": 0, "C": 0, "D": 1}
    for name in ("alice:key1", "alice:key2"):  # the same account under another key is the same officer
        with pytest.raises(CreditForbidden) as caught:
            decide_ruleset(ctx, proposal.id, DecisionIn(action="publish"), actor=name, account=7)
        assert [p.rule_id for p in caught.value.problems] == ["CRD-MAKER-CHECKER"]
    with ctx.uow() as uow:
        assert configuration(uow.session).ruleset_on(date(2026, 3, 10)).version == "1"
    published = decide_ruleset(ctx, proposal.id, DecisionIn(action="publish"), actor="bob:key9", account=8)
    assert (published.status, published.decided_by) == ("published", "bob:key9")
    with ctx.uow() as uow:
        assert configuration(uow.session).ruleset_on(date(2026, 3, 10)).version == "2"
    assert show_subject(ctx, ACME, on=date(2026, 3, 10)).ruleset == "zone@2"
    assert zone_method(ctx, on=date(2026, 3, 10))["ruleset"] == "zone@2"
    assert [p.status for p in list_ruleset_proposals(ctx)] == ["published"]


def test_a_ruleset_proposal_is_refused_in_the_past_or_twice(ctx: Context) -> None:
    seed_configuration(ctx)
    with pytest.raises(CreditInvalid) as caught:
        propose_ruleset(ctx, ruleset("2", "2026-03-01"), actor="alice", account=7)
    assert [p.rule_id for p in caught.value.problems] == ["CRD-RULESET-PAST"]
    with pytest.raises(CreditConflict) as taken:
        propose_ruleset(ctx, ruleset("1", "2026-03-02"), actor="alice", account=7)
    assert [p.rule_id for p in taken.value.problems] == ["CRD-RULESET-VERSION"]
    proposal = propose_ruleset(ctx, ruleset("3", "2026-03-02"), actor="alice", account=7)
    with pytest.raises(CreditInvalid) as note:
        decide_ruleset(ctx, proposal.id, DecisionIn(action="reject"), actor="bob", account=8)
    assert [p.rule_id for p in note.value.problems] == ["CRD-DECISION-NOTE"]
    rejected = decide_ruleset(ctx, proposal.id, DecisionIn(action="reject", note="阈值过严"), actor="bob", account=8)
    assert (rejected.status, rejected.decision_note) == ("rejected", "阈值过严")


def test_one_officer_with_two_api_keys_cannot_self_approve_an_override(ctx: Context) -> None:
    seed_configuration(ctx)
    serious_penalty(ctx)
    request = propose_override(
        ctx,
        OverrideRequestIn(subject=ACME, level="B", reason="整改到位", until=date(2026, 6, 1)),
        actor="alice:k1",
        account=7,
    )
    with pytest.raises(CreditForbidden) as caught:
        decide_override(ctx, request.id, DecisionIn(action="approve"), actor="alice:k2", account=7)
    assert [p.rule_id for p in caught.value.problems] == ["CRD-MAKER-CHECKER"]
    approved = decide_override(ctx, request.id, DecisionIn(action="approve"), actor="bob:k1", account=8)
    assert approved.status == "approved"
