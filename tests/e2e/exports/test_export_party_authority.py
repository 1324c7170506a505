"""Party authority for exports (出口申报主体): every export document type, sent in the name of every party that may
not declare it — unsigned and signed, appStatus 1 and 2, appType 1, 2 and 3 — is refused and changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from tests.integration.exports.export_zone import AT, TEE, XP, release, send
from tests.zone import ROLES, Zone

from cbec.demo.exports import (
    ExportParty,
    build_departure,
    build_export_arrival,
    build_export_cancel,
    build_export_return,
    build_export_set,
    build_master_bill,
    build_summary_application,
    build_tally,
)
from cbec.exports.service.reference import seed_export_reference
from cbec.messages.authority import declaring_codes
from cbec.messages.documents import AppStatus, AppType

TABLES = (
    "export_order",
    "export_payment_receipt",
    "export_waybill",
    "export_inventory",
    "export_inventory_line",
    "export_arrival",
    "export_parcel",
    "export_master_bill",
    "export_departure",
    "export_cancel",
    "export_return",
    "export_return_tally",
    "export_summary",
    "export_declaration",
)
SENDERS = [ExportParty(p.code, p.name, p.dxp_id) for p in ROLES]


def snapshot(zone: Zone) -> dict[str, list[tuple[Any, ...]]]:
    with zone.ctx.uow() as uow:
        return {t: [tuple(r) for r in uow.session.execute(text(f"SELECT * FROM {t} ORDER BY 1"))] for t in TABLES}


def as_variant(document: Any, app_type: AppType, app_status: AppStatus) -> Any:
    declaration = replace(
        document.declaration, guid=str(uuid.uuid4()).upper(), app_type=app_type, app_status=app_status
    )
    return replace(document, declaration=declaration)


@pytest.fixture
def released(zone: Zone) -> tuple[Zone, Any, str]:
    seed_export_reference(zone.ctx)
    s = build_export_set(XP, [(TEE, Decimal(2))], order_no="EX20260302000001", logistics_no="LE2026030200001", at=AT)
    [number] = release(zone, [s], ref="ARR-1")
    return zone, s, number


KINDS: dict[str, Callable[[Any, str], Any]] = {
    "order": lambda s, n: s.order,
    "receipt_note": lambda s, n: s.receipt_note,
    "waybill": lambda s, n: s.waybill,
    "inventory": lambda s, n: s.inventory,
    "arrival": lambda s, n: build_export_arrival(XP, [s.waybill.logistics_no], at=AT, ref="ARR-2"),
    "master_bill": lambda s, n: build_master_bill(
        XP, [(s.waybill.logistics_no, n)], bill_no="999-12345675", voyage_no="CA983", at=AT
    ),
    "departure": lambda s, n: build_departure(
        XP, [s.waybill.logistics_no], bill_no="999-12345675", voyage_no="CA983", left_at=AT + timedelta(hours=6)
    ),
    "cancel": lambda s, n: build_export_cancel(s.inventory, n, at=AT + timedelta(hours=1)),
    "return": lambda s, n: build_export_return(s.inventory, n, [(1, Decimal(1))], at=AT + timedelta(days=3)),
    "tally": lambda s, n: build_tally(
        XP, build_export_return(s.inventory, n, [(1, Decimal(1))], at=AT + timedelta(days=3)), at=AT
    ),
    "summary": lambda s, n: build_summary_application(
        XP, at=AT + timedelta(days=31), ref="SUM-1", inventory_nos=[n], item_name_flag="1"
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_export_document_in_the_name_of_a_party_that_may_not_declare_it_is_refused(
    released: tuple[Zone, Any, str], kind: str
) -> None:
    zone, s, number = released
    document = KINDS[kind](s, number)
    declaring = {code for _, code in declaring_codes(document)}
    others = [party for party in SENDERS if party.code not in declaring]
    assert others, kind
    before = snapshot(zone)
    for sender in others:
        for signed in (False, True):
            for app_status in (AppStatus.DRAFT, AppStatus.DECLARED):
                for app_type in (AppType.NEW, AppType.CHANGE, AppType.DELETE):
                    result = send(zone, [as_variant(document, app_type, app_status)], sender, sign=signed)
                    where = (kind, sender.code, signed, app_status.value, app_type.value)
                    assert result.outcome == "processed", where
                    assert [p.rule_id for p in result.documents[0].problems] == ["AUTH-PARTY"], where
                    assert len(result.receipts) == 1, where
                    assert snapshot(zone) == before, where


def test_a_draft_export_cancel_changes_nothing(released: tuple[Zone, Any, str]) -> None:
    zone, s, number = released
    before = snapshot(zone)
    draft = as_variant(
        build_export_cancel(s.inventory, number, at=AT + timedelta(hours=1)), AppType.NEW, AppStatus.DRAFT
    )
    result = send(zone, [draft], XP.agent)
    assert [(r.message_type.value, r.status) for r in result.receipts] == [("CEB606Message", "1")]
    assert snapshot(zone) == before
