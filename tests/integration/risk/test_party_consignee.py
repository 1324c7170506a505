"""R5.1 through the consumer (ruleset 2026.6, L5): goods a consumer's ID paid for, shipped to the seller's own
filed contact phone, are a laundering alert; the same goods to anyone else are not. The
contact key of an enterprise filed before the column existed comes from ``fill_contact_keys`` (audited)."""

from __future__ import annotations

from sqlalchemy import select
from tests.builders import BUYER, OTHER_BUYER, PARTIES, a_set
from tests.zone import Zone

from cbec.audit.models import AuditRecord
from cbec.common.pseudonyms import subject_key
from cbec.demo.builders import Buyer
from cbec.enterprises import fill_contact_keys
from cbec.enterprises.models import Enterprise
from cbec.risk.service import apply_events, list_alerts

SELLER_PHONE = "+86 139 0013 9000"  # OTHER_BUYER's phone, written another way: keys compare normalised phones


def _send(zone: Zone, order_no: str, buyer: Buyer) -> None:
    s = a_set(order_no, buyer=buyer)
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    zone.send([s.inventory], PARTIES.agent)


def test_goods_shipped_to_the_seller_s_own_phone_are_a_laundering_alert(zone: Zone) -> None:
    with zone.ctx.uow() as uow:  # a contact phone stored before contact keys existed
        seller = uow.session.scalars(select(Enterprise).where(Enterprise.customs_code == PARTIES.ecommerce.code)).one()
        seller.contact_phone_enc = zone.ctx.cipher.encrypt(SELLER_PHONE)
        uow.commit()
    assert fill_contact_keys(zone.ctx, actor="ops") == 1
    assert fill_contact_keys(zone.ctx, actor="ops") == 0  # nothing stale the second time
    with zone.ctx.uow() as uow:
        seller = uow.session.scalars(select(Enterprise).where(Enterprise.customs_code == PARTIES.ecommerce.code)).one()
        assert seller.contact_phone_key == subject_key(zone.ctx.cipher.blind_index, "phone", OTHER_BUYER.phone)
        [audit] = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.action == "enterprises.contact_keys.filled")
        )
        assert (audit.actor, audit.after) == ("ops", {"keys": 1})

    _send(zone, "ORD20260302730001", OTHER_BUYER)  # shipped to the seller's own phone
    _send(zone, "ORD20260302730002", BUYER)
    apply_events(zone.ctx)
    laundering = list_alerts(zone.ctx, typology="laundering")
    assert [(a.order_no, a.score, [c.rule for c in a.contributions]) for a in laundering] == [
        ("ORD20260302730001", 40, ["L5"])
    ]
    [contribution] = laundering[0].contributions
    assert contribution.inputs == {"doc.party_consignee": "1"}
    assert contribution.reason_en.startswith("the consignee phone is the filed contact phone of the inventory's seller")
