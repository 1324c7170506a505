"""One statement finds the keys of the inventories a message meets and locks every key, sorted (PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from tests.builders import PARTIES, a_set
from tests.zone import Zone, build_message

from cbec.clearance import repository as repo
from cbec.intake import ingest_message
from cbec.messages import render_message
from cbec.messages.signature import sign_document


def test_the_keys_of_an_inventory_under_other_keys_are_locked_with_the_message_keys(zone: Zone) -> None:
    if zone.ctx.engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite serialises writers (the caller looks keys up itself)")
    sent = a_set("ORD20260302000931")
    raw = sign_document(render_message(build_message([sent.inventory], PARTIES.ecommerce)), zone.signer)
    assert ingest_message(zone.ctx, raw).outcome == "processed"
    inventory = sent.inventory
    with zone.ctx.uow() as uow:
        session = uow.session
        locked = repo.lock_with_inventory_keys(
            session,
            ["order:ZZ:late", f"order:{inventory.platform_code}:{inventory.order_no}"],
            [(inventory.platform_code, inventory.order_no)],
            [],
        )
        held = session.execute(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
        ).scalar()
        nothing = repo.lock_with_inventory_keys(session, [], [], [])
    # the order's inventory names its waybill: that key is found and locked too, every key once, in sorted order
    assert locked == sorted(
        {
            "order:ZZ:late",
            f"order:{inventory.platform_code}:{inventory.order_no}",
            f"waybill:{inventory.logistics_code}:{inventory.logistics_no}",
        }
    )
    assert (held, nothing) == (3, [])
