"""Decisions written straight to ``risk_decision`` (as the consumer would), for exact disposal and review tests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

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
