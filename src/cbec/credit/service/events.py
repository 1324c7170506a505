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
* ``data`` events of declarations (import and export: every party they name) are screened against the negative
  lists (``cbec.credit.service.declarations``).

Late summaries, confirmed consumer reports and inspection outcomes have fact types but no event to come from yet
(docs/credit.md).
"""

from __future__ import annotations

from datetime import date, datetime

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
from cbec.sharing.catalogue import AnyEvent, DataEvent, FilingEvent, ReceiptEvent, RiskEvent
from cbec.sharing.consumers import consume
from cbec.sharing.rules import EventKind
from cbec.storage.context import Context

CONSUMER = "credit"
ACTOR = "credit-consumer"
KINDS = (EventKind.FILING, EventKind.RECEIPT, EventKind.RISK, EventKind.DATA)
REFUSED = "100"  # 海关退单 (cbec.clearance.codes.ReturnStatus.REFUSED; read as data, not imported)
RETURNED = "399"  # a return concluded: the goods came back (CEB626 审结, ReturnStatus.CONCLUDED; read as data)
REPORTED = "report_credit_done"  # a risk case reported to credit (cbec.risk.cases: "<kind>_<state>", read as data)
CODE_PIVOTS = ("enterprise", "platform")  # risk's pivots that are enterprise codes (the others are persons' keys)
RISK_BASIS = "综试区风险处置：经确认并报送信用的风险案件 (the zone's risk disposal, docs/risk.md; six-systems.md §2(b))"


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

    def risk_case(self, session: Session, event: RiskEvent) -> None:
        p = event.payload
        code = p.pivot_key.strip().upper()
        if p.pivot_kind not in CODE_PIVOTS or not code:
            return
        day = date.fromisoformat(p.on)
        draft = FactDraft(
            subject_code=code,
            person_id=None,
            fact_type=FactType.RISK_CASE,
            severity=Severity.GENERAL,
            source=Source.PLATFORM,
            decided_on=day,
            valid_from=day,
            valid_to=None,
            legal_basis=RISK_BASIS,
            document_no=f"RISK-{p.case_id}-{p.action_id}",
            note=f"风险案件 {p.case_id}：{', '.join(p.typologies)} / risk case {p.case_id}",
        )
        subject = self.enterprise(session, code)
        key = dedupe_key(draft, subject_label(subject))
        if key is not None and repo.fact_by_dedupe_key(session, key) is not None:
            return  # this disposal action is recorded already (a replay)
        planned, _ = plan_fact(session, draft, self.config(session))
        if planned is None:
            raise missing("windows")
        detail = {
            "risk_case": p.case_id,
            "risk_action": p.action_id,
            "typologies": list(p.typologies),
            "inventories": len(p.inventories),
            "last_event": event.position,
        }
        write_fact(session, planned, subject, actor=ACTOR, now=self.now, detail=detail)
        self.recorded += 1

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
