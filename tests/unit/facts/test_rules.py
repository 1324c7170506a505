"""Pure rules of trade facts: a declared inventory in, its exact fact rows out (imports 9610 and 1210, export 9610)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from tests.builders import MILK, SERUM, a_set
from tests.integration.exports.export_zone import AT, LAMP, TEE, XP

from cbec.common.pseudonyms import normalise_address, normalise_phone
from cbec.demo.exports import build_export_set
from cbec.facts import (
    Direction,
    FactHeader,
    FactStatus,
    consignee_region,
    export_lines,
    fact_rows,
    fact_status,
    import_lines,
    moved,
    subject_key,
)
from cbec.facts.rules import convert

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
DECLARED = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # 2026-03-02 01:30 in Shanghai: business date 2026-03-02
RELEASED = datetime(2026, 3, 2, 1, 45, tzinfo=UTC)


def usd_only(currency: str, on: date) -> Decimal | None:
    """The customs rates of the tests: 7.1000 CNY per USD in March 2026, nothing else."""
    return Decimal("7.1000") if (currency, on.month) == ("502", 3) else None


def no_rates(currency: str, on: date) -> Decimal | None:
    return None


def fake_index(value: str) -> str:
    return f"h({value})"


def _import_header(**changes: object) -> FactHeader:
    values: dict[str, object] = {
        "direction": Direction.IMPORT,
        "mode": "9610",
        "document_id": 7,
        "eport_no": "B20260302000000001",
        "inventory_no": "46012026I000000001",
        "order_no": "ORD20260302000001",
        "customs_code": "4601",
        "platform_code": "4601960001",
        "ecommerce_code": "4601960002",
        "logistics_code": "4601960004",
        "agent_code": "4601960005",
        "declared_at": DECLARED,
        "status": FactStatus.RELEASED,
        "released_at": RELEASED,
        "payment_code": "4601960003",
        "tenant": "hub",
        "buyer_key": "h(11010519491231002X)",
        "payer_key": "h(11010519491231002X)",
        "phone_key": "h(phone:13800138000)",
        "address_key": "h(address:海南省海口市美兰区国兴大道1号)",
        "logistics_no": "LORD20260302000001",
        "gross_weight": Decimal("2.05"),
        "consignee_region": "460100",
    }
    values.update(changes)
    return FactHeader(**values)  # type: ignore[arg-type]


IMPORT_SHARED = {
    "direction": "I",
    "mode": "9610",
    "document_id": 7,
    "eport_no": "B20260302000000001",
    "inventory_no": "46012026I000000001",
    "order_no": "ORD20260302000001",
    "customs_code": "4601",
    "platform_code": "4601960001",
    "ecommerce_code": "4601960002",
    "logistics_code": "4601960004",
    "payment_code": "4601960003",
    "agent_code": "4601960005",
    "warehouse_code": None,
    "owner_code": None,
    "tenant": "hub",
    "declared_at": DECLARED,
    "declared_on": date(2026, 3, 2),
    "released_at": RELEASED,
    "released_on": date(2026, 3, 2),
    "status": "released",
    "buyer_key": "h(11010519491231002X)",
    "payer_key": "h(11010519491231002X)",
    "phone_key": "h(phone:13800138000)",
    "address_key": "h(address:海南省海口市美兰区国兴大道1号)",
    "logistics_no": "LORD20260302000001",
    "gross_weight": Decimal("2.05"),
    "consignee_region": "460100",
    "updated_at": NOW,
    "origin_country": "116",
    "destination_country": "142",
    "currency": "142",
}


def test_a_two_line_9610_import_gives_one_row_per_line_in_cny_and_usd() -> None:
    inventory = a_set(items=[(MILK, Decimal(2)), (SERUM, Decimal(1))]).inventory
    rows = fact_rows(_import_header(), import_lines(inventory), usd_only, now=NOW)
    assert rows == [
        {
            **IMPORT_SHARED,
            "line_no": 1,
            "item_no": "SKU-MILK-900",
            "hs_code": "1901101000",
            "goods_name": "婴幼儿配方奶粉900克",
            "quantity": Decimal("2"),
            "unit": "122",
            "legal_quantity": Decimal("1.8"),
            "legal_unit": "035",
            "value": Decimal("596.00"),
            "value_cny": Decimal("596.00"),
            "value_usd": Decimal("83.94"),  # 596 / 7.1 = 83.943…, half-up to the fen
        },
        {
            **IMPORT_SHARED,
            "line_no": 2,
            "item_no": "SKU-SERUM-50",
            "hs_code": "3304990099",
            "goods_name": "精华液50毫升",
            "quantity": Decimal("1"),
            "unit": "142",
            "legal_quantity": Decimal("0.05"),
            "legal_unit": "035",
            "value": Decimal("495.00"),
            "value_cny": Decimal("495.00"),
            "value_usd": Decimal("69.72"),  # 495 / 7.1 = 69.718…
        },
    ]


def test_a_1210_import_names_its_bonded_warehouse_and_leaves_usd_empty_without_a_rate() -> None:
    inventory = a_set("ORD20260302000002", trade_mode="1210").inventory
    header = _import_header(
        mode="1210",
        order_no="ORD20260302000002",
        warehouse_code=inventory.warehouse_code,
        status=FactStatus.WAITING,
        released_at=None,
        inventory_no=None,
        payment_code=None,
        payer_key=None,
        phone_key=None,
        consignee_region=None,
        logistics_no=inventory.logistics_no,
    )
    assert fact_rows(header, import_lines(inventory), no_rates, now=NOW) == [
        {
            **IMPORT_SHARED,
            "mode": "1210",
            "order_no": "ORD20260302000002",
            "inventory_no": None,
            "warehouse_code": "4601960006",
            "status": "waiting",
            "released_at": None,
            "released_on": None,
            "payment_code": None,
            "payer_key": None,
            "phone_key": None,
            "consignee_region": None,
            "logistics_no": "LORD20260302000002",
            "line_no": 1,
            "item_no": "SKU-MILK-900",
            "hs_code": "1901101000",
            "goods_name": "婴幼儿配方奶粉900克",
            "quantity": Decimal("2"),
            "unit": "122",
            "legal_quantity": Decimal("1.8"),
            "legal_unit": "035",
            "value": Decimal("596.00"),
            "value_cny": Decimal("596.00"),  # declared in CNY: no rate needed
            "value_usd": None,  # no USD rate on record
        }
    ]


def test_a_9610_export_in_usd_goes_from_china_to_its_destination_with_no_subject_keys() -> None:
    inventory = build_export_set(
        XP, [(TEE, Decimal(2)), (LAMP, Decimal(1))], order_no="EX-1", logistics_no="LE1", at=AT, currency="502"
    ).inventory
    header = FactHeader(
        direction=Direction.EXPORT,
        mode="9610",
        document_id=3,
        eport_no="B20260302000000009",
        inventory_no=None,
        order_no="EX-1",
        customs_code="4601",
        platform_code="4601960001",
        ecommerce_code="4601960002",
        logistics_code="4601960004",
        agent_code="4601960005",
        declared_at=DECLARED,
        status=FactStatus.WAITING,
        owner_code="4601960002",
        tenant="hub",
        logistics_no="LE1",
        gross_weight=inventory.gross_weight,
    )
    shared = {
        "direction": "E",
        "mode": "9610",
        "document_id": 3,
        "eport_no": "B20260302000000009",
        "inventory_no": None,
        "order_no": "EX-1",
        "customs_code": "4601",
        "platform_code": "4601960001",
        "ecommerce_code": "4601960002",
        "logistics_code": "4601960004",
        "payment_code": None,
        "agent_code": "4601960005",
        "warehouse_code": None,
        "owner_code": "4601960002",
        "tenant": "hub",
        "declared_at": DECLARED,
        "declared_on": date(2026, 3, 2),
        "released_at": None,
        "released_on": None,
        "status": "waiting",
        "buyer_key": None,
        "payer_key": None,
        "phone_key": None,
        "address_key": None,
        "logistics_no": "LE1",
        "gross_weight": Decimal("1.90"),
        "consignee_region": None,
        "updated_at": NOW,
        "origin_country": "142",
        "destination_country": "502",
        "currency": "502",
        "unit": "011",
        "legal_unit": "011",
    }
    assert fact_rows(header, export_lines(inventory), usd_only, now=NOW) == [
        {
            **shared,
            "line_no": 1,
            "item_no": "SKU-TEE-01",
            "hs_code": "6109100011",
            "goods_name": "棉制针织T恤",
            "quantity": Decimal("2"),
            "legal_quantity": Decimal("2"),
            "value": Decimal("118.00"),
            "value_cny": Decimal("837.80"),  # 118 x 7.1
            "value_usd": Decimal("118.00"),
        },
        {
            **shared,
            "line_no": 2,
            "item_no": "SKU-LAMP-02",
            "hs_code": "9405210000",
            "goods_name": "LED台灯",
            "quantity": Decimal("1"),
            "legal_quantity": Decimal("1"),
            "value": Decimal("120.00"),
            "value_cny": Decimal("852.00"),
            "value_usd": Decimal("120.00"),
        },
    ]


def test_conversion_rounds_half_up_to_the_fen_once() -> None:
    def euro(currency: str, on: date) -> Decimal | None:
        return {"300": Decimal("7.8500"), "502": Decimal("7.1000")}.get(currency)

    assert convert(Decimal("59.005"), "300", date(2026, 3, 2), euro) == (Decimal("463.19"), Decimal("65.24"))
    assert convert(Decimal("59"), "300", date(2026, 3, 2), no_rates) == (None, None)


@pytest.mark.parametrize(
    ("status", "state", "expected"),
    [
        ("1", "draft", FactStatus.DRAFT),
        ("2", "accepted", FactStatus.WAITING),
        ("120", "accepted", FactStatus.WAITING),
        ("300", "accepted", FactStatus.WAITING),
        ("399", "accepted", FactStatus.WAITING),
        ("500", "accepted", FactStatus.WAITING),
        ("800", "accepted", FactStatus.RELEASED),
        ("899", "accepted", FactStatus.CLOSED),
        ("100", "accepted", FactStatus.REFUSED),
        ("-621029", "accepted", FactStatus.REFUSED),
        ("800", "cancelled", FactStatus.CANCELLED),
        ("399", "deleted", FactStatus.DELETED),
    ],
)
def test_fact_status_follows_the_official_status_and_the_stored_state(
    status: str, state: str, expected: FactStatus
) -> None:
    assert fact_status(status, state) == expected


def test_a_status_change_writes_status_customs_number_and_release_dates() -> None:
    assert moved(FactStatus.RELEASED, "46012026I000000001", RELEASED) == {
        "status": "released",
        "inventory_no": "46012026I000000001",
        "released_at": RELEASED,
        "released_on": date(2026, 3, 2),
    }


def test_subject_keys_are_keyed_pseudonyms_of_normalised_values_kept_apart_by_kind() -> None:
    assert normalise_phone("+86 138-0013-8000") == "13800138000"
    assert normalise_phone("0086 13800138000") == "13800138000"
    assert normalise_address(" 海南省　海口市,美兰区 国兴大道１号 ") == "海南省海口市美兰区国兴大道1号"
    assert subject_key(fake_index, "id", "11010519491231002x") == "h(11010519491231002x)"
    assert subject_key(fake_index, "phone", "+86 138 0013 8000") == "h(phone:13800138000)"
    address = subject_key(fake_index, "address", "海南省海口市美兰区国兴大道１号")
    assert address == "h(address:海南省海口市美兰区国兴大道1号)"
    assert subject_key(fake_index, "phone", "  ") is None
    with pytest.raises(ValueError, match="unknown subject kind 'email'"):
        subject_key(fake_index, "email", "a@b.c")


def test_the_consignee_region_is_the_prefecture_of_a_six_digit_district_code_and_nothing_else() -> None:
    assert consignee_region("440305") == "440300"  # 深圳市南山区 → 深圳市
    assert consignee_region(" 110105 ") == "110100"  # 北京市朝阳区 → 北京市's city level
    assert consignee_region("460108") == "460100"
    assert [consignee_region(code) for code in (None, "", "46010", "4601080", "46O108", "060108")] == [None] * 6
    assert consignee_region("429004") == "429004"  # 仙桃市: administered by its province, no prefecture


def test_without_a_district_the_region_comes_from_the_address_leading_names() -> None:
    assert [
        consignee_region(None, "广东省深圳市南山区科技园"),
        consignee_region("", "深圳市福田区"),
        consignee_region("46O108", "北京市朝阳区建国路"),  # a malformed district: the address decides
        consignee_region(None, "广东深圳宝安"),
        consignee_region(None, "湖北省仙桃市"),
        consignee_region(None, "广东省某某镇"),  # the province only
        consignee_region(None, "科技园南区"),
        consignee_region(None, None),
        consignee_region("440305", "北京市朝阳区"),  # a district wins over the address
    ] == ["440300", "440300", "110100", "440300", "429004", "440000", None, None, "440300"]
