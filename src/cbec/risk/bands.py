"""Unit-value bands from the trade facts (估价区间): refreshed by a use case, read by the consumer.

``refresh_bands`` recomputes every band from a year of import facts in one transaction: one per HS6, one per HS6
and origin, and one per HS6, origin and filed brand (the brand of the line's SKU in its seller's product filing,
``cbec.products.filed_goods``, one query per 500 SKUs). ``filed_brand`` gives the consumer the filed brand of a line
from the batch's filings, the same read that gives the parcel weights (R2.3).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

from cbec.common.clock import business_date
from cbec.facts import Direction, unit_values
from cbec.products import FiledGoods, filed_goods
from cbec.risk import repository as repo
from cbec.risk.models import RiskBand
from cbec.risk.schemas import BandsReport
from cbec.risk.valuation import band_keys, band_of
from cbec.storage.context import Context


def filed_brand(filed: Mapping[tuple[str, str], FiledGoods], ecommerce_code: str, item_no: str | None) -> str | None:
    """Return the brand a seller filed for a SKU (``filed``: ``cbec.products.filed_goods`` of the batch); None
    without an item number, a filing or a brand."""
    goods = filed.get((ecommerce_code.strip(), item_no.strip())) if item_no else None
    return goods.brand if goods is not None else None


def refresh_bands(ctx: Context, *, days: int = 365) -> BandsReport:
    """Recompute the robust unit-value bands (median, MAD) by HS6, HS6 × origin and HS6 × origin × brand from the
    import facts of the last days, replacing the stored ones."""
    now = ctx.clock.now()
    since = business_date(now) - timedelta(days=days - 1)
    with ctx.uow() as uow:
        facts = unit_values(uow.session, Direction.IMPORT, since)
        filed = filed_goods(uow.session, {(v.ecommerce_code, v.item_no) for v in facts if v.item_no})
        units: dict[str, list[Decimal]] = defaultdict(list)
        for line in facts:
            brand = filed_brand(filed, line.ecommerce_code, line.item_no)
            for key in band_keys(line.hs_code, line.origin_country, brand):
                units[key].append(line.value_cny / line.quantity)
        rows = []
        for key, values in sorted(units.items()):
            band = band_of(values)
            rows.append(
                RiskBand(key=key, hs6=key[:6], lines=band.lines, median=band.median, mad=band.mad, computed_at=now)
            )
        repo.replace_bands(uow.session, rows)
        uow.commit()
    return BandsReport(
        hs6=sum(1 for row in rows if "|" not in row.key),
        bands=len(rows),
        lines=len(facts),
        since=since,
    )
