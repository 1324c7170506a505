"""Places, customs seats, haversine distances and the region an address starts with (cbec.reference.geography)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

import cbec.reference.geography as geography
from cbec.reference.geography import customs_place, distance_km, place, region_of_address, short_name

DATA = Path(geography.__file__).parent / "data" / "geography"


def rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader((DATA / name).read_text("utf-8").splitlines()))


def test_the_tables_cover_every_province_and_prefecture() -> None:
    places = rows("places.csv")
    levels = [r["level"] for r in places]
    assert (levels.count("province"), levels.count("prefecture"), levels.count("county"), len(places)) == (
        34,
        338,  # 333 of GB/T 2260 and the municipalities' 110100, 120100, 310100, 500100, 500200
        29,
        401,
    )
    assert len({r["code"] for r in places}) == 401
    assert all(15 < float(r["lat"]) < 54 and 73 < float(r["lng"]) < 136 for r in places)
    customs = rows("customs.csv")
    assert len(customs) == 42 and len({r["prefix"] for r in customs}) == 42
    seats = {r["code"] for r in places}
    assert [r["seat_code"] for r in customs if r["seat_code"] not in seats] == []
    assert [r["prefix"] for r in customs if r["confirmed_by"]] == [
        "01", "02", "04", "08", "09", "22", "23", "29", "42", "43",
    ]  # fmt: skip
    assert (DATA / "PROVENANCE.md").exists()


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("440300", "440300"),  # a prefecture
        ("440305", "440300"),  # a district: its prefecture
        ("440000", "440000"),  # a province
        ("110105", "110100"),  # a municipality's district: its city area
        ("500229", "500200"),  # a Chongqing county
        ("429004", "429004"),  # a county-level city its province administers (仙桃)
        ("659010", "650000"),  # a newer one without a seat: its province
        ("830100", None),  # not GB/T 2260
        ("4403", None),
        (None, None),
    ],
)
def test_a_code_is_placed_at_itself_its_prefecture_or_its_province(code: str | None, found: str | None) -> None:
    located = place(code)
    assert (located.code if located else None) == found


def test_a_customs_code_is_placed_at_its_direct_customs_seat() -> None:
    assert [
        (c, p.code if (p := customs_place(c)) else None) for c in ("5301", "2244", "4601", "6401", "9404", "0000", "")
    ] == [
        ("5301", "440300"),
        ("2244", "310100"),
        ("4601", "410100"),
        ("6401", "460100"),
        ("9404", "650100"),
        ("0000", None),
        ("", None),
    ]


def test_haversine_distances_between_seats_in_km() -> None:
    shenzhen, beijing, shanghai = place("440300"), place("110100"), place("310100")
    assert shenzhen and beijing and shanghai
    assert distance_km(shenzhen, beijing) == Decimal("1942.5")
    assert distance_km(beijing, shenzhen) == Decimal("1942.5")
    assert distance_km(shanghai, shanghai) == Decimal("0.0")
    assert distance_km(shanghai, place("330100")) == Decimal("164.1")  # Hangzhou: within 500 km
    dongguan, kashgar = place("441900"), place("653100")
    assert dongguan and kashgar
    assert distance_km(shenzhen, dongguan) == Decimal("65.5")
    assert distance_km(shenzhen, kashgar) == Decimal("4048.3")


@pytest.mark.parametrize(
    ("address", "region"),
    [
        ("广东省深圳市南山区科技园南区", "440300"),
        ("深圳市福田区华强北", "440300"),
        ("广东深圳宝安区", "440300"),
        ("广东 省 深圳 市", "440300"),
        ("中国广东省深圳市", "440300"),
        ("北京市朝阳区建国路", "110100"),
        ("北京朝阳区", "110100"),
        ("上海市浦东新区", "310100"),
        ("重庆市江北区", "500100"),
        ("浙江杭州西湖区", "330100"),
        ("吉林市船营区", "220200"),  # the prefecture 吉林市, not the province 吉林
        ("吉林省吉林市", "220200"),
        ("吉林长春朝阳区", "220100"),
        ("海南省海口市", "460100"),
        ("海南藏族自治州共和县", "632500"),  # not the province 海南
        ("新疆维吾尔自治区喀什地区喀什市", "653100"),
        ("内蒙古呼伦贝尔海拉尔区", "150700"),
        ("延边州延吉市", "222400"),
        ("黔西南布依族苗族自治州兴义市", "522300"),
        ("湖北省仙桃市", "429004"),
        ("广东省某某镇", "440000"),  # only the province: its code
        ("南山区科技园", None),  # no province or prefecture
        ("", None),
        (None, None),
    ],
)
def test_the_region_an_address_starts_with(address: str | None, region: str | None) -> None:
    assert region_of_address(address) == region


def test_short_names() -> None:
    names = ("广东省", "内蒙古自治区", "香港特别行政区", "深圳市", "延边朝鲜族自治州", "喀什地区", "兴安盟")
    more = ("巴音郭楞蒙古自治州", "克孜勒苏柯尔克孜自治州", "白沙黎族自治县", "神农架林区", "赵县")
    assert [short_name(n) for n in (*names, *more)] == [
        "广东", "内蒙古", "香港", "深圳", "延边", "喀什", "兴安", "巴音郭楞", "克孜勒苏", "白沙", "神农架", "赵县",
    ]  # fmt: skip
