"""Quick cancels and returns (快速撤单/退货, R2.5): read from the cancel and return receipts the consumer meets.

A cancel (CEB623) or return (CEB625) accepted (``120``) within ``undo_hours`` of its inventory's release — of its
declaration when cancelled before release — adds one to its e-commerce enterprise's ``quick_undo`` bucket on the
business day of the receipt. The times and the enterprise come from the trade facts (``cbec.facts.queries``), one
query per batch; an inventory the facts do not hold (an export, a refused one) counts nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from cbec.common.clock import business_date
from cbec.facts import Direction
from cbec.facts.queries import inventory_times_of
from cbec.risk import repository as repo
from cbec.risk.patterns import is_quick
from cbec.risk.rules import Ruleset, SubjectKind
from cbec.sharing.catalogue import ReceiptEvent

UNDO_KINDS = ("cancel", "return")
ACCEPTED = "120"


def undone_of(event: ReceiptEvent) -> tuple[str, datetime] | None:
    """Return (E-port number, time) of an accepted cancel or return receipt, else None."""
    p = event.payload
    if p.document_kind not in UNDO_KINDS or p.status != ACCEPTED:
        return None
    eport_no = str(p.keys.get("eport_no") or "")
    return (eport_no, p.returned_at) if eport_no else None


def count_quick_undos(session: Session, undone: Sequence[tuple[str, datetime]], ruleset: Ruleset) -> int:
    """Count the quick ones among a batch's cancels and returns in their sellers' buckets; return how many."""
    if not undone:
        return 0
    times = inventory_times_of(session, Direction.IMPORT, [eport_no for eport_no, _ in undone])
    per_bucket: Counter[tuple[str, date]] = Counter()
    for eport_no, at in undone:
        found = times.get(eport_no)
        if found is not None and is_quick(at, found.declared_at, found.released_at, ruleset):
            per_bucket[(found.ecommerce_code, business_date(at))] += 1
    for (code, day), amount in sorted(per_bucket.items()):  # one bucket write per seller and day
        repo.add(session, SubjectKind.ENTERPRISE, code, "quick_undo", day, amount)
    return sum(per_bucket.values())
