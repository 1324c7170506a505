"""Credit facts from the platform's own events (平台自有信用信息), through the in-process consumer API.

The credit system never imports the clearance pipeline: it reads the outbox through
``cbec.sharing.consumers.consume(ctx, "credit", handler)``, exactly once per event, in the consumer's transaction.

* ``filing`` events make (or complete) the enterprise's subject: credit code, customs code, name, tenant.
* ``receipt`` events of an import inventory with status 100 (海关退单, refused) count against the inventory's
  e-commerce enterprise: one light negative fact (``platform_refusals``, minor) per enterprise per business day
  (Asia/Shanghai), its quantity the number of distinct inventories refused that day. A second refusal on the same
  day appends a new row superseding the first (nothing is updated); an inventory already counted that day is not
  counted again, so a rewind and replay changes nothing.

* ``receipt`` events of a **return** (CEB626) with status 399 (the return concluded: the goods came back and the
  quota was restored) count the same way: one ``platform_returns`` fact (minor) per e-commerce enterprise per
  business day, its quantity the distinct inventories returned that day.

* ``risk`` events with change ``report_credit_done`` (an officer reported a risk case to credit, docs/risk.md) whose
  pivot is an enterprise or a platform (a code) become one ``risk_case`` fact (general, source ``platform``) about
  it, its document number ``RISK-<case>-<action>``: recorded once per disposal action, so a replay adds nothing.
  Credit reads the event's data only (it never imports risk). A buyer, phone or address pivot is a person's or a
  ring's pseudonymous key, not a credit subject: such events are passed over.
* ``report`` events (a consumer's misuse report the zone office confirmed: the purchase was not the consumer's,
  their ID was misused; cbec.statistics) become one ``consumer_report`` fact (minor, source ``platform``) about the
  inventory's e-commerce enterprise, its document number the report's reference (CR…): once per report.
* ``overdue`` events of obligation ``export_summary`` (an export month not summarised by the 15th of the next
  month, 海关总署公告2018年第194号; cbec.exports.service.overdue) become one ``platform_late_summaries`` fact (minor)
  about the enterprise per (enterprise, month), decided the day after the due day, its document number
  ``LATE-SUMMARY-<code>-<YYYY-MM>``.
* ``inspection`` events with outcome ``failed`` (an officer refused an inventory under inspection, 500 → 100)
  become one ``inspection_result`` fact (minor, source ``platform``) about the inventory's e-commerce enterprise,
  document number ``INSPECTION-<E-port no>``. The refusal receipt that follows is then not counted again in the
  day's ``platform_refusals``: one finding, one fact (docs/credit.md). A passed inspection (released after it) is
  not a fact: it is the expected outcome, and counting it would reward being inspected.
* ``data`` events of declarations (import and export: every party they name) are screened against the negative
  lists (``cbec.credit.service.declarations``).

Every fact of a ``report``, ``overdue`` or ``inspection`` event carries a document number and so a dedupe key: a
replay of the events adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from cbec.common.clock import business_date
from cbec.credit import repository as repo
from cbec.credit.models import CreditSubject
from cbec.credit.rules import FactDraft, FactType, Severity, Source, dedupe_key
from cbec.credit.schemas import ConsumeReport
from cbec.credit.schemes import Configuration
from cbec.credit.service.config import configuration, missing
from cbec.credit.service.declarations import DeclarationScreen
from cbec.credit.service.facts import plan_fact, subject_label, write_fact
from cbec.enterprises.lookups import find_by_code
from cbec.sharing.catalogue import (
    AnyEvent,
    DataEvent,
    FilingEvent,
    InspectionEvent,
    OverdueEvent,
    ReceiptEvent,
    ReportEvent,
    RiskEvent,
)
from cbec.sharing.consumers import consume
from cbec.sharing.rules import EventKind
from cbec.storage.context import Context

CONSUMER = "credit"
ACTOR = "credit-consumer"
KINDS = (
    EventKind.FILING,
    EventKind.RECEIPT,
    EventKind.RISK,
    EventKind.DATA,
    EventKind.REPORT,
    EventKind.OVERDUE,
    EventKind.INSPECTION,
)
REFUSED = "100"  # 海关退单 (cbec.clearance.codes.ReturnStatus.REFUSED; read as data, not imported)
RETURNED = "399"  # a return concluded: the goods came back (CEB626 审结, ReturnStatus.CONCLUDED; read as data)
REPORTED = "report_credit_done"  # a risk case reported to credit (cbec.risk.cases: "<kind>_<state>", read as data)
CODE_PIVOTS = ("enterprise", "platform")  # risk's pivots that are enterprise codes (the others are persons' keys)
RISK_BASIS = "综试区风险处置：经确认并报送信用的风险案件 (the zone's risk disposal, docs/risk.md; six-systems.md §2(b))"
CONFIRMED = "confirmed"  # a consumer report's outcome (cbec.statistics.rules.ReportOutcome; read as data)
FAILED = "failed"  # an inspection's outcome (clearance's inspection event; read as data)
EXPORT_SUMMARY = "export_summary"  # the obligation of a late export summary (cbec.exports.service.overdue)
REPORT_BASIS = (
    "综试区消费者举报核实：额度被冒用属实 (the zone office confirmed a consumer's misuse report; docs/credit.md)"
)
INSPECTION_BASIS = "海关查验：查验后人工退单 (an officer refused the inventory after inspection; docs/credit.md)"
LATE_BASIS = (
    "海关总署公告2018年第194号：次月15日前汇总申报 (ceb-messages.md E7 monthly summary; parameter summary_due_day)"
)


class _Handler:
    """Applies events in the consumer's transaction and counts the facts it records."""

    def __init__(self, ctx: Context, now: datetime) -> None:
        self.now = now
        self.recorded = 0
        self._config: Configuration | None = None
        self.screen = DeclarationScreen(ctx, now)

    def config(self, session: Session) -> Configuration:
        if self._config is None:
            self._config = configuration(session)
        return self._config

    def __call__(self, session: Session, event: AnyEvent) -> None:
        if isinstance(event, FilingEvent):
            p = event.payload
            repo.ensure_enterprise(
                session, uscc=p.uscc, customs_code=p.customs_code, name=p.name, tenant=p.tenant, now=self.now
            )
        elif isinstance(event, ReceiptEvent) and (event.payload.document_kind, event.payload.status) == (
            "inventory",
            REFUSED,
        ):
            self.daily(session, event, FactType.PLATFORM_REFUSALS, "海关退单 / refused inventories of the day")
        elif isinstance(event, ReceiptEvent) and (event.payload.document_kind, event.payload.status) == (
            "return",
            RETURNED,
        ):
            self.daily(session, event, FactType.PLATFORM_RETURNS, "退货完成 / returns concluded of the day")
        elif isinstance(event, RiskEvent) and event.payload.change == REPORTED:
            self.risk_case(session, event)
        elif isinstance(event, ReportEvent) and event.payload.outcome == CONFIRMED:
            self.consumer_report(session, event)
        elif isinstance(event, OverdueEvent) and event.payload.obligation == EXPORT_SUMMARY:
            self.late_summary(session, event)
        elif isinstance(event, InspectionEvent) and event.payload.outcome == FAILED:
            self.failed_inspection(session, event)
        elif isinstance(event, DataEvent):
            self.screen(session, event)

    def enterprise(self, session: Session, code: str) -> CreditSubject:
        """Return the subject of an enterprise code, made (and completed from its filing) when new."""
        filed = find_by_code(session, code)
        return repo.ensure_enterprise(
            session,
            uscc=filed.uscc if filed else (code if len(code) == 18 else None),
            customs_code=filed.customs_code if filed else (code if len(code) != 18 else None),
            name=filed.name if filed else None,
            tenant=filed.zone if filed else None,
            now=self.now,
        )

    def once(
        self,
        session: Session,
        code: str,
        fact: tuple[FactType, Severity],
        on: date,
        basis: str,
        document_no: str,
        note: str,
        detail: dict[str, object],
    ) -> None:
        """Record a platform fact with a document number about an enterprise (by its code), from the day ``on``,
        unless it is recorded already (a replay)."""
        fact_type, severity = fact
        draft = FactDraft(
            subject_code=code,
            person_id=None,
            fact_type=fact_type,
            severity=severity,
            source=Source.PLATFORM,
            decided_on=on,
            valid_from=on,
            valid_to=None,
            legal_basis=basis,
            document_no=document_no,
            note=note,
        )
        subject = self.enterprise(session, code)
        key = dedupe_key(draft, subject_label(subject))
        if key is not None and repo.fact_by_dedupe_key(session, key) is not None:
            return
        planned, _ = plan_fact(session, draft, self.config(session))
        if planned is None:
            raise missing("windows")
        write_fact(session, planned, subject, actor=ACTOR, now=self.now, detail=detail)
        self.recorded += 1

    def risk_case(self, session: Session, event: RiskEvent) -> None:
        p = event.payload
        code = p.pivot_key.strip().upper()
        if p.pivot_kind not in CODE_PIVOTS or not code:
            return
        detail = {
            "risk_case": p.case_id,
            "risk_action": p.action_id,
            "typologies": list(p.typologies),
            "inventories": len(p.inventories),
            "last_event": event.position,
        }
        note = f"风险案件 {p.case_id}：{', '.join(p.typologies)} / risk case {p.case_id}"
        fact = (FactType.RISK_CASE, Severity.GENERAL)
        self.once(
            session, code, fact, date.fromisoformat(p.on), RISK_BASIS, f"RISK-{p.case_id}-{p.action_id}", note, detail
        )

    def consumer_report(self, session: Session, event: ReportEvent) -> None:
        """A confirmed consumer report: one fact about the inventory's e-commerce enterprise, once per report."""
        p = event.payload
        code = (p.ecommerce_code or "").strip().upper()
        if not code or not p.reference_no:
            return  # the inventory was not found: there is no enterprise to hold it against
        note = f"消费者举报属实：清单 {p.eport_no} 非本人购买 / confirmed consumer report: ID misused"
        detail = {"report": p.reference_no, "eport_no": p.eport_no, "platform": p.platform_code}
        fact = (FactType.CONSUMER_REPORT, Severity.MINOR)
        on = date.fromisoformat(p.on)
        self.once(session, code, fact, on, REPORT_BASIS, p.reference_no, note, {**detail, "last_event": event.position})

    def late_summary(self, session: Session, event: OverdueEvent) -> None:
        """An export month not summarised by its due day: one fact about the enterprise per (enterprise, month)."""
        p = event.payload
        code = p.enterprise_code.strip().upper()
        late_from = date.fromisoformat(p.due_on) + timedelta(days=1)
        note = f"{p.period} 出口清单逾期未汇总申报（应于 {p.due_on} 前）/ export month {p.period} not summarised"
        detail = {"period": p.period, "due_on": p.due_on, "inventories": p.inventories, "last_event": event.position}
        fact = (FactType.PLATFORM_LATE_SUMMARIES, Severity.MINOR)
        self.once(session, code, fact, late_from, LATE_BASIS, f"LATE-SUMMARY-{code}-{p.period}", note, detail)

    def failed_inspection(self, session: Session, event: InspectionEvent) -> None:
        """An inventory refused after inspection: one fact about its e-commerce enterprise per inventory."""
        p = event.payload
        code, on = p.ecommerce_code.strip().upper(), date.fromisoformat(p.on)
        note = f"查验不合格，清单 {p.eport_no} 人工退单 / failed inspection: inventory refused"
        detail = {"eport_no": p.eport_no, "inventory_no": p.inventory_no, "platform": p.platform_code}
        fact = (FactType.INSPECTION, Severity.MINOR)
        document = inspection_document(p.eport_no)
        self.once(session, code, fact, on, INSPECTION_BASIS, document, note, {**detail, "last_event": event.position})

    def failed_inspection_of(self, session: Session, subject: CreditSubject, inventory: str) -> bool:
        """Tell whether an inventory's refusal is the end of a failed inspection recorded already (one fact)."""
        key = f"{Source.PLATFORM.value}:{inspection_document(inventory)}:{FactType.INSPECTION.value}"
        return repo.fact_by_dedupe_key(session, f"{key}:{subject_label(subject)}"[:250]) is not None

    def daily(self, session: Session, event: ReceiptEvent, fact_type: FactType, note: str) -> None:
        """Count the receipt's inventory in its e-commerce enterprise's fact of the day (refusals, returns)."""
        keys = event.payload.keys
        code = str(keys.get("ecommerce_code") or "")
        inventory = str(keys.get("eport_no") or keys.get("inventory_no") or event.payload.guid)
        if not code:
            return
        filed = find_by_code(session, code)
        subject = repo.ensure_enterprise(
            session,
            uscc=filed.uscc if filed else None,
            customs_code=filed.customs_code if filed else code,
            name=filed.name if filed else None,
            tenant=filed.zone if filed else None,
            now=self.now,
        )
        if fact_type is FactType.PLATFORM_REFUSALS and self.failed_inspection_of(session, subject, inventory):
            return  # refused after a failed inspection: counted as the inspection's fact, not as a refusal
        day = business_date(event.payload.returned_at)
        current = repo.platform_fact_of_day(session, subject.id, fact_type.value, day)
        counted = list((current.detail or {}).get("inventories", [])) if current is not None else []
        if inventory in counted:
            return
        draft = FactDraft(
            subject_code=code,
            person_id=None,
            fact_type=fact_type,
            severity=Severity.MINOR,
            source=Source.PLATFORM,
            decided_on=day,
            valid_from=day,
            valid_to=None,
            quantity=len(counted) + 1,
            note=note,
            supersedes=current.id if current is not None else None,
        )
        planned, _ = plan_fact(session, draft, self.config(session))
        if planned is None:
            raise missing("windows")
        write_fact(
            session,
            planned,
            subject,
            actor=ACTOR,
            now=self.now,
            detail={"inventories": [*counted, inventory], "last_event": event.position},
        )
        self.recorded += 1


def inspection_document(eport_no: str) -> str:
    """Return the document number of a failed inspection's fact."""
    return f"INSPECTION-{eport_no}"


def apply_events(ctx: Context, *, limit: int = 500) -> ConsumeReport:
    """Apply every new event of the outbox to the credit database, batch by batch (each batch one transaction)."""
    handled = recorded = new = known = 0
    position = -1
    while True:
        handler = _Handler(ctx, ctx.clock.now())
        batch = consume(ctx, CONSUMER, handler, kinds=KINDS, limit=limit)
        handled += batch.handled
        recorded += handler.recorded
        new += handler.screen.new
        known += handler.screen.known
        if batch.position == position:
            break
        position = batch.position
    return ConsumeReport(
        handled=handled, position=position, facts_recorded=recorded, alerts_new=new, alerts_known=known
    )
