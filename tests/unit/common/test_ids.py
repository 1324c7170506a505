"""Identifier checks: tax-rules.md §6 and §8 ID-1..ID-4, CC-1..CC-4; rulings 7 and 8."""

from __future__ import annotations

from datetime import date

import pytest

from cbec.common.ids import (
    make_resident_id,
    make_uscc,
    normalize_resident_id,
    org_code_check_char,
    resident_id_birth_date,
    resident_id_check_char,
    uscc_check_char,
    validate_customs_code,
    validate_resident_id,
    validate_uscc,
)

TODAY = date(2026, 3, 2)


def rule_ids(problems: list) -> list[str]:
    return [p.rule_id for p in problems]


# --- resident ID -------------------------------------------------------------------------------------------


def test_id_1_valid_with_x_check_char() -> None:
    assert resident_id_check_char("11010519491231002") == "X"
    assert validate_resident_id("11010519491231002X", today=TODAY) == []


def test_id_2_lower_case_x_is_valid_after_normalisation() -> None:
    assert normalize_resident_id(" 11010519491231002x ") == "11010519491231002X"
    assert validate_resident_id(normalize_resident_id("11010519491231002x"), today=TODAY) == []


def test_id_3_wrong_check_digit() -> None:
    problems = validate_resident_id("110105194912310021", today=TODAY)
    assert rule_ids(problems) == ["ID-CHECKSUM"]
    assert "expected X, got 1" in problems[0].message
    assert problems[0].field == "id_number"
    assert problems[0].hint


def test_id_4_fifteen_digit_number_is_refused() -> None:
    problems = validate_resident_id("110105491231002", today=TODAY)
    assert rule_ids(problems) == ["ID-LENGTH"]
    assert "15-digit" in problems[0].message


@pytest.mark.parametrize("number", ["", "1101051949123100", "11010519491231002X1"])
def test_other_lengths_are_refused(number: str) -> None:
    assert rule_ids(validate_resident_id(number, today=TODAY)) == ["ID-LENGTH"]


@pytest.mark.parametrize(
    "number", ["1101051949123100XX", "11010519491231002A", "11010519A91231002X", "１１０１０５１９４９１２３１００２X"]
)
def test_non_digits_are_a_format_problem(number: str) -> None:
    assert rule_ids(validate_resident_id(number, today=TODAY)) == ["ID-FORMAT"]


def test_impossible_birth_date_is_refused_even_with_a_good_checksum() -> None:
    number = "11010519490230001" + resident_id_check_char("11010519490230001")  # 30 February
    assert rule_ids(validate_resident_id(number, today=TODAY)) == ["ID-BIRTHDATE"]


def test_leap_day_is_a_real_date() -> None:
    number = make_resident_id("110105", date(2000, 2, 29), 12)
    assert validate_resident_id(number, today=TODAY) == []
    assert resident_id_birth_date(number) == date(2000, 2, 29)


def test_future_birth_date_is_refused() -> None:
    future = make_resident_id("110101", date(2030, 1, 1), 1)
    assert rule_ids(validate_resident_id(future, today=TODAY)) == ["ID-FUTURE"]
    # Born today is fine; born tomorrow is not.
    assert validate_resident_id(make_resident_id("110101", TODAY, 1), today=TODAY) == []
    tomorrow = make_resident_id("110101", date(2026, 3, 3), 1)
    assert rule_ids(validate_resident_id(tomorrow, today=TODAY)) == ["ID-FUTURE"]


def test_checksum_and_birth_date_problems_are_reported_together() -> None:
    number = "11010519490230001" + ("0" if resident_id_check_char("11010519490230001") != "0" else "1")
    assert rule_ids(validate_resident_id(number, today=TODAY)) == ["ID-CHECKSUM", "ID-BIRTHDATE"]


@pytest.mark.parametrize("area", ["810000", "820000", "830000"])
def test_hong_kong_macao_taiwan_residence_permits_are_accepted(area: str) -> None:
    assert validate_resident_id(make_resident_id(area, date(1990, 5, 17), 31), today=TODAY) == []


def test_make_resident_id_builds_the_id_1_vector() -> None:
    assert make_resident_id("110105", date(1949, 12, 31), 2) == "11010519491231002X"


@pytest.mark.parametrize(("area", "seq"), [("11010", 1), ("11010A", 1), ("110105", -1), ("110105", 1000)])
def test_make_resident_id_rejects_bad_parts(area: str, seq: int) -> None:
    with pytest.raises(ValueError):
        make_resident_id(area, date(1990, 1, 1), seq)


def test_custom_field_name_is_used() -> None:
    assert validate_resident_id("1", today=TODAY, field="buyerIdNumber")[0].field == "buyerIdNumber"


# --- unified social credit code ------------------------------------------------------------------------------


def test_cc_1_valid_and_org_code_passes() -> None:
    assert uscc_check_char("91110000600037341") == "L"
    assert org_code_check_char("60003734") == "1"
    assert validate_uscc("91110000600037341L") == []


def test_cc_2_wrong_check_char() -> None:
    problems = validate_uscc("91110000600037341N")
    assert rule_ids(problems) == ["USCC-CHECKSUM"]
    assert "expected L, got N" in problems[0].message


def test_cc_4_characters_outside_the_alphabet() -> None:
    problems = validate_uscc("9111000060003IOZSV")
    assert rule_ids(problems) == ["USCC-CHARSET"]
    assert "I O S V Z" in problems[0].message


@pytest.mark.parametrize("code", ["Y1110000MA01AB2C3C", "N2110105MA01AB2C3Y"])
def test_letter_initial_codes_are_valid(code: str) -> None:
    # Ruling 8: python-stdnum rejects these; GB 32100 does not. Both constructed vectors check out by arithmetic.
    assert validate_uscc(code) == []


def test_a_initial_stdnum_doctest_code_fails_only_by_checksum() -> None:
    # python-stdnum asserts A1110000600037341L is invalid; by MOD 31-3 its check character is K, not L.
    assert uscc_check_char("A1110000600037341") == "K"
    assert validate_uscc("A1110000600037341K") == []
    assert rule_ids(validate_uscc("A1110000600037341L")) == ["USCC-CHECKSUM"]


def test_lower_case_and_blanks_are_tolerated() -> None:
    assert validate_uscc(" 91110000600037341l ") == []


def test_wrong_length() -> None:
    assert rule_ids(validate_uscc("91110000600037341")) == ["USCC-LENGTH"]


def test_org_code_mismatch_is_a_warning_only() -> None:
    code = make_uscc("91110000600037342")  # embedded org code 60003734-2 fails GB 11714
    problems = validate_uscc(code)
    assert rule_ids(problems) == ["USCC-ORG-CODE"]
    assert problems[0].severity == "warning"
    assert validate_uscc(code, check_org_code=False) == []


def test_unknown_authority_code_is_a_warning() -> None:
    code = make_uscc("B1110000600037341")
    problems = validate_uscc(code)
    assert rule_ids(problems) == ["USCC-AUTHORITY"]
    assert problems[0].severity == "warning"


def test_make_uscc_round_trips() -> None:
    assert make_uscc("91110000600037341") == "91110000600037341L"
    with pytest.raises(ValueError):
        make_uscc("9111000060003734I")


def test_org_code_check_maps_10_to_x_and_11_to_0() -> None:
    # 0000000X: weights sum 0 → 11 - 0 = 11 → "0"
    assert org_code_check_char("00000000") == "0"
    found = {org_code_check_char(f"{n:08d}") for n in range(200)}
    assert "X" in found


# --- customs code --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["4601960001", "11059600AB", "ABCDEFGHIJ"])
def test_customs_code_valid(code: str) -> None:
    assert validate_customs_code(code) == []


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("460196000", "CUSTOMS-CODE-LENGTH"),
        ("46019600011", "CUSTOMS-CODE-LENGTH"),
        ("46019600a1", "CUSTOMS-CODE-FORMAT"),
        ("4601 60001", "CUSTOMS-CODE-FORMAT"),
        ("4601-60001", "CUSTOMS-CODE-FORMAT"),
    ],
)
def test_customs_code_invalid(code: str, rule: str) -> None:
    assert rule_ids(validate_customs_code(code)) == [rule]
