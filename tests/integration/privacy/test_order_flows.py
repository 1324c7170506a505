"""The per-order view of information, money and goods flows (三流合一), personal data masked."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from tests.builders import AT, BUYER, PARTIES, SERUM, a_set
from tests.zone import Zone

from cbec.common.errors import NotFound
from cbec.demo.builders import build_arrival, build_cancel
from cbec.privacy import order_flows


def test_a_released_direct_purchase_shows_all_three_flows_in_time_order(zone: Zone) -> None:
    s = a_set(items=[(SERUM, Decimal(1))])
    for documents, party in (
        ([s.order], PARTIES.ecommerce),
        ([s.payment], PARTIES.payment),
        ([s.waybill], PARTIES.logistics),
        ([s.inventory], PARTIES.agent),
    ):
        zone.send(documents, party)
        zone.ctx.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    zone.send(
        [build_arrival(PARTIES, [s.waybill.logistics_no], bill_no=s.inventory.bill_no or "", at=AT)],
        PARTIES.site_operator,
    )
    view = order_flows(zone.ctx, PARTIES.platform.code, s.order.order_no)
    data = view.as_dict()
    [inventory] = data["information"]["inventories"]
    assert (inventory["status"], data["information"]["order"]["state"]) == ("800", "accepted")
    assert [r["status"] for r in inventory["receipts"]] == ["2", "120", "399", "800"]
    [payment] = data["money"]["payments"]
    assert payment["document"]["payer_name"] == "张*"
    [bill] = data["money"]["tax_bills"]
    assert (bill["status"], bill["inventory_no"]) == ("1", inventory["inventory_no"])
    [waybill] = data["goods"]["waybills"]
    assert waybill["arrival"]["bill_no"] == s.inventory.bill_no
    flows = [step["flow"] for step in data["timeline"]]
    assert {"information", "money", "goods"} <= set(flows)
    times = [datetime.fromisoformat(step["at"]) for step in data["timeline"]]
    assert times == sorted(times)
    whats = [step["what"] for step in data["timeline"]]
    assert whats.index("order received (CEB311)") < whats.index("inventory declared (CEB621)")
    assert whats.index("arrived at the supervised site (CEB711)") < whats.index("released (放行)")
    text = str(data)
    for value in (BUYER.name, BUYER.id_number, BUYER.phone, BUYER.address):
        assert value not in text


def test_a_cancel_shows_in_the_information_and_money_flows(zone: Zone) -> None:
    s = a_set(items=[(SERUM, Decimal(1))], trade_mode="1210")
    for documents, party in (
        ([s.order], PARTIES.ecommerce),
        ([s.payment], PARTIES.payment),
        ([s.waybill], PARTIES.logistics),
        ([s.inventory], PARTIES.agent),
    ):
        result = zone.send(documents, party)
    number = result.receipts[-1].inventory_no
    assert number is not None
    zone.ctx.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    zone.send([build_cancel(s.inventory, number, at=AT + timedelta(hours=1))], PARTIES.agent)
    data = order_flows(zone.ctx, PARTIES.platform.code, s.order.order_no).as_dict()
    [cancel] = data["information"]["cancels"]
    assert [r["status"] for r in cancel["receipts"]] == ["120", "399"]
    assert [b["status"] for b in data["money"]["tax_bills"]] == ["3"]
    assert data["information"]["inventories"][0]["cancelled_at"] is not None


def test_an_unknown_order_is_not_found(zone: Zone) -> None:
    with pytest.raises(NotFound):
        order_flows(zone.ctx, PARTIES.platform.code, "NOPE")
