"""A confirmed consumer report blocks the misused ID end to end (issue 18, ID misuse): the consumer reports an
inventory from their quota statement, the zone office confirms it on the console, the risk consumer reads the
``report`` event and puts a non-overridable block on the buyer key for 180 days (the setting) — the next inventory
declared with that ID is held for review with the reason in plain words, an override is refused, a replay adds no
second block, and the block ends when it expires."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.builders import BUYER, OTHER_BUYER
from tests.e2e.test_risk_conditions import declare
from tests.web.support import released_set, send_sets
from tests.zone import Zone

from cbec.common.clock import FixedClock
from cbec.quota import buyer_key_for, query_quota
from cbec.risk.conditions import ConditionConflict, ConditionCreate, list_conditions, place_condition
from cbec.risk.service import apply_events
from cbec.sharing.consumers import rewind
from cbec.statistics.queries import list_reports  # before the service: statistics' import order
from cbec.statistics.service import file_consumer_report, issue_report_token, review_consumer_report


def test_a_confirmed_report_holds_the_misused_id_s_next_inventories_until_the_block_expires(zone: Zone) -> None:
    ctx = zone.ctx
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    send_sets(zone, [released_set("ORD20260302000991")])
    statement = query_quota(ctx, id_number=BUYER.id_number, name=BUYER.name)
    token = issue_report_token(ctx, id_number=BUYER.id_number, statement=statement)
    [entry] = statement.entries
    report = file_consumer_report(ctx, token=token, inventory_ref=entry.inventory_ref, note="我没有买过")
    assert apply_events(ctx).blocks == 0  # an open report blocks nothing
    reviewed_at = clock.now()
    review_consumer_report(ctx, report.reference_no, actor="admin", comment="平台核实非本人下单", outcome="confirmed")
    assert apply_events(ctx).blocks == 1
    [reviewed], _ = list_reports(ctx, status="reviewed")
    assert (reviewed.reference_no, reviewed.outcome) == (report.reference_no, "confirmed")

    key = buyer_key_for(ctx.cipher, BUYER.id_number)
    [block] = list_conditions(ctx, subject_key=key, in_force=True)
    assert (block.kind, block.subject_kind, block.origin, block.created_by) == (
        "hard_block",
        "buyer",
        f"consumer report {report.reference_no}",
        "risk",
    )
    assert (block.valid_from, block.valid_until) == (reviewed_at, reviewed_at + timedelta(days=180))
    rewind(ctx, "risk", 0)  # a replay of every event places no second block
    assert apply_events(ctx).blocks == 0
    assert len(list_conditions(ctx, subject_key=key)) == 1

    held = declare(zone, "ORD20260302000992")
    assert held.status == "300", held.status_info
    assert held.status_info is not None
    assert f"风险实体条件 {block.id}（不可撤销拦截）：消费者举报 {report.reference_no} 经核实属实" in held.status_info
    assert entry.inventory_ref in held.status_info and BUYER.id_number not in held.status_info
    assert declare(zone, "ORD20260302000993", buyer=OTHER_BUYER).status == "800"  # another ID is not held
    with pytest.raises(ConditionConflict):
        place_condition(
            ctx, ConditionCreate(subject_kind="buyer", subject_key=key, kind="override", reason="白名单"), actor="o2"
        )
    clock.advance(timedelta(days=180))  # the block has expired
    assert list_conditions(ctx, subject_key=key, in_force=True) == []
    assert declare(zone, "ORD20260302000994").status == "800"
