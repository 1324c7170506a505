"""Pure parts of a confirmed consumer report's block (cbec.risk.conditions.reports): the reason in plain words, the
origin that makes it once per report, and the default expiry the settings ship."""

from __future__ import annotations

from cbec.config import Settings
from cbec.risk.conditions.reports import DEFAULT_DAYS, origin_of, reason_of
from cbec.sharing.catalogue import ReportPayload

REPORT = ReportPayload(
    reference_no="CR20260302000007",
    outcome="confirmed",
    eport_no="46012026I000000001",
    inventory_no="640120261000000001",
    order_no="ORD20260302000001",
    ecommerce_code="4601960002",
    platform_code="4601960001",
    buyer_key="ab" * 32,
    on="2026-03-02",
)


def test_the_reason_names_the_report_and_the_inventory_and_never_the_key() -> None:
    assert reason_of(REPORT) == (
        "消费者举报 CR20260302000007 经核实属实：该身份证件曾被他人冒用（清单 46012026I000000001），"
        "此后以该证件申报的清单须人工审核 / consumer report CR20260302000007 confirmed: this ID was misused "
        "(inventory 46012026I000000001); its further inventories are reviewed by an officer"
    )
    assert "ab" * 32 not in reason_of(REPORT)


def test_the_origin_is_the_report_and_fits_its_column() -> None:
    assert origin_of("CR20260302000007") == "consumer report CR20260302000007"
    assert len(origin_of("CR20260302000007")) <= 60  # risk_condition.origin is String(60)


def test_the_shipped_expiry_is_180_days_and_the_setting_agrees() -> None:
    assert DEFAULT_DAYS == 180
    assert Settings.model_fields["risk_report_block_days"].default == DEFAULT_DAYS
