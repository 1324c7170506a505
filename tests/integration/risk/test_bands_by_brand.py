"""Unit-value bands by HS6, origin and filed brand (R4.1): a brand with a price level of its own is judged against
its peers once its band holds ``band_min_lines`` lines, and every other line of the HS6 against the wider band."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from tests.builders import MILK, PARTIES, a_set
from tests.zone import Zone

from cbec.demo.people import make_buyers
from cbec.products.schemas import ProductCreate
from cbec.products.service import approve_product, file_product
from cbec.risk.bands import refresh_bands
from cbec.risk.models import RiskBand
from cbec.risk.service import apply_events, list_alerts

LUX = replace(MILK, item_no="SKU-MILK-LUX", name="有机婴幼儿配方奶粉900克", unit_price=Decimal("600.00"))
PEERS = 30  # the shipped ruleset's band_min_lines


def _file_lux(zone: Zone) -> None:
    product = file_product(
        zone.ctx,
        ProductCreate(
            owner_code=PARTIES.ecommerce.code,
            item_no=LUX.item_no,
            name=LUX.name,
            hs_code=LUX.hs_code,
            specification="900g/罐",
            brand="Ｌｕｘ Dairy",  # full-width letters: the band key folds them
            origin_country="116",
            transaction_unit="122",
            legal_unit="035",
            net_content=Decimal("900"),
            net_content_unit="035",
        ),
    )
    approve_product(zone.ctx, product.id, reason="备案通过", actor="zone-office")


def _send(zone: Zone, sets: list) -> None:
    for attribute, party in (
        ("order", PARTIES.ecommerce),
        ("payment", PARTIES.payment),
        ("waybill", PARTIES.logistics),
        ("inventory", PARTIES.agent),
    ):
        zone.send([getattr(s, attribute) for s in sets], party)


def test_a_brand_priced_above_its_hs6_is_flagged_against_its_own_band(zone: Zone) -> None:
    _file_lux(zone)
    buyers = make_buyers(2 * PEERS + 2, seed=11, today=date(2026, 3, 2))
    history = [
        a_set(f"ORD2026030271{i:04d}", buyer=buyers[i], items=[(MILK if i % 2 else LUX, Decimal(1))])
        for i in range(2 * PEERS)
    ]
    _send(zone, history)
    apply_events(zone.ctx)
    report = refresh_bands(zone.ctx)
    assert (report.hs6, report.bands, report.lines) == (1, 3, 2 * PEERS)
    with zone.ctx.uow() as uow:
        bands = {b.key: (b.lines, b.median, b.mad) for b in uow.session.scalars(select(RiskBand))}
    assert bands == {
        "190110": (60, Decimal("449.00000"), Decimal("151.00000")),
        "190110|116": (60, Decimal("449.00000"), Decimal("151.00000")),
        "190110|116|luxdairy": (30, Decimal("600.00000"), Decimal("0.00000")),
    }

    # At 290 a Lux tin is under half its brand's price (z = 0.6745 × (290 − 600) / 30 = −7.0): under-valued. Against
    # the HS6 band (median 449, MAD 151) it would pass (z −0.71, ratio 0.65), as plain milk at 298 does.
    probes = [
        a_set("ORD20260302719001", buyer=buyers[-1], items=[(replace(LUX, unit_price=Decimal("290.00")), Decimal(1))]),
        a_set("ORD20260302719002", buyer=buyers[-2], items=[(MILK, Decimal(1))]),
    ]
    _send(zone, probes)
    apply_events(zone.ctx)
    [alert] = [a for a in list_alerts(zone.ctx, typology="undervaluation") if a.order_no.startswith("ORD202603027190")]
    assert alert.order_no == "ORD20260302719001"
    assert {c.rule for c in alert.contributions} == {"U1", "U2", "U3"}
    # (600 − 290) × 1 × 0.091 with P(illicit) ≈ 1 under a 5 % spread
    assert alert.expected_revenue == Decimal("28.21")
