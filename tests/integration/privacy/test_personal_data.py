"""Personal data: key rotation online and resumable with stable blind indexes, retention purge, audited reveal."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from tests.builders import BUYER, PARTIES, SERUM, a_set
from tests.zone import Zone

from cbec.audit.models import AuditRecord
from cbec.audit.service import verify_audit_chain
from cbec.bootstrap import make_cipher
from cbec.clearance.models import InventoryRecord, OrderRecord, PaymentRecord
from cbec.common.clock import FixedClock
from cbec.common.errors import InvalidInput
from cbec.enterprises.models import Enterprise
from cbec.privacy import PersonalDataPurged, purge_personal_data, reveal_inventory_buyer, rotate_personal_data
from cbec.quota.service import used
from cbec.storage.context import Context

OLD = base64.b64encode(b"k" * 32).decode()
NEW = base64.b64encode(b"n" * 32).decode()


def release(zone: Zone, order_no: str = "ORD20260302000001", **overrides: object) -> str:
    s = a_set(order_no, items=[(SERUM, Decimal(1))], trade_mode="1210", **overrides)
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    result = zone.send([s.inventory], PARTIES.agent)
    number = result.receipts[-1].inventory_no
    assert number is not None and result.receipts[-1].status == "800"
    return number


def rotate_to_new_key(ctx: Context) -> None:
    ctx.settings = ctx.settings.model_copy(
        update={"data_key": NEW, "data_key_id": "k2", "data_old_keys": f"k1:{OLD}", "data_index_key": OLD}
    )
    ctx.cipher = make_cipher(ctx.settings)


def payload_key_ids(ctx: Context) -> list[str]:
    with ctx.uow() as uow:
        tokens = [
            *uow.session.scalars(select(OrderRecord.payload)),
            *uow.session.scalars(select(InventoryRecord.payload)),
        ]
        tokens += [t for t in uow.session.scalars(select(Enterprise.contact_name_enc)) if t]
    return sorted({t.split(":", 1)[0] for t in tokens})


def quota_used(ctx: Context) -> Decimal:
    with ctx.uow() as uow:
        return used(uow.session, ctx.cipher.blind_index(BUYER.id_number), 2026)


def test_rotation_reencrypts_everything_while_lookups_keep_working(zone: Zone) -> None:
    ctx = zone.ctx
    release(zone)
    spent = quota_used(ctx)
    assert spent > 0 and payload_key_ids(ctx) == ["k1"]
    rotate_to_new_key(ctx)
    assert quota_used(ctx) == spent  # the blind index did not move with the key
    release(zone, "ORD20260302000002")  # new writes use the new key, old ones are still read
    assert payload_key_ids(ctx) == ["k1", "k2"]
    assert quota_used(ctx) == spent * 2
    report = rotate_personal_data(ctx, batch_size=2, actor="ops")
    assert (report.reencrypted["import_order"], report.reencrypted["import_inventory"], report.unreadable) == (1, 1, [])
    assert payload_key_ids(ctx) == ["k2"]
    ctx.settings = ctx.settings.model_copy(update={"data_old_keys": None})
    ctx.cipher = make_cipher(ctx.settings)  # the old key is gone: everything still reads
    assert (
        reveal_inventory_buyer(ctx, release(zone, "ORD20260302000003"), actor="a", reason="r").buyer_name == BUYER.name
    )
    assert quota_used(ctx) == spent * 3
    with ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).where(AuditRecord.action == "privacy.keys.rotated")) == 1
    assert verify_audit_chain(ctx).ok


def test_an_interrupted_rotation_resumes_where_it_stopped(zone: Zone) -> None:
    ctx = zone.ctx
    for n in range(1, 4):
        release(zone, f"ORD2026030200000{n}")
    rotate_to_new_key(ctx)

    def stop(table: str, done: int) -> None:
        if table == "import_order" and done >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate_personal_data(ctx, batch_size=2, progress=stop)
    assert payload_key_ids(ctx) == ["k1", "k2"]
    report = rotate_personal_data(ctx, batch_size=2)
    assert report.reencrypted["import_order"] == 1  # the two done before the stop are not done again
    assert payload_key_ids(ctx) == ["k2"]


def test_old_keys_without_a_blind_index_key_are_refused(ctx: Context) -> None:
    settings = ctx.settings.model_copy(update={"data_key": NEW, "data_key_id": "k2", "data_old_keys": f"k1:{OLD}"})
    with pytest.raises(ValueError, match="CBEC_DATA_INDEX_KEY"):
        make_cipher(settings)


def test_reveal_returns_the_buyer_and_records_who_and_why(zone: Zone) -> None:
    number = release(zone)
    revealed = reveal_inventory_buyer(zone.ctx, number, actor="officer-li", reason="查验：核对身份")
    assert (revealed.buyer_name, revealed.buyer_id_number, revealed.buyer_phone, revealed.consignee_address) == (
        BUYER.name,
        BUYER.id_number,
        BUYER.phone,
        BUYER.address,
    )
    with zone.ctx.uow() as uow:
        record = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.action == "privacy.inventory_buyer.revealed")
        ).one()
        assert (record.actor, record.reason, record.entity_key) == ("officer-li", "查验：核对身份", revealed.eport_no)
        assert BUYER.id_number not in json.dumps(record.after, ensure_ascii=False)


def test_reveal_without_a_reason_reads_nothing(zone: Zone) -> None:
    number = release(zone)
    with pytest.raises(InvalidInput) as refused:
        reveal_inventory_buyer(zone.ctx, number, actor="officer-li", reason="  ")
    assert [p.rule_id for p in refused.value.problems] == ["PRIVACY-REASON"]
    with zone.ctx.uow() as uow:
        count = uow.session.scalar(select(func.count()).where(AuditRecord.action == "privacy.inventory_buyer.revealed"))
    assert count == 0


def test_purge_removes_personal_data_past_retention_and_keeps_the_business(zone: Zone) -> None:
    ctx = zone.ctx
    number = release(zone)
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=400))
    release(zone, "ORD20260302000002", buyer=replace(BUYER, name="李娜"))  # recent: kept
    ctx.settings = ctx.settings.model_copy(update={"personal_data_retention_days": 365})
    with pytest.raises(InvalidInput) as early:
        purge_personal_data(ctx, before=date(2027, 3, 1))
    assert [p.rule_id for p in early.value.problems] == ["PRIVACY-RETENTION"]
    report = purge_personal_data(ctx, actor="dpo")
    assert report.purged == {
        "import_order": 1,
        "import_payment": 1,
        "import_waybill": 1,
        "import_inventory": 1,
        "import_cancel": 0,
        "import_return": 0,
    }
    assert purge_personal_data(ctx).total == 0  # nothing twice
    with ctx.uow() as uow:
        old, recent = list(uow.session.scalars(select(OrderRecord).order_by(OrderRecord.id)))
        old_twin = json.loads(ctx.cipher.decrypt(old.payload))
        recent_twin = json.loads(ctx.cipher.decrypt(recent.payload))
        first_payment = uow.session.scalars(select(PaymentRecord).order_by(PaymentRecord.id)).first()
        assert first_payment is not None
        payment = json.loads(ctx.cipher.decrypt(first_payment.payload))
        keys = sorted(uow.session.scalars(select(OrderRecord.buyer_key)))
    assert (old_twin["buyer_name"], old_twin["buyer_id_number"], old_twin["consignee_address"]) == ("", "", "")
    assert (old_twin["order_no"], old_twin["actual_paid"]) == ("ORD20260302000001", recent_twin["actual_paid"])
    assert (payment["payer_name"], payment["payer_id_number"]) == ("", "")
    assert recent_twin["buyer_name"] == "李娜"
    assert ctx.cipher.blind_index(BUYER.id_number) in keys and len(set(keys)) == 2
    with pytest.raises(PersonalDataPurged):
        reveal_inventory_buyer(ctx, number, actor="a", reason="r")
    assert verify_audit_chain(ctx).ok
