"""Pure product-filing rules: every field checked against given code tables and goods rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from cbec.common.errors import Problem
from cbec.products.rules import (
    ProductDraft,
    ProductStatus,
    ProductTransition,
    check_product,
    check_product_transition,
    make_product_draft,
    product_differences,
)
from cbec.reference.rules import CodeName, CodeTables, GoodsRule

CODES = CodeTables(
    date(2026, 3, 2),
    {
        "country": {"116": CodeName("日本"), "502": CodeName("美国")},
        "unit": {code: CodeName(code) for code in ("142", "035", "096", "036", "020", "008", "011")},
        "hs8": {"33049900": CodeName("其他美容品"), "85171300": CodeName("智能手机")},
    },
)
SERUM_RULE = GoodsRule(
    hs8="33049900",
    description_zh="其他美容品或化妆品及护肤品",
    on_positive_list=True,
    bonded_only=False,
    qty_cap=None,
    qty_cap_unit=None,
    named_goods=None,
    duty_rate=Decimal("0.01"),
    vat_rate=Decimal("0.13"),
    ct_kind="ad_valorem",
    ct_rate=Decimal("0.15"),
    ct_threshold=Decimal("10"),
    ct_threshold_basis="per_ml_or_g",
    source="test",
    ct_threshold_piece=Decimal("15"),
)


def serum(**overrides: str) -> tuple[ProductDraft, list[Problem]]:
    fields: dict[str, str] = {
        "owner_code": "4601960002",
        "item_no": "SKU-SERUM-50",
        "name": "精华液50毫升",
        "hs_code": "3304990099",
        "specification": "50毫升/瓶",
        "brand": "雪肌",
        "origin_country": "116",
        "transaction_unit": "142",
        "legal_unit": "035",
        "net_content": "50",
        "net_content_unit": "096",
    }
    fields.update(overrides)
    return make_product_draft(**fields)  # type: ignore[arg-type]  # keyword names checked at run time


def test_valid_product_has_no_problem() -> None:
    draft, problems = serum()
    assert problems == []
    assert check_product(draft, CODES, SERUM_RULE) == []


def test_draft_is_normalised() -> None:
    draft, _ = serum(owner_code=" 4601960aa2 ", brand="  ", net_content="50.00")
    assert (draft.owner_code, draft.brand, draft.net_content) == ("4601960AA2", None, Decimal("50"))


def test_every_problem_is_reported() -> None:
    draft, parse_problems = serum(
        item_no="X" * 21,
        name="",
        hs_code="33049900",
        specification="",
        origin_country="999",
        transaction_unit="000",
        legal_unit_2="001",
        net_content="fifty",
        barcode="9" * 51,
    )
    problems = parse_problems + check_product(draft, CODES, SERUM_RULE, "row[2].", unreadable_net_content=True)
    assert [(p.rule_id, p.field) for p in problems] == [
        ("PRD-NET-CONTENT", "net_content"),
        ("PRD-TOO-LONG", "row[2].item_no"),
        ("PRD-REQUIRED", "row[2].name"),
        ("PRD-REQUIRED", "row[2].specification"),
        ("PRD-TOO-LONG", "row[2].barcode"),
        ("PRD-HS-FORMAT", "row[2].hs_code"),
        ("PRD-COUNTRY", "row[2].origin_country"),
        ("PRD-UNIT", "row[2].transaction_unit"),
        ("PRD-UNIT", "row[2].legal_unit_2"),
    ]


def test_unknown_tariff_line_is_refused() -> None:
    draft, _ = serum(hs_code="9999999999")
    [problem] = check_product(draft, CODES, None)
    assert (problem.rule_id, problem.message) == (
        "PRD-HS-UNKNOWN",
        "税则号列 99999999 不存在 / tariff line 99999999 is not in the tariff",
    )


def test_known_tariff_line_without_goods_rule_is_accepted() -> None:
    draft, _ = serum(hs_code="8517130000", net_content="1", net_content_unit="011")
    assert check_product(draft, CODES, None) == []


@pytest.mark.parametrize(("content", "rule"), [("0", "PRD-NET-CONTENT"), ("-1", "PRD-NET-CONTENT")])
def test_net_content_must_be_positive(content: str, rule: str) -> None:
    draft, _ = serum(net_content=content)
    assert [p.rule_id for p in check_product(draft, CODES, SERUM_RULE)] == [rule]


def test_cosmetic_net_content_must_be_comparable_with_the_threshold() -> None:
    draft, _ = serum(net_content="1", net_content_unit="142")
    assert [p.rule_id for p in check_product(draft, CODES, SERUM_RULE)] == ["REF-NET-CONTENT-UNIT"]
    sheets, _ = serum(net_content="10", net_content_unit="020")
    assert check_product(sheets, CODES, SERUM_RULE) == []


def test_the_unit_gross_weight_is_optional_and_normalised() -> None:
    none, _ = serum()
    blank, _ = serum(unit_gross_weight="  ")
    weighed, problems = serum(unit_gross_weight="0.1100")
    assert (none.unit_gross_weight, blank.unit_gross_weight, weighed.unit_gross_weight) == (None, None, Decimal("0.11"))
    assert problems == [] and check_product(weighed, CODES, SERUM_RULE) == []
    assert product_differences(none, weighed) == ["unit_gross_weight"]


RANGE = "单位毛重须大于0且不超过1000千克 / the unit gross weight must be above 0 and at most 1000 kg, got "


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        ("0", RANGE + "0"),
        ("-0.2", RANGE + "-0.2"),
        ("1000.00001", RANGE + "1000.00001"),
        ("0.000001", "单位毛重最多5位小数 / the unit gross weight has more than 5 decimal places: 0.000001"),
    ],
)
def test_a_unit_gross_weight_out_of_range_is_refused(weight: str, message: str) -> None:
    draft, _ = serum(unit_gross_weight=weight)
    [problem] = check_product(draft, CODES, SERUM_RULE, "row[3].")
    assert (problem.rule_id, problem.field) == ("PRD-GROSS-WEIGHT", "row[3].unit_gross_weight")
    assert problem.message == message


def test_the_unit_gross_weight_edges_are_accepted() -> None:
    for weight in ("1000", "0.00001", "1E+2"):
        draft, problems = serum(unit_gross_weight=weight)
        assert problems == [] and check_product(draft, CODES, SERUM_RULE) == [], weight


def test_an_unreadable_unit_gross_weight_is_a_problem_of_its_own() -> None:
    draft, problems = serum(unit_gross_weight="1.2kg")
    assert [(p.rule_id, p.field) for p in problems] == [("PRD-GROSS-WEIGHT", "unit_gross_weight")]
    assert draft.unit_gross_weight is None and check_product(draft, CODES, SERUM_RULE) == []


@pytest.mark.parametrize(
    ("status", "transition", "allowed"),
    [
        (ProductStatus.PENDING, ProductTransition.APPROVE, True),
        (ProductStatus.APPROVED, ProductTransition.APPROVE, False),
        (ProductStatus.REVOKED, ProductTransition.APPROVE, False),
        (ProductStatus.PENDING, ProductTransition.REVOKE, True),
        (ProductStatus.APPROVED, ProductTransition.REVOKE, True),
        (ProductStatus.REVOKED, ProductTransition.REVOKE, False),
    ],
)
def test_product_lifecycle(status: ProductStatus, transition: ProductTransition, allowed: bool) -> None:
    problems = check_product_transition(status, transition, "核对无误", "officer")
    assert [p.rule_id for p in problems] == ([] if allowed else ["PRD-TRANSITION"])


def test_product_differences() -> None:
    draft, _ = serum()
    assert product_differences(draft, replace(draft, hs_code="3304990011", net_content=Decimal("30"))) == [
        "hs_code",
        "net_content",
    ]
