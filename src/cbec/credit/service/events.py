"""Credit facts from the platform's own events (平台自有信用信息), through the in-process consumer API.

The credit system never imports the clearance pipeline: it reads the outbox through
``cbec.sharing.consumers.consume(ctx, "credit", handler)``, exactly once per event, in the consumer's transaction.

* ``filing`` events make (or complete) the enterprise's subject: credit code, customs code, name, tenant.
* ``receipt`` events of an import inventory with status 100 (海关退单, refused) count against the inventory's
  e-commerce enterprise: one light negative fact (``platform_refusals``, minor) per enterprise per business day
  (Asia/Shanghai), its quantity the number of distinct inventories refused that day. A second refusal on the same
  day appends a new row superseding the first (nothing is updated); an inventory already counted that day is not
  counted again, so a rewind and replay changes nothing.

Returns, late summaries, confirmed consumer reports, risk cases and inspection outcomes have fact types but no
event to come from yet (docs/credit.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cbec.common.clock import business_date
from cbec.credit import repository as repo
from cbec.credit.rules import FactDraft, FactType, Severity, Source
from cbec.credit.schemas import ConsumeReport
from cbec.credit.schemes import Configuration
from cbec.credit.service.config import configuration, missing
from cbec.credit.service.facts import plan_fact, write_fact
from cbec.enterprises.lookups import find_by_code
from cbec.sharing.catalogue import AnyEvent, FilingEvent, ReceiptEvent
from cbec.sharing.consumers import consume
from cbec.sharing.rules import EventKind
from cbec.storage.context import Context

CONSUMER = "credit"
ACTOR = "credit-consumer"
KINDS = (EventKind.FILING, EventKind.RECEIPT)
REFUSED = "100"  # 海关退单 (cbec.clearance.codes.ReturnStatus.REFUSED; read as data, not imported)


class _Handler:
    """Applies events in the consumer's transaction and counts the facts it records."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.recorded = 0
        self._config: Configuration | None = None

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
            self.refusal(session, event)

    def refusal(self, session: Session, event: ReceiptEvent) -> None:
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
        current = repo.platform_fact_of_day(session, subject.id, FactType.PLATFORM_REFUSALS.value, day)
        counted = list((current.detail or {}).get("inventories", [])) if current is not None else []
        if inventory in counted:
            return
        draft = FactDraft(
            subject_code=code,
            person_id=None,
            fact_type=FactType.PLATFORM_REFUSALS,
            severity=Severity.MINOR,
            source=Source.PLATFORM,
            decided_on=day,
            valid_from=day,
            valid_to=None,
            quantity=len(counted) + 1,
            note="海关退单 / refused inventories of the day",
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
    handled = recorded = 0
    position = -1
    while True:
        handler = _Handler(ctx.clock.now())
        batch = consume(ctx, CONSUMER, handler, kinds=KINDS, limit=limit)
        handled += batch.handled
        recorded += handler.recorded
        if batch.position == position:
            break
        position = batch.position
    return ConsumeReport(handled=handled, position=position, facts_recorded=recorded)
