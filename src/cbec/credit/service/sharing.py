"""Credit's outbox events (kind ``credit``): every state change of a fact, a repair, an objection or an override is
shared with the partners in the transaction that makes it (cbec.sharing.emit_event). No personal data: a person is
``person:<hash prefix>``, and officers' names are not shared."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from cbec.credit.models import CreditFact, CreditSubject
from cbec.credit.repair import Change
from cbec.credit.service.facts import subject_label
from cbec.sharing import EventKind, emit_event
from cbec.storage.context import Context

STATUS = {
    Change.REPAIR_APPLIED: "applied",
    Change.REPAIR_PROPOSED: "proposed",
    Change.REPAIR_APPROVED: "approved",
    Change.REPAIR_REJECTED: "rejected",
    Change.OBJECTION_FILED: "filed",
    Change.OBJECTION_UPHELD: "upheld",
    Change.OBJECTION_DISMISSED: "dismissed",
    Change.PUBLICATION_ENDED: "ended",
    Change.OVERRIDE_PROPOSED: "proposed",
    Change.OVERRIDE_APPROVED: "approved",
    Change.OVERRIDE_REJECTED: "rejected",
    Change.MEASURES_APPLIED: "applied",
    Change.MEASURES_LIFTED: "lifted",
    Change.THIRDPARTY_RECORDED: "recorded",
    Change.THIRDPARTY_KEPT: "kept",
    Change.THIRDPARTY_WITHDRAWN: "withdrawn",
    Change.LIST_PROPOSED: "proposed",
    Change.LIST_RECORDED: "recorded",
    Change.LIST_REJECTED: "rejected",
    Change.UNCORRECTED_FLAGGED: "flagged",
    Change.UNCORRECTED_CONFIRMED: "confirmed",
    Change.UNCORRECTED_REJECTED: "rejected",
}


def share(
    ctx: Context,
    session: Session,
    change: Change,
    subject: CreditSubject,
    fact: CreditFact | None,
    *,
    reference: int | None,
    on: date,
    new_fact_id: int | None = None,
    published_until: date | None = None,
) -> None:
    """Add the outbox event of a credit change to the current transaction."""
    label = subject_label(subject)
    until = published_until or (fact.publish_max_until if fact is not None else None)
    emit_event(
        session,
        at=ctx.clock.now(),
        kind=EventKind.CREDIT,
        document_type=f"credit_{change.value.split('_')[0]}",  # credit_repair, _objection, _publication, …
        business_key=f"credit:{label}",
        zone=ctx.settings.zone_customs_code,
        parties=[c for c in (subject.uscc, subject.customs_code) if c],
        status=STATUS[change],
        payload={
            "change": change.value,
            "subject": label,
            "fact_id": fact.id if fact is not None else None,
            "new_fact_id": new_fact_id,
            "reference": reference,
            "on": on.isoformat(),
            "published_until": until.isoformat() if until is not None else None,
        },
    )
