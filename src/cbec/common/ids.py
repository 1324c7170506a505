"""Identifier checks (代码校验): resident ID numbers, unified social credit codes and customs codes.

Pure functions, no I/O. Resident identity numbers follow GB 11643-1999 (公民身份号码, ISO 7064 MOD 11-2);
unified social credit codes follow GB 32100-2015 (统一社会信用代码, MOD 31-3) with the embedded GB 11714
organisation code; customs registration codes (海关编码) are 10 characters.

python-stdnum is not used for the credit code because it rejects valid letter-initial codes (Y, N, A…;
ruling 8), and not for the ID number because it rejects HK/Macao/Taiwan residence permits and accepts
future birth dates (ruling 7).
"""

from __future__ import annotations

from datetime import date

from cbec.common.errors import Problem

# --- resident identity number (GB 11643-1999) -------------------------------------------------------------

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(17-i) mod 11
RESIDENT_ID_CHECK_CHARS = "10X98765432"
RESIDENT_ID_LENGTH = 18


def normalize_resident_id(text: str) -> str:
    """Return an ID number without surrounding blanks and with an upper-case check character X."""
    return text.strip().upper()


def resident_id_check_char(first17: str) -> str:
    """Return the GB 11643 check character of the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("the first 17 characters of an ID number must be digits")
    total = sum(int(ch) * weight for ch, weight in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def resident_id_birth_date(number: str) -> date | None:
    """Return the birth date encoded in an 18-character ID number, or None if it is not a calendar date."""
    digits = normalize_resident_id(number)[6:14]
    if len(digits) != 8 or not digits.isascii() or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def validate_resident_id(number: str, *, today: date, field: str = "id_number") -> list[Problem]:
    """Check a resident ID number (18 characters, checksum, real and past birth date); return every problem."""
    value = normalize_resident_id(number)
    if len(value) != RESIDENT_ID_LENGTH:
        extra = "; first-generation 15-digit numbers are no longer accepted" if len(value) == 15 else ""
        return [
            Problem(
                "ID-LENGTH",
                field,
                f"身份证号码应为18位 / The ID number must have 18 characters (got {len(value)}{extra})",
                "Enter the 18-character number printed on the second-generation resident identity card.",
            )
        ]
    head, check = value[:17], value[17]
    if not (head.isascii() and head.isdigit()) or check not in "0123456789X":
        return [
            Problem(
                "ID-FORMAT",
                field,
                "身份证号码格式错误 / The ID number must be 17 digits followed by a digit or X",
                "Remove letters, spaces or punctuation; only the last character may be X.",
            )
        ]
    problems: list[Problem] = []
    expected = resident_id_check_char(head)
    if check != expected:
        problems.append(
            Problem(
                "ID-CHECKSUM",
                field,
                f"身份证号码校验位错误（应为 {expected}，实为 {check}） / "
                f"The ID number check character is wrong (expected {expected}, got {check})",
                "Re-type the number from the identity card; one of the 18 characters is wrong.",
            )
        )
    birth = resident_id_birth_date(value)
    if birth is None:
        problems.append(
            Problem(
                "ID-BIRTHDATE",
                field,
                f"身份证号码出生日期无效 / The birth date {value[6:14]} in the ID number is not a calendar date",
                "Characters 7 to 14 are the birth date YYYYMMDD; check them against the identity card.",
            )
        )
    elif birth > today:
        problems.append(
            Problem(
                "ID-FUTURE",
                field,
                f"身份证号码出生日期晚于今天 / The birth date {birth.isoformat()} in the ID number is in the future",
                "Characters 7 to 14 are the birth date YYYYMMDD; check them against the identity card.",
            )
        )
    return problems


def make_resident_id(area: str, birth: date, seq: int) -> str:
    """Return a well-formed ID number for an area code, birth date and 3-digit sequence (demo data)."""
    if len(area) != 6 or not area.isascii() or not area.isdigit():
        raise ValueError("the area code must be 6 digits")
    if not 0 <= seq <= 999:
        raise ValueError("the sequence must be between 0 and 999")
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_char(first17)


# --- unified social credit code (GB 32100-2015) -----------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, ...
USCC_LENGTH = 18
# Registration-authority codes of GB 32100 table 1 (1-9 departments, A military, N agriculture, Y other).
USCC_AUTHORITIES = "123456789ANY"
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100 (MOD 31-3) check character of the first 17 characters of a credit code."""
    if len(first17) != 17 or any(ch not in USCC_ALPHABET for ch in first17):
        raise ValueError("the first 17 characters of a credit code must come from the GB 32100 alphabet")
    total = sum(USCC_ALPHABET.index(ch) * weight for ch, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """Return the GB 11714 check character of the first 8 characters of an organisation code."""
    if len(first8) != 8 or not first8.isascii() or not first8.isalnum() or first8 != first8.upper():
        raise ValueError("an organisation code body is 8 digits or upper-case letters")
    total = sum(int(ch, 36) * weight for ch, weight in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def validate_uscc(code: str, *, field: str = "uscc", check_org_code: bool = True) -> list[Problem]:
    """Check a unified social credit code per GB 32100, letter-initial codes included; return every problem.

    The authority code and the embedded GB 11714 organisation code are reported as warnings only.
    """
    value = code.strip().upper()
    if len(value) != USCC_LENGTH:
        return [
            Problem(
                "USCC-LENGTH",
                field,
                f"统一社会信用代码应为18位 / The unified social credit code must have 18 characters (got {len(value)})",
                "Copy the 18-character code from the business licence.",
            )
        ]
    bad = sorted({ch for ch in value if ch not in USCC_ALPHABET})
    if bad:
        return [
            Problem(
                "USCC-CHARSET",
                field,
                f"统一社会信用代码含非法字符 / The credit code contains characters outside the GB 32100 alphabet: "
                f"{' '.join(bad)}",
                "Credit codes never use I, O, Z, S or V; these are usually 1, 0, 2, 5 and U mistyped.",
            )
        ]
    problems: list[Problem] = []
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        problems.append(
            Problem(
                "USCC-CHECKSUM",
                field,
                f"统一社会信用代码校验位错误（应为 {expected}，实为 {value[17]}） / "
                f"The credit code check character is wrong (expected {expected}, got {value[17]})",
                "Re-type the code from the business licence; one of the 18 characters is wrong.",
            )
        )
    if value[0] not in USCC_AUTHORITIES:
        problems.append(
            Problem(
                "USCC-AUTHORITY",
                field,
                f"登记管理部门代码未知 / Unknown registration-authority code {value[0]!r}",
                "The first character should be 1-9, A, N or Y; check the code against the licence.",
                severity="warning",
            )
        )
    if check_org_code:
        org = value[8:17]
        if org_code_check_char(org[:8]) != org[8]:
            problems.append(
                Problem(
                    "USCC-ORG-CODE",
                    field,
                    f"组织机构代码校验位不符 / The embedded organisation code {org[:8]}-{org[8]} "
                    "fails the GB 11714 check",
                    "Older codes may predate GB 11714 checks; confirm the code on the national credit system.",
                    severity="warning",
                )
            )
    return problems


def make_uscc(prefix17: str) -> str:
    """Return a credit code made of 17 given characters and their check character (demo data)."""
    value = prefix17.strip().upper()
    return value + uscc_check_char(value)


# --- customs registration code (海关编码) ---------------------------------------------------------------------

CUSTOMS_CODE_LENGTH = 10


def validate_customs_code(code: str, *, field: str = "customs_code") -> list[Problem]:
    """Check a 10-character customs registration code of digits and upper-case letters."""
    if len(code) != CUSTOMS_CODE_LENGTH:
        return [
            Problem(
                "CUSTOMS-CODE-LENGTH",
                field,
                f"海关编码应为10位 / The customs code must have 10 characters (got {len(code)})",
                "Use the 10-character code from the customs registration certificate.",
            )
        ]
    if not all(ch.isascii() and (ch.isdigit() or ch.isupper()) for ch in code):
        return [
            Problem(
                "CUSTOMS-CODE-FORMAT",
                field,
                "海关编码只能包含数字和大写字母 / The customs code may contain only digits and upper-case letters",
                "Remove spaces and punctuation and write letters in upper case.",
            )
        ]
    return []
