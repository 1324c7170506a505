"""Confirmed consumer reports block the misused ID (身份冒用: 经核实的消费者举报 → 拦截; issue 18, ID misuse).

The risk consumer reads statistics' ``report`` events (cbec.sharing.catalogue.ReportPayload) as data — it never
imports statistics. A confirmed report puts a **non-overridable block** (``hard_block``) on the buyer's keyed
pseudonym (the quota ledger key, the same blind index clearance keys buyer measures by) from the review until
``days`` later (the setting ``risk_report_block_days``, default 180). While it is in force every further inventory
declared with that ID is held for manual review (300) with the reason on the officer's dossier; the officer
releases the consumer's own purchases after checking with them, and lifts the block early after review.

Why 180 days: a confirmed report shows the ID is in the hands of whoever declared with it; rings that harvest IDs
reuse them across months, and the personal annual quota (26,000 yuan a calendar year) they draw on lasts a year,
so a block much shorter than half a year would lapse while the ID is still being used. Longer would hold the real
consumer's own purchases for review past the point where a ring is likely still using the ID; 180 days sits
between, and the zone changes it in the settings (``CBEC_RISK_REPORT_BLOCK_DAYS``).

One block per report: a replay of the event finds the condition of that report (its origin) and adds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbec.risk.conditions.models import RiskCondition
from cbec.risk.conditions.rules import ConditionKind
from cbec.risk.conditions.schemas import ConditionCreate
from cbec.risk.conditions.service import place_in
from cbec.sharing.catalogue import ReportPayload
from cbec.supervision import SubjectKind

CONFIRMED = "confirmed"  # cbec.statistics.rules.ReportOutcome.CONFIRMED, read as data
ACTOR = "risk"
DEFAULT_DAYS = 180


def origin_of(reference_no: str) -> str:
    """Return the origin recorded on the block of a consumer report."""
    return f"consumer report {reference_no}"


def reason_of(report: ReportPayload) -> str:
    """Return the reason the officer reads on the dossier of an inventory the block holds (zh / en)."""
    return (
        f"消费者举报 {report.reference_no} 经核实属实：该身份证件曾被他人冒用（清单 {report.eport_no}），"
        f"此后以该证件申报的清单须人工审核 / consumer report {report.reference_no} confirmed: this ID was "
        f"misused (inventory {report.eport_no}); its further inventories are reviewed by an officer"
    )


def block_reported_buyer(session: Session, report: ReportPayload, *, at: datetime, days: int = DEFAULT_DAYS) -> bool:
    """Put the hard block of a confirmed report on its buyer key, in the caller's transaction; False if there is
    nothing to do (not confirmed, no key, or the block of this report exists: a replay)."""
    key = report.buyer_key.strip()
    if report.outcome != CONFIRMED or not key or not report.reference_no:
        return False
    origin = origin_of(report.reference_no)
    known = session.scalar(
        select(RiskCondition.id).where(
            RiskCondition.subject_kind == SubjectKind.BUYER.value,
            RiskCondition.subject_key == key,
            RiskCondition.origin == origin,
        )
    )
    if known is not None:
        return False
    data = ConditionCreate(
        subject_kind=SubjectKind.BUYER.value,
        subject_key=key,
        kind=ConditionKind.HARD_BLOCK.value,
        reason=reason_of(report),
        valid_from=at,
        valid_until=at + timedelta(days=days),
    )
    place_in(session, data, origin=origin, actor=ACTOR, at=at)
    return True
