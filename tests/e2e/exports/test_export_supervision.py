"""Classified supervision on exports (分类监管, issue 17 item 5): an export inventory's decision reads the measures in
force on its enterprises — a hold (a risk condition or a list's block) sends it to manual review with the reason
on the dossier, a credit level's inspection rate of 1 to inspection — and an enterprise without measures is
released as before (the first inventory, before the condition)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from tests.integration.exports.export_zone import AT, LAMP, TEE, XP, send, statuses
from tests.zone import Zone

from cbec.demo.exports import ExportParties, build_export_arrival, build_export_set
from cbec.exports.models import ExportInventoryRecord
from cbec.exports.service.reference import seed_export_reference
from cbec.risk.conditions import ConditionCreate, place_condition
from cbec.supervision import MeasureKind, MeasureSpec, add_measure
from cbec.supervision import SubjectKind as MeasureSubject


def _arrive(zone: Zone, parties: ExportParties, order_no: str, logistics_no: str, ref: str) -> list[tuple[str, str]]:
    s = build_export_set(
        parties, [(TEE, Decimal(1)), (LAMP, Decimal(1))], order_no=order_no, logistics_no=logistics_no, at=AT
    )
    send(zone, [s.order], parties.platform)
    send(zone, [s.waybill], parties.logistics)
    send(zone, [s.inventory], parties.agent)
    arrival = send(zone, [build_export_arrival(parties, [logistics_no], at=AT, ref=ref)], parties.site_operator)
    return statuses(arrival)


def test_a_held_enterprise_s_export_goes_to_review_with_the_reason(zone: Zone) -> None:
    seed_export_reference(zone.ctx)
    assert _arrive(zone, XP, "EX20260302000901", "LE2026030200901", "ARR-901") == [
        ("CEB508Message", "399"),
        ("CEB604Message", "399"),
        ("CEB604Message", "800"),
    ]
    place_condition(
        zone.ctx,
        ConditionCreate(subject_kind="enterprise", subject_key=XP.ecommerce.code, kind="block", reason="出口单货核查"),
        actor="officer",
    )
    arrival = _arrive(zone, XP, "EX20260302000902", "LE2026030200902", "ARR-902")
    assert arrival == [("CEB508Message", "399"), ("CEB604Message", "300")]
    with zone.ctx.uow() as uow:
        held = uow.session.scalars(
            select(ExportInventoryRecord).where(ExportInventoryRecord.order_no == "EX20260302000902")
        ).one()
        assert held.status == "300" and "出口单货核查" in (held.status_info or "")


def test_a_credit_level_s_inspection_rate_reaches_export_decisions(zone: Zone) -> None:
    seed_export_reference(zone.ctx)
    with zone.ctx.uow() as uow:
        add_measure(
            uow.session,
            source="credit",
            subject=(MeasureSubject.ENTERPRISE, XP.ecommerce.code),
            spec=MeasureSpec(
                MeasureKind.INSPECTION, "level D", "信用等级D：查验率", AT - timedelta(days=1), rate=Decimal(1)
            ),
            at=AT,
            actor="test",
        )
        uow.commit()
    arrival = _arrive(zone, XP, "EX20260302000903", "LE2026030200903", "ARR-903")
    assert arrival == [("CEB508Message", "399"), ("CEB604Message", "500")]
