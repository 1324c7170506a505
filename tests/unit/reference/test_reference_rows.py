"""Parsing of reference-data rows: typed rows out, every problem reported with its row and column."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from cbec.common.errors import Problem
from cbec.reference.rows import CodeRow, PositiveListRow, TariffRow, TaxParameterRow, parse_records
from cbec.reference.rules import ReferenceKind

TARIFF_HEADER = [
    "hs_prefix",
    "duty_rate",
    "vat_rate",
    "ct_kind",
    "ct_rate",
    "ct_threshold",
    "ct_threshold_piece",
    "ct_threshold_basis",
    "note",
    "source",
    "valid_from",
    "valid_to",
]


def records(*rows: Mapping[str, str]) -> list[tuple[int, Mapping[str, str]]]:
    return [(index, row) for index, row in enumerate(rows, 2)]


def tariff(**overrides: str) -> dict[str, str]:
    row = {
        "hs_prefix": "33049900",
        "duty_rate": "0.01",
        "vat_rate": "0.13",
        "ct_kind": "ad_valorem",
        "ct_rate": "0.15",
        "ct_threshold": "10",
        "ct_threshold_piece": "15",
        "ct_threshold_basis": "per_ml_or_g",
        "note": "",
        "source": "财税〔2016〕103号",
        "valid_from": "2019-04-01",
        "valid_to": "",
    }
    row.update(overrides)
    return row


def test_code_row_with_defaults_from_the_manifest() -> None:
    rows, problems = parse_records(
        ReferenceKind.CODES,
        ["code", "name_zh", "name_en", "alias"],
        records({"code": "142", "name_zh": "中国", "name_en": "China", "alias": "CHN"}),
        defaults={"table": "country", "valid_from": "2000-01-01", "source": "chinautils"},
    )
    assert problems == []
    assert rows == [CodeRow("country", "142", "中国", "China", "CHN", date(2000, 1, 1), None, "chinautils")]


def test_every_bad_code_row_is_reported() -> None:
    header = ["table", "code", "name_zh", "valid_from", "valid_to", "source"]
    rows, problems = parse_records(
        ReferenceKind.CODES,
        header,
        records(
            {"table": "country", "code": "14", "name_zh": "中国", "valid_from": "2000-01-01", "source": "s"},
            {"table": "planet", "code": "3", "name_zh": "地球", "valid_from": "2000-01-01", "source": "s"},
            {"table": "unit", "code": "035", "name_zh": "", "valid_from": "2000-13-01", "source": ""},
            {
                "table": "unit",
                "code": "036",
                "name_zh": "克",
                "valid_from": "2020-01-01",
                "valid_to": "2019-01-01",
                "source": "s",
            },
        ),
    )
    assert rows == []
    assert [(p.rule_id, p.field) for p in problems] == [
        ("REF-CODE-FORMAT", "row[2].code"),
        ("REF-TABLE", "row[3].table"),
        ("REF-REQUIRED", "row[4].name_zh"),
        ("REF-REQUIRED", "row[4].source"),
        ("REF-DATE", "row[4].valid_from"),
        ("REF-SPAN", "row[5].valid_to"),
    ]


def test_missing_and_unknown_columns_are_reported_on_the_header() -> None:
    rows, problems = parse_records(ReferenceKind.TAX_PARAMETERS, ["name", "value", "vaild_from"], records())
    assert rows == []
    assert problems == [
        Problem(
            "REF-COLUMNS",
            "row[1]",
            "缺少列 / missing columns: source, valid_from",
            "Columns of a tax-parameters file: name, source, valid_from, value (required); valid_to.",
        ),
        Problem(
            "REF-COLUMNS",
            "row[1]",
            "未知列 / unknown columns: vaild_from",
            "Columns of a tax-parameters file: name, source, valid_from, value (required); valid_to.",
        ),
    ]


def test_duplicate_key_and_date_is_reported_on_the_later_row() -> None:
    rows, problems = parse_records(
        ReferenceKind.TAX_PARAMETERS,
        ["name", "value", "valid_from", "source"],
        records(
            {"name": "single_limit", "value": "5000", "valid_from": "2019-01-01", "source": "49号"},
            {"name": "single_limit", "value": "6000", "valid_from": "2019-01-01", "source": "49号"},
        ),
    )
    assert rows == [TaxParameterRow("single_limit", Decimal("5000"), date(2019, 1, 1), None, "49号")]
    assert [(p.rule_id, p.field, p.message) for p in problems] == [
        ("REF-DUPLICATE", "row[3].valid_from", "重复行 / the same key and valid_from as row 2")
    ]


def test_tax_parameter_names_and_days_are_checked() -> None:
    _, problems = parse_records(
        ReferenceKind.TAX_PARAMETERS,
        ["name", "value", "valid_from", "source"],
        records(
            {"name": "single_limt", "value": "5000", "valid_from": "2019-01-01", "source": "s"},
            {"name": "return_apply_days", "value": "30.5", "valid_from": "2019-01-01", "source": "s"},
            {"name": "annual_limit", "value": "-1", "valid_from": "2019-01-01", "source": "s"},
        ),
    )
    assert [(p.rule_id, p.field) for p in problems] == [
        ("REF-PARAMETER", "row[2].name"),
        ("REF-DAYS", "row[3].value"),
        ("REF-RANGE", "row[4].value"),
    ]


def test_tariff_row_is_typed() -> None:
    rows, problems = parse_records(ReferenceKind.TARIFF, TARIFF_HEADER, records(tariff()))
    assert problems == []
    assert rows == [
        TariffRow(
            "33049900",
            Decimal("0.01"),
            Decimal("0.13"),
            "ad_valorem",
            Decimal("0.15"),
            Decimal("10"),
            Decimal("15"),
            "per_ml_or_g",
            None,
            "财税〔2016〕103号",
            date(2019, 4, 1),
            None,
        )
    ]


def test_tariff_consistency_rules() -> None:
    _, problems = parse_records(
        ReferenceKind.TARIFF,
        TARIFF_HEADER,
        records(
            tariff(hs_prefix="3304990"),
            tariff(ct_kind="none"),
            tariff(ct_rate="", ct_threshold="", ct_threshold_piece="", ct_threshold_basis=""),
            tariff(ct_threshold_basis=""),
            tariff(vat_rate="1.3", ct_kind="specific", ct_threshold_basis="per_kg"),
            tariff(duty_rate="abc"),
        ),
    )
    assert [(p.rule_id, p.field) for p in problems] == [
        ("REF-HS-FORMAT", "row[2].hs_prefix"),
        ("REF-CT-NONE", "row[3].ct_kind"),
        ("REF-CT-RATE", "row[4].ct_rate"),
        ("REF-CT-BASIS", "row[5].ct_threshold_basis"),
        ("REF-RANGE", "row[6].vat_rate"),
        ("REF-CT-KIND", "row[6].ct_kind"),
        ("REF-CT-BASIS", "row[6].ct_threshold_basis"),
        ("REF-NUMBER", "row[7].duty_rate"),
    ]


def test_positive_list_caps_need_a_known_unit() -> None:
    header = ["hs8", "description_zh", "bonded_only", "qty_cap", "qty_cap_unit", "source_doc", "valid_from"]
    rows, problems = parse_records(
        ReferenceKind.POSITIVE_LIST,
        header,
        records(
            {"hs8": "17019910", "description_zh": "砂糖", "qty_cap": "2", "qty_cap_unit": "035",
             "source_doc": "2019年版清单", "valid_from": "2020-01-01"},
            {"hs8": "10063020", "description_zh": "精米", "qty_cap": "20", "qty_cap_unit": "",
             "source_doc": "s", "valid_from": "2020-01-01"},
            {"hs8": "08105000", "description_zh": "鲜猕猴桃", "bonded_only": "maybe", "source_doc": "s",
             "valid_from": "2020-01-01"},
            {"hs8": "10063080", "description_zh": "精米", "qty_cap": "20", "qty_cap_unit": "999",
             "source_doc": "s", "valid_from": "2020-01-01"},
        ),
        known_units=frozenset({"035"}),
    )  # fmt: skip
    assert rows == [
        PositiveListRow(
            "17019910", "砂糖", None, False, Decimal("2"), "035", None, "2019年版清单", date(2020, 1, 1), None
        )
    ]
    assert [(p.rule_id, p.field) for p in problems] == [
        ("REF-QTY-CAP", "row[3].qty_cap_unit"),
        ("REF-BOOLEAN", "row[4].bonded_only"),
        ("REF-UNIT", "row[5].qty_cap_unit"),
    ]


def test_bonded_only_words() -> None:
    header = ["hs8", "description_zh", "bonded_only", "source_doc", "valid_from"]
    rows, problems = parse_records(
        ReferenceKind.POSITIVE_LIST,
        header,
        records(
            *(
                {"hs8": f"0810500{i}", "description_zh": "x", "bonded_only": word, "source_doc": "s",
                 "valid_from": "2020-01-01"}
                for i, word in enumerate(["true", "Y", "是", "false", "0", ""])
            )
        ),
    )  # fmt: skip
    assert problems == []
    assert [row.bonded_only for row in rows if isinstance(row, PositiveListRow)] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
