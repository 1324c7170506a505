"""The demo's self-check (演示自检): where every planned order ended up, against where it should have."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from cbec.clearance.codes import QUOTA_HOLDING
from cbec.clearance.views import InventorySummary
from cbec.demo.plan import DayPlan, Fault, Outcome, PlannedOrder, Scenario
from cbec.demo.wire import Wire
from cbec.demo.zone import BY_KEY

REFUSED_STATUSES = frozenset({"100"})
HELD_STATUSES = frozenset({"300", "500"})


@dataclass(frozen=True, slots=True)
class OrderResult:
    """Where one planned order ended up."""

    order: PlannedOrder
    outcome: Outcome | None  # None: nowhere the demo understands
    status: str  # the subject document's latest receipt status
    rule_ids: tuple[str, ...]  # every rule id raised on the order's documents
    hints: tuple[str, ...]
    summary: InventorySummary | None

    @property
    def ok(self) -> bool:
        """Tell whether the order ended where the plan said, for the reason the plan said."""
        if self.outcome != self.order.expected_outcome:
            return False
        expectation = self.order.expectation
        return expectation is None or expectation.rule_id in self.rule_ids


@dataclass(slots=True)
class DemoReport:
    """Counts, taxes, the fault table and every failed expectation of one demo run."""

    business_day: str
    orders: int
    buyers: int
    messages: int = 0
    documents: int = 0
    receipts: int = 0
    tax_bills: int = 0
    envelopes: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_outcome: Counter[str] = field(default_factory=Counter)
    total_tax: Decimal = Decimal(0)
    total_dutiable: Decimal = Decimal(0)
    results: list[OrderResult] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    ledger_used: Decimal | None = None
    ledger_counted: Decimal | None = None
    timings: dict[str, float] = field(default_factory=dict)
    quota_example: tuple[str, str] | None = None  # (name, ID number) of a buyer worth looking up
    waiting_return: int | None = None  # id of a return whose goods are not back yet (`clearance return-arrived`)
    flows_example: tuple[str, str] | None = None  # (platform code, order number) for `clearance flows`
    notes: list[str] = field(default_factory=list)

    @property
    def faults(self) -> list[OrderResult]:
        """Return the results of the faulty orders."""
        return [r for r in self.results if r.order.fault is not None]

    @property
    def ok(self) -> bool:
        """Tell whether every order ended where the plan said."""
        return not self.failures


def classify(summary: InventorySummary | None, status: str) -> Outcome | None:
    """Return the outcome an inventory status stands for."""
    if summary is not None and summary.cancelled:
        return Outcome.CANCELLED
    if status == "800":
        return Outcome.RELEASED
    if status in HELD_STATUSES:
        return Outcome.HELD
    if status in REFUSED_STATUSES or status.startswith("-"):
        return Outcome.REFUSED
    if status == "2":
        return Outcome.WAITING
    return None


def evaluate(
    plan: DayPlan,
    wire: Wire,
    summaries: dict[str, list[InventorySummary]],
    returned: dict[str, str],
    report: DemoReport,
) -> DemoReport:
    """Fill the report with the outcome of every planned order and the failed expectations."""
    for order in plan.orders:
        result = _result(order, wire, summaries, returned)
        report.results.append(result)
        report.by_outcome[str(result.outcome or "unknown")] += 1
        if not result.ok:
            expected = order.expectation.rule_id if order.expectation else "-"
            report.failures.append(
                f"{order.order_no} ({order.fault or order.scenario or 'valid'}): expected "
                f"{order.expected_outcome} by {expected}, got {result.outcome or 'status ' + result.status} "
                f"with {', '.join(result.rule_ids) or 'no rule'}"
            )
    for rows in summaries.values():
        for summary in rows:
            report.by_status[summary.status + (" cancelled" if summary.cancelled else "")] += 1
            if summary.status == "800" and not summary.cancelled:
                report.total_tax += sum(
                    (x or Decimal(0) for x in (summary.customs_duty, summary.vat, summary.consumption_tax)), Decimal(0)
                )
            if summary.status in QUOTA_HOLDING and not summary.cancelled:
                report.total_dutiable += summary.dutiable_value or Decimal(0)
    return report


def _result(
    order: PlannedOrder, wire: Wire, summaries: dict[str, list[InventorySummary]], returned: dict[str, str]
) -> OrderResult:
    """Find the final state of one order from the stored inventory and the intake outcomes."""
    docs = [
        ("order", f"{BY_KEY['platform'].customs_code}/{order.order_no}"),
        ("payment", f"{BY_KEY['payment'].customs_code}/P{order.order_no}"),
        ("waybill", f"{BY_KEY['logistics'].customs_code}/{order.logistics_no}"),
    ]
    rule_ids: list[str] = []
    hints: list[str] = []
    if order.fault == Fault.DUPLICATE_ORDER:
        duplicate = wire.outcome("order", docs[0][1])
        status = duplicate.status if duplicate else "?"
        for p in duplicate.problems if duplicate else []:
            rule_ids.append(p.rule_id)
            hints.append(p.hint)
        return OrderResult(
            order, classify(None, status) if duplicate else None, status, tuple(rule_ids), tuple(hints), None
        )
    for kind, key in docs:
        found = wire.outcome(kind, key)
        for p in found.problems if found else []:
            rule_ids.append(p.rule_id)
            hints.append(p.hint)
    mine = [s for s in summaries.get(order.order_no, []) if s.logistics_no == order.logistics_no]
    summary = max(mine, key=lambda s: s.id) if mine else None
    if summary is not None:
        status = summary.status
        for stored in summary.problems:
            rule_ids.append(str(stored.get("rule_id")))
            hints.append(str(stored.get("hint", "")))
        if status in HELD_STATUSES and "阈值" in summary.status_info:
            rule_ids.append("REVIEW-VALUE")
        if status == "2" and summary.waiting_for and "payment" in summary.waiting_for:
            rule_ids.append("WAITING-PAYMENT")
    else:
        intake = wire.outcome("inventory", f"{BY_KEY[order.shop].customs_code}/{order.order_no}")
        status = intake.status if intake else "?"
        for p in intake.problems if intake else []:
            rule_ids.append(p.rule_id)
            hints.append(p.hint)
    outcome = classify(summary, status)
    if outcome == Outcome.RELEASED and order.scenario == Scenario.PARTIAL_RETURN:
        outcome = Outcome.RETURNED if returned.get(order.order_no) == "completed" else outcome
    unique = tuple(dict.fromkeys(rule_ids))
    return OrderResult(order, outcome, status, unique, tuple(dict.fromkeys(h for h in hints if h)), summary)
