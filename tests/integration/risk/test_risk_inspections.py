"""R7.2 (quality): an e-commerce enterprise's failed inspections over 12 months count in its later decisions (rule
Q4, since ruleset 2026.4), read from the ``inspection`` event; a passed inspection counts nothing."""

from __future__ import annotations

from sqlalchemy import select
from tests.builders import BUYER, OTHER_BUYER, PARTIES
from tests.e2e.test_risk_conditions import declare
from tests.zone import Zone

from cbec.clearance.service import decide_held_inventory
from cbec.risk.conditions import ConditionCreate, place_condition
from cbec.risk.models import RiskDecision
from cbec.risk.service import apply_events


def _q4(zone: Zone, order_no: str) -> dict[str, object]:
    with zone.ctx.uow() as uow:
        decision = uow.session.scalars(select(RiskDecision).where(RiskDecision.order_no == order_no)).one()
        [rule] = [r for r in decision.trace["rules"] if r["rule"] == "Q4"]
        return {"status": rule["status"], "weight": rule["weight"], "value": rule["value"]}


def test_failed_inspections_count_against_the_enterprise_in_its_later_decisions(zone: Zone) -> None:
    ctx = zone.ctx
    key = ctx.cipher.blind_index(BUYER.id_number)
    place_condition(  # the buyer's inventories are held, so that an officer can send them to inspection
        ctx, ConditionCreate(subject_kind="buyer", subject_key=key, kind="block", reason="抽查"), actor="officer"
    )
    first = declare(zone, "ORD20260302000981")
    apply_events(ctx)
    assert _q4(zone, "ORD20260302000981") == {"status": "no_band", "weight": 0, "value": "0"}
    held = [declare(zone, f"ORD2026030200098{n}") for n in (2, 3, 4)]
    for inventory in held:
        decide_held_inventory(ctx, inventory.inventory_no, action="inspect", actor="officer", comment="查验")
    decide_held_inventory(ctx, held[0].inventory_no, action="refuse", actor="officer", comment="货证不符")
    decide_held_inventory(ctx, held[1].inventory_no, action="release", actor="officer", comment="查验无误")
    apply_events(ctx)
    declare(zone, "ORD20260302000985", buyer=OTHER_BUYER)  # the same e-commerce enterprise, another buyer
    apply_events(ctx)
    assert _q4(zone, "ORD20260302000985") == {"status": "fired", "weight": 15, "value": "1"}  # one failed
    decide_held_inventory(ctx, held[2].inventory_no, action="refuse", actor="officer", comment="货证不符")
    apply_events(ctx)
    declare(zone, "ORD20260302000986", buyer=OTHER_BUYER)
    apply_events(ctx)
    assert _q4(zone, "ORD20260302000986") == {"status": "fired", "weight": 15, "value": "2"}
    assert first.ecommerce_code == PARTIES.ecommerce.code
