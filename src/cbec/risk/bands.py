"""Unit-value bands from the trade facts (估价区间): refreshed by a use case, read by the consumer.

``refresh_bands`` recomputes every band from a year of import facts in one transaction: one per HS6, one per HS6
and origin, and one per HS6, origin and filed brand (the brand of the line's SKU in its seller's product filing,
``cbec.products.find_product``). ``BrandBook`` gives the consumer the filed brand of a line, each SKU looked up
once per batch (the look-up itself is cached under the product revision token).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from cbec.common.clock import business_date
from cbec.facts import Direction, InventoryLine, unit_values
from cbec.products import find_product
from cbec.risk import repository as repo
from cbec.risk.models import RiskBand
from cbec.risk.schemas import BandsReport
from cbec.risk.valuation import band_keys, band_of
from cbec.storage.context import Context


@dataclass(slots=True)
class BrandBook:
    """The filed brand of each (seller, SKU) a batch meets, looked up once."""

    session: Session
    _known: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def brand(self, ecommerce_code: str, item_no: str | None) -> str | None:
        """Return the brand the seller filed for the SKU; None without an item number, a filing or a brand."""
        if not item_no:
            return None
        key = (ecommerce_code, item_no)
        if key not in self._known:
            product = find_product(self.session, ecommerce_code, item_no)
            self._known[key] = product.brand if product is not None else None
        return self._known[key]

    def of(self, line: InventoryLine) -> str | None:
        """Return the filed brand of a facts line (``value_fields``' ``brand_of``)."""
        return self.brand(line.ecommerce_code, line.item_no)


def refresh_bands(ctx: Context, *, days: int = 365) -> BandsReport:
    """Recompute the robust unit-value bands (median, MAD) by HS6, HS6 × origin and HS6 × origin × brand from the
    import facts of the last days, replacing the stored ones."""
    now = ctx.clock.now()
    since = business_date(now) - timedelta(days=days - 1)
    with ctx.uow() as uow:
        brands = BrandBook(uow.session)
        units: dict[str, list[Decimal]] = defaultdict(list)
        lines = 0
        for line in unit_values(uow.session, Direction.IMPORT, since):
            unit = line.value_cny / line.quantity
            lines += 1
            for key in band_keys(line.hs_code, line.origin_country, brands.brand(line.ecommerce_code, line.item_no)):
                units[key].append(unit)
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
        lines=lines,
        since=since,
    )
