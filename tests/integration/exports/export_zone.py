"""Export test zone: the standard cast as export parties, goods, and a way to send signed export messages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tests.builders import PARTIES
from tests.zone import Zone

from cbec.common.clock import SHANGHAI
from cbec.demo.exports import (
    ExportGoods,
    ExportParties,
    ExportParty,
    ExportSet,
    build_export_arrival,
    build_export_message,
)
from cbec.intake import IngestResult, ingest_message
from cbec.messages import render_message
from cbec.messages.export_documents import ExportDocument
from cbec.messages.signature import sign_document


def party(p: object) -> ExportParty:
    return ExportParty(p.code, p.name, p.dxp_id)  # type: ignore[attr-defined]


XP = ExportParties(
    platform=party(PARTIES.platform),
    ecommerce=party(PARTIES.ecommerce),
    payment=party(PARTIES.payment),
    logistics=party(PARTIES.logistics),
    agent=party(PARTIES.agent),
    site_operator=party(PARTIES.site_operator),
)
AT = datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
TEE = ExportGoods("SKU-TEE-01", "棉制针织T恤", "6109100011", Decimal("59.00"), weight_kg=Decimal("0.25"))
LAMP = ExportGoods("SKU-LAMP-02", "LED台灯", "9405210000", Decimal("120.00"), weight_kg=Decimal("1.2"))
PHONE = ExportGoods("SKU-PHONE-03", "智能手机", "8517130000", Decimal("1500.00"), weight_kg=Decimal("0.4"))


def send(zone: Zone, documents: list[ExportDocument], sender: ExportParty, *, sign: bool = False) -> IngestResult:
    """Render export documents as one CEB message (signed on request: optional for exports) and ingest it."""
    xml = render_message(build_export_message(documents, sender))
    if sign:
        xml = sign_document(xml, zone.signer)
    return ingest_message(zone.ctx, xml)


def statuses(result: IngestResult) -> list[tuple[str, str]]:
    return [(r.message_type.value, r.status) for r in result.receipts]


def release(zone: Zone, sets: list[ExportSet], *, ref: str) -> list[str]:
    """Send orders, waybills and inventories, let the parcels arrive (all released); return the inventory numbers."""
    send(zone, [s.order for s in sets], XP.platform)
    send(zone, [s.waybill for s in sets], XP.logistics)
    send(zone, [s.inventory for s in sets], XP.agent)
    arrival = send(
        zone, [build_export_arrival(XP, [s.waybill.logistics_no for s in sets], at=AT, ref=ref)], XP.site_operator
    )
    receipts = [r for r in arrival.receipts if r.message_type.value == "CEB604Message"]
    assert [r.status for r in receipts] == ["399", "800"] * len(sets)
    return [r.inventory_no or "" for r in receipts[1::2]]
