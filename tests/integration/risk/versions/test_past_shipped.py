"""A decision made under an earlier shipped ruleset (2026.1, 2026.2) replays to its score after the upgrade to the
current one, even where no version row holds it (the earlier documents ship byte for byte)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources

from cbec.risk.models import RiskDecision
from cbec.risk.rules import Assessment, Ruleset, Typology, evaluate, parse_ruleset, shipped_ruleset
from cbec.risk.service import replay_decision, trace_of
from cbec.risk.versions import ruleset_of_digest
from cbec.risk.versions.models import RiskRulesetVersion
from cbec.storage.context import Context

OLD = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.1.json").read_text(encoding="utf-8"))
SECOND = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.2.json").read_text(encoding="utf-8"))


def stored(
    ctx: Context,
    eport_no: str,
    order_no: str,
    ruleset: Ruleset,
    assessment: Assessment,
    typology: str,
    day: date,
    *,
    revenue: Decimal = Decimal(0),
) -> RiskDecision:
    """Return a decision of an earlier ruleset as the consumer stored it (its trace and the ruleset's digest)."""
    return RiskDecision(
        eport_no=eport_no,
        order_no=order_no,
        inventory_no=None,
        tenant=None,
        parties=["P1"],
        business_day=day,
        ruleset_version=ruleset.version,
        ruleset_sha256=ruleset.sha256,
        score=assessment.score,
        band=assessment.band.value,
        typology=typology,
        expected_revenue=revenue,
        subjects={},
        trace=trace_of(assessment, ruleset),
        event_position=0,
        decided_at=ctx.clock.now(),
    )


def test_a_2026_1_decision_replays_through_the_kept_document(ctx: Context) -> None:
    assert (OLD.version, SECOND.version, shipped_ruleset().version, len(OLD.rules)) == (
        "2026.1",
        "2026.2",
        "2026.6",
        14,
    )
    inputs: dict[str, Decimal | None] = {name: Decimal(0) for rule in OLD.rules for name in rule.inputs}
    inputs.update({"phone.buyers.30d": Decimal(6), "address.buyers.30d": Decimal(10), "doc.payer_differs": None})
    assessment = evaluate(OLD, inputs)
    assert assessment.score == 110  # fake orders: F1 40 (6 buyers a phone) + F2 70 (10 an address)
    with ctx.uow() as uow:
        assert uow.session.query(RiskRulesetVersion).count() == 0  # no version row holds 2026.1
        found = ruleset_of_digest(uow.session, OLD.sha256)
        uow.session.add(stored(ctx, "E2026100000000001", "O1", OLD, assessment, "fake_order", date(2026, 3, 2)))
        uow.commit()
    assert found is not None and (found.version, found.sha256) == ("2026.1", OLD.sha256)
    assert replay_decision(ctx, "E2026100000000001") == (110, 110)


def test_a_2026_2_decision_keeps_its_score_where_2026_3_decides_otherwise(ctx: Context) -> None:
    # six IDs on one phone, each paying for themself: 2026.2 called it ID misuse too (I1 50), 2026.3 does not
    inputs: dict[str, Decimal | None] = {name: Decimal(0) for rule in SECOND.rules for name in rule.inputs}
    inputs.update({"phone.buyers.30d": Decimal(6)})
    assessment = evaluate(SECOND, inputs)
    assert (assessment.score, assessment.top) == (50, Typology.ID_MISUSE)
    assert evaluate(shipped_ruleset(), inputs).score == 40  # F1 alone: fake orders
    with ctx.uow() as uow:
        assert ruleset_of_digest(uow.session, SECOND.sha256) is not None
        uow.session.add(stored(ctx, "E2026100000000002", "O2", SECOND, assessment, "id_misuse", date(2026, 11, 2)))
        uow.commit()
    assert replay_decision(ctx, "E2026100000000002") == (50, 50)


THIRD = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.3.json").read_text(encoding="utf-8"))


def test_a_2026_3_under_valuation_alert_replays_where_2026_4_asks_for_p_illicit(ctx: Context) -> None:
    # z −4 and half the median: 2026.3 gave 60 (review); 2026.4 gives 25 unless P(illicit) ≥ 0.5 as well
    inputs: dict[str, Decimal | None] = {name: Decimal(0) for rule in THIRD.rules for name in rule.inputs}
    inputs.update({"doc.robust_z_min": Decimal(-4), "doc.value_ratio_min": Decimal("0.45")})
    assessment = evaluate(THIRD, inputs)
    assert (assessment.score, assessment.top) == (60, Typology.UNDERVALUATION)
    assert evaluate(shipped_ruleset(), {**inputs, "doc.illicit_chance": Decimal("0.39")}).score == 25
    with ctx.uow() as uow:
        assert ruleset_of_digest(uow.session, THIRD.sha256) is not None
        uow.session.add(
            stored(
                ctx,
                "E2026100000000003",
                "O3",
                THIRD,
                assessment,
                "undervaluation",
                date(2026, 12, 2),
                revenue=Decimal("3.93"),
            )
        )
        uow.commit()
    assert replay_decision(ctx, "E2026100000000003") == (60, 60)


FOURTH = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.4.json").read_text(encoding="utf-8"))


def test_a_2026_4_decision_replays_where_2026_5_sees_the_platform_s_bunched_week(ctx: Context) -> None:
    # three near-limit inventories of the buyer in 30 days (S1 20) on a platform whose week bunches (B 3.8, z 11.2):
    # 2026.4 had no R1.5 and gave 20; 2026.6 adds S7's 40 (60, review)
    inputs: dict[str, Decimal | None] = {name: Decimal(0) for rule in FOURTH.rules for name in rule.inputs}
    inputs.update({"buyer.near_limit.30d": Decimal(3), "doc.near_limit": Decimal(1)})
    bunched = {"doc.platform_bunching": Decimal("3.8"), "doc.platform_bunching_z": Decimal("11.2")}
    assessment = evaluate(FOURTH, {**inputs, **bunched})
    assert (assessment.score, assessment.band.value) == (20, "none")
    assert (evaluate(shipped_ruleset(), {**inputs, **bunched}).score, FOURTH.version) == (60, "2026.4")
    with ctx.uow() as uow:
        found = ruleset_of_digest(uow.session, FOURTH.sha256)
        assert found is not None and found.version == "2026.4"
        uow.session.add(
            stored(ctx, "E2026100000000004", "O4", FOURTH, assessment, "order_splitting", date(2026, 12, 7))
        )
        uow.commit()
    assert replay_decision(ctx, "E2026100000000004") == (20, 20)
