"""A case's confirmed proposal on the watch list lands in the list: an effective-dated ``watch`` entry on the case's
pivot (a buyer's pseudonymous key, an enterprise code) with its provenance, audited and shared; the live
consumer's next decision on that subject reads the hit (``doc.watched``, rule Q3 in its trace). The proposer
cannot confirm it; a rejected proposal, a block-list entry and a file load add or remove no case entry."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from tests.builders import PARTIES, a_set
from tests.integration.risk.cases.support import decide
from tests.zone import Zone

from cbec.audit.models import AuditRecord
from cbec.risk.cases import ActionCreate, ActionDecision, CaseForbidden, act, confirm, gather, list_cases
from cbec.risk.lists import list_entries, load_list
from cbec.risk.models import RiskDecision
from cbec.risk.service import apply_events
from cbec.sharing.models import OutboxEvent

DAY = date(2026, 3, 2)


def _send(zone: Zone, order_no: str) -> None:
    one = a_set(order_no)
    for doc, sender in (
        (one.order, PARTIES.ecommerce),
        (one.payment, PARTIES.payment),
        (one.waybill, PARTIES.logistics),
        (one.inventory, PARTIES.agent),
    ):
        zone.send([doc], sender)


def _decisions(zone: Zone) -> list[RiskDecision]:
    with zone.ctx.uow() as uow:
        rows = list(uow.session.scalars(select(RiskDecision).order_by(RiskDecision.id)))
        uow.commit()
    return rows


def _q3(decision: RiskDecision) -> tuple[str | None, str]:
    [rule] = [r for r in decision.trace["rules"] if r["rule"] == "Q3"]
    return decision.trace["inputs"]["doc.watched"], rule["status"]


def test_a_confirmed_watch_entry_on_a_buyer_is_read_by_the_next_decision(zone: Zone) -> None:
    ctx = zone.ctx
    now = ctx.clock.now()
    _send(zone, "ORD20260302710001")
    assert apply_events(ctx).assessed == 1
    [first] = _decisions(zone)
    assert first.trace["inputs"]["doc.watched"] is None  # no watch list yet: unknown, not 0
    buyer = first.subjects["buyer"]
    decide(ctx, "E1", [("order_splitting", 60, "review", ["S1"])], day=DAY, at=now, subjects=dict(first.subjects))
    gather(ctx)
    [case] = [c for c in list_cases(ctx)[0] if c.pivot_kind == "buyer"]
    assert case.pivot_key == buyer
    asked = ActionCreate(kind="propose_list_entry", comment="多次临界拆单，列入关注", list_name="watch")
    proposed = act(ctx, case.id, asked, actor="li")
    assert list_entries(ctx, "watch") == []  # a proposal lands in no list
    with pytest.raises(CaseForbidden) as refused:
        confirm(ctx, case.id, proposed.id, ActionDecision(decision="confirm"), actor="li:key2")
    assert [p.rule_id for p in refused.value.problems] == ["RSK-CASE-SELF-APPROVAL"]
    assert list_entries(ctx, "watch") == []
    done = confirm(ctx, case.id, proposed.id, ActionDecision(decision="confirm", comment="同意"), actor="wang")
    [entry] = list_entries(ctx, "watch")
    assert done.state == "confirmed" and done.detail["condition"] is None
    assert (entry.kind, entry.key, entry.valid_from, entry.valid_to) == (
        "watch",
        f"buyer:{buyer}",
        DAY,
        date(2027, 3, 1),
    )
    assert entry.data == {
        "subject_kind": "buyer",
        "subject": buyer,
        "agency": "customs",
        "reason": "多次临界拆单，列入关注",
        "case_id": case.id,
        "action_id": proposed.id,
        "proposed_by": "li",
        "confirmed_by": "wang",
        "confirmed_on": "2026-03-02",
    }
    with ctx.uow() as uow:
        audits = list(
            uow.session.scalars(
                select(AuditRecord).where(AuditRecord.action == "risk.list.entry.added").order_by(AuditRecord.id)
            )
        )
        events = list(uow.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))
        uow.commit()
    assert [(a.actor, a.entity_type, a.reason) for a in audits] == [
        ("wang", "risk_list_entry", "多次临界拆单，列入关注")
    ]
    assert audits[0].entity_key == str(done.detail["list_entry"])
    [shared] = [e for e in events if e.payload.get("change") == "propose_list_entry_confirmed"]
    assert (shared.payload["list_name"], shared.payload["list_entry"]) == ("watch", done.detail["list_entry"])
    assert "wang" not in json.dumps(shared.payload)  # no officer's name in a shared event

    _send(zone, "ORD20260302710002")  # the same buyer orders again
    assert apply_events(ctx).assessed == 1
    later = _decisions(zone)[-1]
    assert later.eport_no != first.eport_no and later.subjects["buyer"] == buyer
    assert _q3(later) == ("1", "fired")
    quality = {t["typology"]: t for t in later.trace["typologies"]}["quality"]
    assert quality["score"] == 20

    # a load of a watch list file replaces the loaded entries only: the case's entry stays
    other = {"enterprise": "4601960099", "agency": "GACC", "reason": "r", "valid_from": "2026-01-01"}
    loaded = load_list(ctx, "watch", json.dumps({"provenance": "t", "entries": [other]}), source="w", actor="a")
    assert loaded.replaced == 0
    assert [e.key for e in list_entries(ctx, "watch")] == [f"buyer:{buyer}", "4601960099"]


def test_an_enterprise_pivot_is_watched_by_its_code_and_a_rejection_adds_nothing(zone: Zone) -> None:
    ctx = zone.ctx
    now = ctx.clock.now()
    _send(zone, "ORD20260302720001")
    apply_events(ctx)
    [first] = _decisions(zone)
    decide(ctx, "E1", [("undervaluation", 40, "review", ["U1"])], day=DAY, at=now, subjects=dict(first.subjects))
    gather(ctx)
    [case] = [c for c in list_cases(ctx)[0] if c.pivot_kind == "enterprise"]
    assert case.pivot_key == PARTIES.ecommerce.code
    asked = ActionCreate(kind="propose_list_entry", comment="低报", list_name="watch")
    rejected = act(ctx, case.id, asked, actor="li")
    no = confirm(ctx, case.id, rejected.id, ActionDecision(decision="reject", comment="证据不足"), actor="wang")
    assert no.state == "rejected" and "list_entry" not in no.detail and list_entries(ctx, "watch") == []
    proposed = act(ctx, case.id, asked, actor="li")
    done = confirm(ctx, case.id, proposed.id, ActionDecision(decision="confirm"), actor="zhao")
    [entry] = list_entries(ctx, "watch")
    assert (entry.key, entry.data["enterprise"], entry.data["confirmed_by"]) == (
        PARTIES.ecommerce.code,
        PARTIES.ecommerce.code,
        "zhao",
    )
    assert done.detail["list_entry"] is not None
    _send(zone, "ORD20260302720002")
    apply_events(ctx)
    assert _q3(_decisions(zone)[-1]) == ("1", "fired")


def test_a_block_list_entry_adds_no_watch_entry(zone: Zone) -> None:
    ctx = zone.ctx
    now = ctx.clock.now()
    decide(ctx, "E1", [("order_splitting", 60, "review", ["S1"])], day=DAY, at=now)
    gather(ctx)
    [case] = [c for c in list_cases(ctx)[0] if c.pivot_kind == "buyer"]
    asked = ActionCreate(kind="propose_list_entry", comment="拆单", list_name="block")
    proposed = act(ctx, case.id, asked, actor="li")
    done = confirm(ctx, case.id, proposed.id, ActionDecision(decision="confirm"), actor="wang")
    assert done.detail["list_entry"] is None and done.detail["condition"] is not None
    assert list_entries(ctx, "watch") == []
