"""A zone for B2B identification: reference data, one filed platform, USD and EUR customs rates for Dec–Feb."""

from __future__ import annotations

from pathlib import Path

import pytest

from cbec.common.ids import make_uscc
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import approve_enterprise, file_enterprise
from cbec.exports.service.reference import load_export_rates
from cbec.reference.service import seed_builtin
from cbec.statistics.b2b.synthetic import FILED_PLATFORM
from cbec.storage.context import Context

# Third Wednesdays (the customs-rate days of the following month): test values, not official ones.
RATES = """currency,rate_date,cny_per_unit,source
502,2025-12-17,7.1000,test value (not official)
502,2026-01-21,7.1000,test value (not official)
502,2026-02-18,7.1000,test value (not official)
300,2025-12-17,7.8500,test value (not official)
300,2026-01-21,7.8500,test value (not official)
300,2026-02-18,7.8500,test value (not official)
"""


def prepare_zone(ctx: Context, folder: Path) -> None:
    """Seed reference data, file and approve the platform the orders cite, load the customs rates."""
    seed_builtin(ctx)
    create = EnterpriseCreate(
        uscc=make_uscc("91460100MA5TPLAT0"),
        customs_code=FILED_PLATFORM,
        name="海南跨境B2B平台有限公司",
        roles=["ecommerce_platform"],
    )
    file_enterprise(ctx, create)
    approve_enterprise(ctx, FILED_PLATFORM, reason="材料齐全", actor="zone-office")
    rates = folder / "rates.csv"
    rates.write_text(RATES, "utf-8")
    load_export_rates(ctx, rates, "exchange")


@pytest.fixture
def b2b(ctx: Context, tmp_path: Path) -> Context:
    """The test context with the zone prepared."""
    prepare_zone(ctx, tmp_path)
    return ctx
