"""The reference data shipped inside the package: complete, valid, consistent, and not read from ../shared."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import cbec.reference.service as service
from cbec.reference.rows import CodeRow, PositiveListRow, TariffRow, TaxParameterRow
from cbec.reference.rules import ReferenceKind

DATA = Path(service.__file__).parent / "data"


def builtin() -> dict[ReferenceKind, tuple[object, ...]]:
    return {kind: rows for kind, _, rows in service._builtin_rows()}


def test_builtin_data_parses_without_problems() -> None:
    counts = Counter(row.table_name for row in builtin()[ReferenceKind.CODES] if isinstance(row, CodeRow))
    assert counts == {
        "country": 243,
        "currency": 26,
        "unit": 123,
        "transport_mode": 18,
        "trade_mode": 100,
        "wrap_type": 7,
        "hs8": 8957,
    }


def test_cross_border_trade_modes_and_their_dates() -> None:
    modes = {row.code: row for row in builtin()[ReferenceKind.CODES] if isinstance(row, CodeRow)
             and row.table_name == "trade_mode"}  # fmt: skip
    assert {code: modes[code].name_zh for code in ("9610", "1210", "1239", "9710", "9810")} == {
        "9610": "电子商务",
        "1210": "保税电商",
        "1239": "保税电商A",
        "9710": "跨境电商B2B直接出口",
        "9810": "跨境电商出口海外仓",
    }
    assert modes["9710"].valid_from == date(2020, 7, 1)
    assert modes["9810"].source == "海关总署公告2020年第75号 (added by hand; not in the HXT enum)"
    assert modes["1210"].valid_from == date(2000, 1, 1)


def test_wrap_type_is_the_one_digit_ceb_set() -> None:
    wraps = {row.code: row.name_zh for row in builtin()[ReferenceKind.CODES] if isinstance(row, CodeRow)
             and row.table_name == "wrap_type"}  # fmt: skip
    assert wraps == {"1": "木箱", "2": "纸箱", "3": "桶装", "4": "散装", "5": "托盘", "6": "包", "7": "其它"}


def test_every_positive_list_line_exists_and_has_a_tariff_row() -> None:
    data = builtin()
    hs8 = {row.code for row in data[ReferenceKind.CODES] if isinstance(row, CodeRow) and row.table_name == "hs8"}
    tariff = {row.hs_prefix for row in data[ReferenceKind.TARIFF] if isinstance(row, TariffRow)}
    listed = [row for row in data[ReferenceKind.POSITIVE_LIST] if isinstance(row, PositiveListRow)]
    assert len(listed) == 33
    assert [row.hs8 for row in listed if row.hs8 not in hs8] == []
    assert [row.hs8 for row in listed if row.hs8 not in tariff] == []
    assert [
        row.hs_prefix
        for row in data[ReferenceKind.TARIFF]
        if isinstance(row, TariffRow) and row.hs_prefix[:8] not in hs8
    ] == []
    assert [row.hs8 for row in listed if row.valid_from > data_date(row)] == []


def data_date(row: PositiveListRow) -> date:
    return date(2022, 3, 1) if "2022年第7号" in row.source_doc else date(2020, 1, 1)


def test_remarks_of_the_demo_categories() -> None:
    listed = {row.hs8: row for row in builtin()[ReferenceKind.POSITIVE_LIST] if isinstance(row, PositiveListRow)}
    assert (listed["17019910"].qty_cap, listed["17019910"].qty_cap_unit) == (2, "035")
    assert (listed["10063020"].qty_cap, listed["10063020"].qty_cap_unit) == (20, "035")
    assert listed["08105000"].bonded_only is True
    assert listed["32151900"].named_goods == "家用打印机用墨水"
    assert listed["95045020"].valid_from == date(2022, 3, 1)


def test_every_unverified_duty_rate_says_so() -> None:
    for row in builtin()[ReferenceKind.TARIFF]:
        assert isinstance(row, TariffRow)
        assert row.note, row.hs_prefix
        assert "UNVERIFIED" in row.note or "seen on" in row.note or "provisional" in row.note, row.hs_prefix


def test_tax_parameters_cover_both_limit_periods() -> None:
    rows = sorted(
        ((r.name, r.valid_from, r.valid_to, r.value) for r in builtin()[ReferenceKind.TAX_PARAMETERS]
         if isinstance(r, TaxParameterRow) and r.name in ("single_limit", "annual_limit")),
    )  # fmt: skip
    assert rows == [
        ("annual_limit", date(2016, 4, 8), date(2018, 12, 31), 20000),
        ("annual_limit", date(2019, 1, 1), None, 26000),
        ("single_limit", date(2016, 4, 8), date(2018, 12, 31), 2000),
        ("single_limit", date(2019, 1, 1), None, 5000),
    ]


def test_package_code_never_reads_the_shared_folder() -> None:
    package = Path(service.__file__).parent
    for source in package.rglob("*.py"):
        assert "../shared" not in source.read_text(encoding="utf-8"), source
        assert "/work/" not in source.read_text(encoding="utf-8"), source
    assert (DATA / "SOURCES.md").exists()
