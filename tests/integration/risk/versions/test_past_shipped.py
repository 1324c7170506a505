"""A decision made under the earlier shipped ruleset (2026.1) replays to its score after the upgrade to 2026.2, even
where no version row holds 2026.1 (the earlier document ships byte for byte)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources

from cbec.risk.models import RiskDecision
from cbec.risk.rules import evaluate, parse_ruleset, shipped_ruleset
from cbec.risk.service import replay_decision, trace_of
from cbec.risk.versions import ruleset_of_digest
from cbec.risk.versions.models import RiskRulesetVersion
from cbec.storage.context import Context

OLD = parse_ruleset(resources.files("cbec.risk").joinpath("data/ruleset-2026.1.json").read_text(encoding="utf-8"))


def test_a_2026_1_decision_replays_through_the_kept_document(ctx: Context) -> None:
    assert (OLD.version, shipped_ruleset().version, len(OLD.rules)) == ("2026.1", "2026.2", 14)
    inputs: dict[str, Decimal | None] = {name: Decimal(0) for rule in OLD.rules for name in rule.inputs}
    inputs.update({"phone.buyers.30d": Decimal(6), "address.buyers.30d": Decimal(10), "doc.payer_differs": None})
    assessment = evaluate(OLD, inputs)
    assert assessment.score == 110  # fake orders: F1 40 (6 buyers a phone) + F2 70 (10 an address)
    with ctx.uow() as uow:
        assert uow.session.query(RiskRulesetVersion).count() == 0  # no version row holds 2026.1
        found = ruleset_of_digest(uow.session, OLD.sha256)
        uow.session.add(
            RiskDecision(
                eport_no="E2026100000000001",
                order_no="O1",
                inventory_no=None,
                tenant=None,
                parties=["P1"],
                business_day=date(2026, 3, 2),
                ruleset_version=OLD.version,
                ruleset_sha256=OLD.sha256,
                score=assessment.score,
                band=assessment.band.value,
                typology="fake_order",
                expected_revenue=Decimal(0),
                subjects={},
                trace=trace_of(assessment, OLD),
                event_position=0,
                decided_at=ctx.clock.now(),
            )
        )
        uow.commit()
    assert found is not None and (found.version, found.sha256) == ("2026.1", OLD.sha256)
    assert replay_decision(ctx, "E2026100000000001") == (110, 110)
