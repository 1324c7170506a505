"""Non-genuine export trade (非真实贸易出口, six-systems T5 R5.3 / R5.4), read from the event catalogue.

Risk never imports ``cbec.exports``: the consumer keeps ``risk_export`` — one row per export order — from the
events it already reads: the export inventory's data event (trade mode, declared value = Σ line totals + freight
when the freight is in the goods' currency, declared day), its release receipt (800 / 899: released day) and the
receipt of payment's data event (收款单 CEB403: charge and currency). Only **9610 and 9710** exports are
assessed; **9810 never** (SAFE allows its proceeds to differ and to be netted), nor 1210.

* **R5.3** — when an export has both its declared value and its receipt of payment, the ratio charge / declared
  value (same currency; else None, insufficient) is its ``doc.receipt_ratio``; above ``receipt_ratio`` (1.1) the
  export counts in its enterprise's ``export_excess`` on its declared day, and the decision reads the 30-day sum
  (rule X1: the third such export in 30 days).
* **R5.4** — ``sweep_exports`` finds exports released at least ``receipt_days`` (30) days ago without a receipt of
  payment; each counts in ``export_unreceived`` and is assessed with ``doc.receipt_missing`` 1 (rule X2).

Each export is decided once (``risk_decision.eport_no`` is unique), with the full trace like an import, by a
ruleset whose rules read ``doc.export`` (2026.3, the shipped ``data/ruleset.json``); an older ruleset keeps the rows
but decides no export. Exports are released before risk decides them: alerts, no hold (post-release audit).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbec.common.clock import business_date
from cbec.facts import Direction
from cbec.facts.queries import inventory_lines
from cbec.risk import repository as repo
from cbec.risk.models import RiskDecision, RiskExport, decision_of
from cbec.risk.rules import Ruleset, SubjectKind, evaluate
from cbec.risk.schemas import ExportSweepReport
from cbec.sharing.catalogue import AnyEvent, DataEvent, ReceiptEvent
from cbec.storage.context import Context

ASSESSED_MODES = frozenset({"9610", "9710"})  # never 9810 (netting allowed), nor 1210
RELEASED = frozenset({"800", "899"})
KINDS = frozenset({"export_inventory", "export_payment_receipt"})


def reads_exports(ruleset: Ruleset) -> bool:
    """Tell whether a ruleset decides exports (a rule or guard reads ``doc.export``)."""
    return any("doc.export" in rule.inputs for rule in ruleset.rules)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _row(session: Session, code: str, order_no: str, position: int) -> RiskExport:
    row = session.get(RiskExport, (code, order_no))
    if row is None:
        row = RiskExport(ecommerce_code=code, order_no=order_no, parties=[], position=position)
        session.add(row)
    row.position = position
    return row


def remember(session: Session, event: AnyEvent) -> RiskExport | None:
    """Keep what an export event tells (declared value, release, receipt); return the row it changed, if any."""
    if isinstance(event, DataEvent) and event.payload.document_kind in KINDS:
        doc = event.payload.document
        code, order_no = str(doc.get("ecommerce_code") or ""), str(doc.get("order_no") or "")
        if not code or not order_no:
            return None
        row = _row(session, code, order_no, event.position)
        if event.payload.document_kind == "export_payment_receipt":
            row.received, row.received_currency = _decimal(doc.get("amount")), str(doc.get("currency") or "")
            return row
        lines = doc.get("lines") or []
        currencies = {str(line.get("currency")) for line in lines}
        goods = sum((_decimal(line.get("total_price")) or Decimal(0) for line in lines), Decimal(0))
        freight = _decimal(doc.get("freight")) or Decimal(0)
        currency = currencies.pop() if len(currencies) == 1 else None
        row.eport_no = event.business_key.removeprefix("export-inventory:")
        row.mode = str(doc.get("trade_mode") or "")
        row.currency = currency
        row.declared = goods + (freight if doc.get("freight_currency") == currency else Decimal(0))
        row.declared_on = date.fromisoformat(str(doc["export_date"])) if doc.get("export_date") else None
        row.parties = sorted(
            {str(doc.get(k)) for k in ("platform_code", "ecommerce_code", "logistics_code", "agent_code") if doc.get(k)}
        )
        return row
    if (
        isinstance(event, ReceiptEvent)
        and event.payload.document_kind == "export_inventory"
        and event.payload.status in RELEASED
    ):
        keys = event.payload.keys
        known = session.get(RiskExport, (str(keys.get("ecommerce_code") or ""), str(keys.get("order_no") or "")))
        if known is not None and known.released_on is None:
            known.released_on = business_date(event.payload.returned_at)
            known.inventory_no = str(keys.get("inventory_no") or "") or known.inventory_no
            known.position = event.position
        return known
    return None


def ratio(row: RiskExport) -> Decimal | None:
    """Return the receipt of payment over the declared value (None: either missing, or in another currency)."""
    if row.received is None or not row.declared or row.currency != row.received_currency:
        return None
    return (row.received / row.declared).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def ready(row: RiskExport) -> bool:
    """Tell whether an export can be assessed for R5.3 (declared, received, a mode that is assessed)."""
    return (
        row.eport_no is not None
        and row.declared is not None
        and row.received is not None
        and (row.mode in ASSESSED_MODES)
    )


def assess_export(
    session: Session, row: RiskExport, ruleset: Ruleset, *, now: datetime, missing: bool = False
) -> RiskDecision | None:
    """Count an export and decide it once (R5.3 with its receipt, R5.4 when ``missing``); None if decided already."""
    if row.eport_no is None or row.mode not in ASSESSED_MODES or repo.decided(session, row.eport_no):
        return None
    day = row.declared_on or business_date(now)
    code = row.ecommerce_code
    found = ratio(row)
    if missing:
        repo.add(session, SubjectKind.ENTERPRISE, code, "export_unreceived", day, 1)
    elif found is not None and found > ruleset.parameter("receipt_ratio"):
        repo.add(session, SubjectKind.ENTERPRISE, code, "export_excess", day, 1)
    session.flush()
    inputs = repo.windows(session, ruleset.counters(), {SubjectKind.ENTERPRISE: code}, day)
    inputs.update(
        {
            "doc.export": Decimal(1),
            "doc.receipt_ratio": None if missing else found,
            "doc.receipt_missing": Decimal(int(missing)),
        }
    )
    assessment = evaluate(ruleset, inputs)
    facts = inventory_lines(session, Direction.EXPORT, row.eport_no)
    decision = decision_of(
        assessment,
        ruleset,
        eport_no=row.eport_no,
        order_no=row.order_no,
        inventory_no=row.inventory_no or (facts[0].inventory_no if facts else None),
        tenant=facts[0].tenant if facts else None,
        parties=row.parties,
        business_day=day,
        subjects={SubjectKind.ENTERPRISE.value: code},
        event_position=row.position,
        decided_at=now,
    )
    session.add(decision)
    session.flush()
    return decision


def sweep_exports(ctx: Context, *, ruleset: Ruleset | None = None, days: int | None = None) -> ExportSweepReport:
    """Assess every 9610/9710 export released ``days`` (the ruleset's ``receipt_days``) or more days ago that has
    no receipt of payment and no decision yet (R5.4), in one transaction; then file the alerts into cases."""
    from cbec.risk.cases.filing import gather
    from cbec.risk.versions import consumer_rulesets

    rules = ruleset or consumer_rulesets(ctx)[0]
    wait = days if days is not None else int(rules.parameters.get("receipt_days", Decimal(30)))
    now = ctx.clock.now()
    until = business_date(now) - timedelta(days=wait)
    assessed = alerts = 0
    with ctx.uow() as uow:
        session = uow.session
        if reads_exports(rules):
            stmt = select(RiskExport).where(
                RiskExport.released_on <= until,
                RiskExport.received.is_(None),
                RiskExport.mode.in_(sorted(ASSESSED_MODES)),
            )
            for row in session.scalars(stmt.order_by(RiskExport.declared_on, RiskExport.order_no)):
                decision = assess_export(session, row, rules, now=now, missing=True)
                if decision is not None:
                    assessed += 1
                    alerts += int(decision.band != "none")
        uow.commit()
    gather(ctx)
    return ExportSweepReport(released_until=until, assessed=assessed, alerts=alerts, ruleset_version=rules.version)
