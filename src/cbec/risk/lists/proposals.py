"""A case's confirmed list-entry proposal lands in the watch list (提议列入关注名单 → 名单条目).

When a second officer confirms a case's ``propose_list_entry`` on the watch list (``cbec.risk.cases``), the case's
pivot becomes an effective-dated ``watch`` entry, keyed as the screening matches it (``cbec.risk.lists.rules.watched``):

* an enterprise or platform pivot: ``enterprise`` = its code (matched against the inventory's parties, as a loaded
  entry is);
* a buyer, phone or address pivot: ``subject_kind`` and ``subject`` = the pseudonymous key the counters and cases
  use (matched against the inventory's subject keys); no name, ID or phone number is ever stored.

The entry is in force from the business day of the confirmation for ``WATCH_DAYS`` days (inclusive) and carries
its provenance in its fields: the case, the action, the proposer, the confirmer and the day, with the proposal's
comment as its reason and ``customs`` as its agency. It is audited (``risk.list.entry.added``). A load of a watch
list file replaces the loaded entries only, so the cases' entries stay until they expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.risk.lists.models import RiskListEntry
from cbec.risk.lists.rules import ListKind

WATCH_DAYS = 365  # a confirmed watch entry is in force for a year from the confirmation's business day
CODES = frozenset({"enterprise", "platform"})  # pivots that are party codes
PERSONS = frozenset({"buyer", "phone", "address"})  # pivots that are pseudonymous keys
AGENCY = "customs"


@dataclass(frozen=True, slots=True)
class CaseProposal:
    """A confirmed list-entry proposal of a case: what the watch entry is about and who decided it."""

    case_id: int
    action_id: int
    pivot_kind: str
    pivot_key: str
    reason: str
    proposed_by: str
    confirmed_by: str
    at: datetime  # the confirmation's moment


def watch_fields(proposal: CaseProposal) -> tuple[str, date, date, dict[str, Any]]:
    """Return the entry key, validity and fields of the watch entry a confirmed proposal gives (pure)."""
    if proposal.pivot_kind not in CODES | PERSONS:
        raise ValueError(f"no watch entry on a {proposal.pivot_kind} pivot")
    day = business_date(proposal.at)
    data: dict[str, Any]
    if proposal.pivot_kind in CODES:
        key, data = proposal.pivot_key, {"enterprise": proposal.pivot_key}
    else:
        key = f"{proposal.pivot_kind}:{proposal.pivot_key}"
        data = {"subject_kind": proposal.pivot_kind, "subject": proposal.pivot_key}
    data.update(
        {
            "agency": AGENCY,
            "reason": proposal.reason,
            "case_id": proposal.case_id,
            "action_id": proposal.action_id,
            "proposed_by": proposal.proposed_by,
            "confirmed_by": proposal.confirmed_by,
            "confirmed_on": day.isoformat(),
        }
    )
    return key, day, day + timedelta(days=WATCH_DAYS - 1), data


def add_watch_entry(session: Session, proposal: CaseProposal) -> int:
    """Store the watch entry of a confirmed proposal in the caller's transaction, audited; return its id."""
    key, start, end, data = watch_fields(proposal)
    row = RiskListEntry(
        kind=ListKind.WATCH.value,
        load_id=None,
        case_id=proposal.case_id,
        entry_key=key[:200],
        valid_from=start,
        valid_to=end,
        data=data,
    )
    session.add(row)
    session.flush()
    record_audit(
        session,
        at=proposal.at,
        actor=proposal.confirmed_by,
        action="risk.list.entry.added",
        entity_type="risk_list_entry",
        entity_key=str(row.id),
        after={
            "kind": row.kind,
            "case_id": proposal.case_id,
            "action_id": proposal.action_id,
            "pivot_kind": proposal.pivot_kind,
            "valid_from": start.isoformat(),
            "valid_to": end.isoformat(),
            "proposed_by": proposal.proposed_by,
        },
        reason=proposal.reason or None,
    )
    return row.id
