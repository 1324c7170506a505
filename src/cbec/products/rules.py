"""Pure rules of product filing (商品备案): the checks of one SKU and its lifecycle.

The service passes in what the checks need from the database: the code tables in force and the goods
rule of the HS code.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from enum import StrEnum

from cbec.common.errors import Problem
from cbec.common.money import parse_decimal
from cbec.reference import CodeTables, GoodsRule, net_content_unit_problems


class ProductStatus(StrEnum):
    """Where a product filing is in its lifecycle."""

    PENDING = "pending"
    APPROVED = "approved"
    REVOKED = "revoked"  # terminal


class ProductTransition(StrEnum):
    """A change of product status an officer can make."""

    APPROVE = "approve"
    REVOKE = "revoke"


TRANSITIONS: dict[ProductTransition, tuple[frozenset[ProductStatus], ProductStatus, str]] = {
    ProductTransition.APPROVE: (
        frozenset({ProductStatus.PENDING}),
        ProductStatus.APPROVED,
        "products.product.approved",
    ),
    ProductTransition.REVOKE: (
        frozenset({ProductStatus.PENDING, ProductStatus.APPROVED}),
        ProductStatus.REVOKED,
        "products.product.revoked",
    ),
}

ITEM_NO_MAX = 20  # CEB621 itemNo maxLength 20 (202205)
NAME_MAX = 250
SPECIFICATION_MAX = 510
BRAND_MAX = 100
BARCODE_MAX = 50
# The filed gross weight of one transaction unit, in kg (packed, as it leaves the shelf): above 0, at most
# GROSS_WEIGHT_MAX (a retail parcel's unit; more is a typing slip: grams written as kg), to the 5 places the
# column keeps (10 mg). Optional: risk compares an inventory's declared gross weight with it (R2.3, 空包).
GROSS_WEIGHT_MAX = Decimal(1000)
GROSS_WEIGHT_PLACES = 5


@dataclass(frozen=True, slots=True)
class ProductDraft:
    """The filed facts of a SKU, normalised (blanks trimmed, owner code upper-case)."""

    owner_code: str
    item_no: str
    name: str
    hs_code: str
    specification: str
    brand: str | None
    origin_country: str
    transaction_unit: str
    legal_unit: str
    legal_unit_2: str | None
    net_content: Decimal | None
    net_content_unit: str
    barcode: str | None
    unit_gross_weight: Decimal | None = None  # kg per transaction unit, optional


@dataclass(frozen=True, slots=True)
class ProductRef:
    """What clearance and tax need to know about a filed SKU."""

    id: int
    owner_code: str
    item_no: str
    name: str
    hs_code: str
    brand: str | None
    origin_country: str
    legal_unit: str
    legal_unit_2: str | None
    transaction_unit: str
    net_content: Decimal
    net_content_unit: str
    status: ProductStatus
    approved: bool


def _blank_to_none(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def make_product_draft(
    *,
    owner_code: str,
    item_no: str,
    name: str,
    hs_code: str,
    specification: str,
    origin_country: str,
    transaction_unit: str,
    legal_unit: str,
    net_content: str | Decimal | None,
    net_content_unit: str,
    brand: str | None = None,
    legal_unit_2: str | None = None,
    barcode: str | None = None,
    unit_gross_weight: str | Decimal | None = None,
    prefix: str = "",
) -> tuple[ProductDraft, list[Problem]]:
    """Normalise raw filing input; return the draft and the problems of an unreadable net content or unit gross
    weight, if any."""
    problems: list[Problem] = []
    weight: Decimal | None = None
    if isinstance(unit_gross_weight, Decimal):
        weight = unit_gross_weight
    elif _blank_to_none(unit_gross_weight) is not None:
        try:
            weight = parse_decimal(str(unit_gross_weight))
        except ValueError:
            problems.append(
                Problem(
                    "PRD-GROSS-WEIGHT",
                    f"{prefix}unit_gross_weight",
                    f"单位毛重不是数字 / unit gross weight {unit_gross_weight!r} is not a number",
                    "Write the gross weight of one transaction unit in kg, e.g. 1.15 for a 900 g tin, or leave it "
                    "empty.",
                )
            )
    content: Decimal | None = None
    if isinstance(net_content, Decimal):
        content = net_content
    elif _blank_to_none(net_content) is not None:
        try:
            content = parse_decimal(str(net_content))
        except ValueError:
            problems.append(
                Problem(
                    "PRD-NET-CONTENT",
                    f"{prefix}net_content",
                    f"净含量不是数字 / net content {net_content!r} is not a number",
                    "Write the net content of one transaction unit, e.g. 50 for a 50 ml bottle.",
                )
            )
    draft = ProductDraft(
        owner_code=owner_code.strip().upper(),
        item_no=item_no.strip(),
        name=name.strip(),
        hs_code=hs_code.strip(),
        specification=specification.strip(),
        brand=_blank_to_none(brand),
        origin_country=origin_country.strip(),
        transaction_unit=transaction_unit.strip(),
        legal_unit=legal_unit.strip(),
        legal_unit_2=_blank_to_none(legal_unit_2),
        net_content=content.normalize() if content is not None else None,
        net_content_unit=net_content_unit.strip(),
        barcode=_blank_to_none(barcode),
        unit_gross_weight=weight.normalize() if weight is not None else None,
    )
    return draft, problems


def _text_problem(value: str | None, field: str, label: str, max_len: int, *, required: bool) -> Problem | None:
    if not value:
        if required:
            column = field.split(".")[-1]
            return Problem("PRD-REQUIRED", field, f"{label}必填 / {column} is required", f"Give the {label}.")
        return None
    if len(value) > max_len:
        return Problem(
            "PRD-TOO-LONG",
            field,
            f"{label}超过{max_len}字 / longer than {max_len} characters",
            f"CEB messages carry at most {max_len} characters; shorten it.",
        )
    return None


def check_product(
    draft: ProductDraft,
    codes: CodeTables,
    goods: GoodsRule | None,
    prefix: str = "",
    *,
    unreadable_net_content: bool = False,
) -> list[Problem]:
    """Check one product filing against the code tables and the goods rule of its HS code.

    ``unreadable_net_content`` says the net content was given but is not a number (already reported).
    """
    problems: list[Problem] = []
    texts = (
        (draft.owner_code, "owner_code", "电商企业海关编码", 18, True),
        (draft.item_no, "item_no", "商品货号", ITEM_NO_MAX, True),
        (draft.name, "name", "商品名称", NAME_MAX, True),
        (draft.specification, "specification", "规格型号", SPECIFICATION_MAX, True),
        (draft.brand, "brand", "品牌", BRAND_MAX, False),
        (draft.barcode, "barcode", "条形码", BARCODE_MAX, False),
    )
    for value, column, label, max_len, required in texts:
        found = _text_problem(value, f"{prefix}{column}", label, max_len, required=required)
        if found:
            problems.append(found)
    hs = draft.hs_code
    if not (len(hs) == 10 and hs.isascii() and hs.isdigit()):
        problems.append(
            Problem(
                "PRD-HS-FORMAT",
                f"{prefix}hs_code",
                f"商品编码应为10位数字 / the HS code must be 10 digits, got {hs!r}",
                "Give the 8-digit tariff line plus the 2-digit supplementary code, e.g. 3304990099.",
            )
        )
    elif goods is None and not codes.contains("hs8", hs[:8]):
        problems.append(
            Problem(
                "PRD-HS-UNKNOWN",
                f"{prefix}hs_code",
                f"税则号列 {hs[:8]} 不存在 / tariff line {hs[:8]} is not in the tariff",
                "Check the code against the current 进出口税则; see `cbec reference show hs8`.",
            )
        )
    if not codes.contains("country", draft.origin_country):
        problems.append(
            Problem(
                "PRD-COUNTRY",
                f"{prefix}origin_country",
                f"原产国代码不存在 / unknown country code {draft.origin_country!r}",
                "Use the 3-digit 国别(地区)代码, e.g. 502 for the United States; see `cbec reference show country`.",
            )
        )
    units = (
        (draft.transaction_unit, "transaction_unit"),
        (draft.legal_unit, "legal_unit"),
        (draft.legal_unit_2, "legal_unit_2"),
        (draft.net_content_unit, "net_content_unit"),
    )
    for unit, column in units:
        if unit is not None and not codes.contains("unit", unit):
            problems.append(
                Problem(
                    "PRD-UNIT",
                    f"{prefix}{column}",
                    f"计量单位代码不存在 / unknown unit code {unit!r}",
                    "Use a 3-digit 计量单位代码 such as 142 瓶, 035 千克, 096 毫升; see `cbec reference show unit`.",
                )
            )
    if draft.net_content is None and not unreadable_net_content:
        problems.append(
            Problem(
                "PRD-NET-CONTENT",
                f"{prefix}net_content",
                "净含量必填 / the net content is required",
                "Give the net content of one transaction unit; consumption-tax thresholds are tested against it.",
            )
        )
    elif draft.net_content is not None and draft.net_content <= 0:
        problems.append(
            Problem(
                "PRD-NET-CONTENT",
                f"{prefix}net_content",
                "净含量必须大于0 / the net content must be above zero",
                "Give the net content of one transaction unit, e.g. 50 for a 50 ml bottle.",
            )
        )
    if goods is not None and codes.contains("unit", draft.net_content_unit):
        problems.extend(net_content_unit_problems(goods, draft.net_content_unit, f"{prefix}net_content_unit"))
    found = gross_weight_problem(draft.unit_gross_weight, f"{prefix}unit_gross_weight")
    if found is not None:
        problems.append(found)
    return problems


def gross_weight_problem(weight: Decimal | None, field: str) -> Problem | None:
    """Return the problem of a filed unit gross weight (kg) out of (0, GROSS_WEIGHT_MAX] or finer than 10 mg."""
    if weight is None:
        return None
    if not weight.is_finite() or weight <= 0 or weight > GROSS_WEIGHT_MAX:
        return Problem(
            "PRD-GROSS-WEIGHT",
            field,
            f"单位毛重须大于0且不超过{GROSS_WEIGHT_MAX}千克 / the unit gross weight must be above 0 and at most "
            f"{GROSS_WEIGHT_MAX} kg, got {weight}",
            "Give the packed weight of one transaction unit in kilograms (900 g is 0.9), or leave it empty.",
        )
    exponent = weight.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > GROSS_WEIGHT_PLACES:
        return Problem(
            "PRD-GROSS-WEIGHT",
            field,
            f"单位毛重最多{GROSS_WEIGHT_PLACES}位小数 / the unit gross weight has more than "
            f"{GROSS_WEIGHT_PLACES} decimal places: {weight}",
            "Round it to 10 mg (5 decimal places of a kilogram).",
        )
    return None


def check_product_transition(
    current: ProductStatus, transition: ProductTransition, reason: str, actor: str
) -> list[Problem]:
    """Check that a product status change is allowed and carries a reason and an actor."""
    allowed_from = TRANSITIONS[transition][0]
    problems: list[Problem] = []
    if current not in allowed_from:
        problems.append(
            Problem(
                "PRD-TRANSITION",
                "status",
                f"不能从 {current} 执行 {transition} / cannot {transition} a product that is {current}",
                f"{transition} applies only to products that are {', '.join(sorted(allowed_from))}.",
            )
        )
    if not reason.strip():
        problems.append(Problem("PRD-REASON", "reason", "a reason is required", "Say why the status changes."))
    if not actor.strip():
        problems.append(Problem("PRD-ACTOR", "actor", "an actor is required", "Name who makes the change."))
    return problems


def product_differences(before: ProductDraft, after: ProductDraft) -> list[str]:
    """Return the names of the fields that differ between two drafts."""
    return [f.name for f in fields(ProductDraft) if getattr(before, f.name) != getattr(after, f.name)]
