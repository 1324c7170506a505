"""Decisions written straight to ``risk_decision`` (as the consumer would), for exact disposal and review tests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from cbec.risk.cases import ActionCreate, act, gather, list_cases
from cbec.risk.models import RiskDecision
from cbec.risk.rules import shipped_ruleset
from cbec.storage.context import Context

SUBJECTS = {"buyer": "b" * 16, "phone": "f" * 16, "address": "a" * 16, "enterprise": "4601960001", "platform": "P1"}


def decide(
    ctx: Context,
    eport_no: str,
    alerts: list[tuple[str, int, str, list[str]]],
    *,
    day: date,
    at: datetime,
    subjects: dict[str, str] | None = None,
    tenant: str | None = "hub",
) -> int:
    """Store a decision whose trace has the given (typology, score, band, fired rules); return its id."""
    rules = [
        {"rule": rule, "typology": typology, "status": "fired", "weight": 10, "value": "1", "band": ["1", None]}
        for typology, _, _, fired in alerts
        for rule in fired
    ]
    top = max(alerts, key=lambda a: a[1])
    with ctx.uow() as uow:
        row = RiskDecision(
            eport_no=eport_no,
            order_no=f"O{eport_no}",
            inventory_no=f"I{eport_no}"[:20],
            tenant=tenant,
            parties=["P1"],
            business_day=day,
            ruleset_version=shipped_ruleset().version,
            ruleset_sha256="0" * 64,
            score=top[1],
            band=top[2],
            typology=top[0],
            expected_revenue=Decimal(0),
            subjects=subjects or SUBJECTS,
            trace={
                "ruleset": shipped_ruleset().version,
                "sha256": "0" * 64,
                "inputs": {},
                "rules": rules,
                "typologies": [{"typology": t, "score": s, "band": b} for t, s, b, _ in alerts],
            },
            event_position=0,
            decided_at=at,
        )
        uow.session.add(row)
        uow.session.flush()
        found = row.id
        uow.commit()
    return found


def plant_labelled_alerts(ctx: Context, actor: str) -> None:
    """Decide four buyers' inventories (S1 ×3, S2 ×2, F1 ×1 alerts in ISO weeks 9 and 10), file them, and close three
    of the four buyers' cases as confirmed, false positive and valuable: the review's per-rule precision is exact.
    """
    now = ctx.clock.now()
    buyers = [{**SUBJECTS, "buyer": f"{n}" * 16, "phone": f"{n}" * 16} for n in range(1, 5)]
    decide(
        ctx, "E1", [("order_splitting", 45, "review", ["S1", "S2"])], day=date(2026, 2, 27), at=now, subjects=buyers[0]
    )
    decide(ctx, "E2", [("order_splitting", 40, "review", ["S1"])], day=date(2026, 3, 2), at=now, subjects=buyers[1])
    decide(ctx, "E3", [("order_splitting", 40, "review", ["S1"])], day=date(2026, 3, 2), at=now, subjects=buyers[2])
    decide(
        ctx,
        "E4",
        [("fake_order", 40, "review", ["F1"]), ("order_splitting", 40, "review", ["S2"])],
        day=date(2026, 3, 3),
        at=now,
        subjects=buyers[3],
    )
    gather(ctx)
    by_key = {c.pivot_key: c.id for c in list_cases(ctx, state=None, limit=100)[0]}
    for n, outcome in ((1, "confirmed"), (2, "false_positive"), (3, "valuable")):
        act(ctx, by_key[f"{n}" * 16], ActionCreate(kind="close", outcome=outcome), actor=actor)
