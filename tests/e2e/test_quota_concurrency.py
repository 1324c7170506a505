"""Concurrent intake on PostgreSQL: the annual quota holds, and a message sent by many at once is stored once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import text
from tests.builders import MILK, PARTIES, a_set
from tests.conftest import is_postgres_run
from tests.zone import Zone

from cbec.demo.builders import build_message
from cbec.intake import ingest_message
from cbec.messages import render_message
from cbec.messages.signature import sign_document
from cbec.quota.service import used

pytestmark = pytest.mark.skipif(not is_postgres_run(), reason="needs PostgreSQL (CBEC_TEST_DATABASE_URL)")


def test_parallel_inventories_for_one_buyer_stop_at_the_annual_limit(zone: Zone) -> None:
    expensive = replace(MILK, unit_price=Decimal("4990.00"), item_record_no="T4601W000001-0001")
    sets = [a_set(f"ORDPAR{n:04d}", items=[(expensive, Decimal(1))], trade_mode="1210") for n in range(10)]
    for s in sets:
        zone.send([s.order], PARTIES.ecommerce)
        zone.send([s.payment], PARTIES.payment)
        zone.send([s.waybill], PARTIES.logistics)
    messages = [sign_document(render_message(build_message([s.inventory], PARTIES.agent)), zone.signer) for s in sets]

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda xml: ingest_message(zone.ctx, xml), messages))

    finals = [r.receipts[-1].status for r in results]
    # 4 990.00 + 10.00 freight = 5 000.00 each: five fit in 26 000.00, the sixth would make 30 000.00.
    assert sorted(finals) == ["100"] * 5 + ["800"] * 5
    refused = [r.receipts[-1].info for r in results if r.receipts[-1].status == "100"]
    assert all("1313" in info for info in refused)
    with zone.ctx.uow() as uow:
        assert used(uow.session, zone.ctx.cipher.blind_index(sets[0].inventory.buyer_id_number), 2026) == Decimal(
            "25000.00"
        )


def test_the_same_message_sent_eight_times_at_once_is_stored_once_and_answered_alike(zone: Zone) -> None:
    s = a_set("ORDSAME0001", items=[(MILK, Decimal(1))])
    zone.send([s.order], PARTIES.ecommerce)
    zone.send([s.payment], PARTIES.payment)
    zone.send([s.waybill], PARTIES.logistics)
    xml = sign_document(render_message(build_message([s.inventory], PARTIES.agent)), zone.signer)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: ingest_message(zone.ctx, xml), range(8)))

    assert sorted(r.outcome for r in results) == ["duplicate"] * 7 + ["processed"]
    answers = {tuple((x.guid, x.status) for x in r.receipts) for r in results}
    assert len(answers) == 1  # every sender got the receipts of the one stored copy
    with zone.ctx.uow() as uow:
        rows = uow.session.execute(
            text("SELECT count(*) FROM ceb_message WHERE message_type = 'CEB621Message'")
        ).scalar_one()
        inventories = uow.session.execute(text("SELECT count(*) FROM import_inventory")).scalar_one()
    assert (rows, inventories) == (1, 1)
