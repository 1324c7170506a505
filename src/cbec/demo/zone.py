"""The demo pilot zone (演示综试区): its filed enterprises and the goods they sell.

Static data only. HS codes are ones the built-in positive list (跨境电子商务零售进口商品清单) and tariff
starter set contain (src/cbec/reference/data/positive_list.csv, tariff.csv), except the jewellery, which
the tariff knows but the positive list does not: it is there to be refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cbec.common.ids import make_uscc, org_code_check_char
from cbec.demo.builders import Goods, Parties, Party

ZONE_CUSTOMS_CODE = "4601"
ACCOUNT_BOOK_NO = "T4601W000001"  # 账册编号 of the bonded warehouse (emsNo)


@dataclass(frozen=True, slots=True)
class ZoneEnterprise:
    """An enterprise the demo files and approves (企业备案)."""

    key: str
    name: str
    name_en: str
    customs_code: str
    org_code: str  # 8 characters of the GB 11714 organisation code, check character added
    roles: tuple[str, ...]
    contact_name: str
    contact_phone: str

    @property
    def uscc(self) -> str:
        """Return the unified social credit code (91 = enterprise, 460100 = 海口市)."""
        return make_uscc(f"91460100{self.org_code}{org_code_check_char(self.org_code)}")

    @property
    def dxp_id(self) -> str:
        """Return the enterprise's DXP terminal id (16 characters)."""
        return f"DXPENT{self.customs_code}"

    def party(self) -> Party:
        """Return the enterprise as named in documents."""
        return Party(code=self.customs_code, name=self.name, dxp_id=self.dxp_id)


ENTERPRISES: tuple[ZoneEnterprise, ...] = (
    ZoneEnterprise(
        "platform",
        "海口云购跨境电子商务平台有限公司",
        "Haikou Yungou Cross-border Platform Co., Ltd.",
        "4601960001",
        "MA5T0P1A",
        ("ecommerce_platform",),
        "林晓燕",
        "0898-66001001",
    ),
    ZoneEnterprise(
        "shop_a",
        "海口优选国际贸易有限公司",
        "Haikou Youxuan International Trading Co., Ltd.",
        "4601960002",
        "MA5T0P2B",
        ("ecommerce_enterprise", "tax_guarantor"),
        "陈建国",
        "0898-66001002",
    ),
    ZoneEnterprise(
        "shop_b",
        "海南环球好物供应链有限公司",
        "Hainan Global Goods Supply Chain Co., Ltd.",
        "4601960003",
        "MA5T0P3C",
        ("ecommerce_enterprise", "tax_guarantor"),
        "王丽",
        "0898-66001003",
    ),
    ZoneEnterprise(
        "payment",
        "海南椰付支付科技有限公司",
        "Hainan Yepay Payment Technology Co., Ltd.",
        "4601960004",
        "MA5T0P4D",
        ("payment_company",),
        "赵敏",
        "0898-66001004",
    ),
    ZoneEnterprise(
        "logistics",
        "海南捷运国际物流有限公司",
        "Hainan Jieyun International Logistics Co., Ltd.",
        "4601960005",
        "MA5T0P5E",
        ("logistics_company",),
        "黄志强",
        "0898-66001005",
    ),
    ZoneEnterprise(
        "agent",
        "海口通关报关服务有限公司",
        "Haikou Tongguan Customs Brokerage Co., Ltd.",
        "4601960006",
        "MA5T0P6F",
        ("declaring_agent",),
        "吴海涛",
        "0898-66001006",
    ),
    ZoneEnterprise(
        "site",
        "海口美兰空港监管场所运营有限公司",
        "Haikou Meilan Airport Supervised Site Co., Ltd.",
        "4601960007",
        "MA5T0P7G",
        ("supervised_site_operator",),
        "周婷",
        "0898-66001007",
    ),
    ZoneEnterprise(
        "warehouse",
        "海口综合保税区仓储有限公司",
        "Haikou Comprehensive Bonded Zone Warehousing Co., Ltd.",
        "4601960008",
        "MA5T0P8H",
        ("bonded_warehouse_operator",),
        "郑伟",
        "0898-66001008",
    ),
)
BY_KEY = {enterprise.key: enterprise for enterprise in ENTERPRISES}
SHOPS = ("shop_a", "shop_b")


def parties(shop: str, *, bonded: bool) -> Parties:
    """Return everyone named in a purchase from a shop (direct purchase or bonded)."""
    return Parties(
        platform=BY_KEY["platform"].party(),
        ecommerce=BY_KEY[shop].party(),
        payment=BY_KEY["payment"].party(),
        logistics=BY_KEY["logistics"].party(),
        agent=BY_KEY["agent"].party(),
        site_operator=BY_KEY["warehouse" if bonded else "site"].party(),
        customs_code=ZONE_CUSTOMS_CODE,
    )


@dataclass(frozen=True, slots=True)
class Product:
    """A product the shops file (商品备案) and sell."""

    key: str
    goods: Goods
    net_content: Decimal  # of one transaction unit, in net_content_unit (consumption-tax thresholds)
    net_content_unit: str  # 096 毫升, 036 克, 020 片, 008 只
    bonded_only: bool = False
    on_positive_list: bool = True
    brand: str = ""


def _goods(
    item_no: str,
    name: str,
    hs_code: str,
    price: str,
    *,
    unit: str,
    legal_unit: str,
    per_unit: str,
    spec: str,
    origin: str,
    record: str,
    weight: str,
) -> Goods:
    return Goods(
        item_no=item_no,
        name=name,
        hs_code=hs_code,
        unit_price=Decimal(price),
        unit=unit,
        legal_unit=legal_unit,
        legal_quantity_per_unit=Decimal(per_unit),
        specification=spec,
        origin_country=origin,
        item_record_no=record,
        unit_gross_weight=Decimal(weight),
    )


PRODUCTS: tuple[Product, ...] = (
    Product(
        "milk",
        _goods(
            "SKU-MILK-900",
            "爱他美婴幼儿配方奶粉3段900克",
            "1901101010",
            "298",
            unit="122",
            legal_unit="035",
            per_unit="0.9",
            spec="900克/罐 3段",
            origin="609",
            record="1",
            weight="1.15",
        ),
        Decimal("900"),
        "036",
        brand="Aptamil",
    ),
    Product(
        "serum",
        _goods(
            "SKU-SERUM-50",
            "雪肌精华液50毫升",
            "3304990000",
            "680",
            unit="142",
            legal_unit="035",
            per_unit="0.08",
            spec="50毫升/瓶",
            origin="116",
            record="2",
            weight="0.18",
        ),
        Decimal("50"),
        "096",
        brand="Sekkisei",
    ),
    Product(
        "diapers",
        _goods(
            "SKU-DIAPER-L",
            "花王婴儿纸尿裤L码54片",
            "9619001100",
            "129",
            unit="125",
            legal_unit="035",
            per_unit="1.3",
            spec="L码 54片/包",
            origin="116",
            record="3",
            weight="1.6",
        ),
        Decimal("54"),
        "020",
        brand="Merries",
    ),
    Product(
        "fish_oil",
        _goods(
            "SKU-FISHOIL",
            "深海鱼油软胶囊400粒",
            "2106909000",
            "239",
            unit="140",
            legal_unit="035",
            per_unit="0.45",
            spec="1000毫克×400粒/瓶",
            origin="601",
            record="4",
            weight="0.68",
        ),
        Decimal("400"),
        "036",
        brand="Blackmores",
    ),
    Product(
        "wine",
        _goods(
            "SKU-WINE-750",
            "波尔多干红葡萄酒750毫升",
            "2204210000",
            "368",
            unit="142",
            legal_unit="095",
            per_unit="0.75",
            spec="750毫升/瓶 13.5%vol",
            origin="305",
            record="5",
            weight="1.35",
        ),
        Decimal("750"),
        "096",
        brand="Château Demo",
    ),
    Product(
        "watch",
        _goods(
            "SKU-WATCH-AUTO",
            "精工自动上弦机械手表",
            "9102210000",
            "4990",
            unit="008",
            legal_unit="008",
            per_unit="1",
            spec="自动上弦 钢表带",
            origin="116",
            record="6",
            weight="0.35",
        ),
        Decimal("1"),
        "008",
        brand="Seiko",
    ),
    Product(
        "luxury_watch",
        _goods(
            "SKU-WATCH-LUX",
            "瑞士自动上弦机械手表",
            "9102210000",
            "12800",
            unit="008",
            legal_unit="008",
            per_unit="1",
            spec="自动上弦 蓝宝石镜面",
            origin="331",
            record="7",
            weight="0.6",
        ),
        Decimal("1"),
        "008",
        brand="Tissot",
    ),
    Product(
        "sugar",
        _goods(
            "SKU-SUGAR-1KG",
            "澳洲细砂糖1千克",
            "1701991000",
            "39",
            unit="136",
            legal_unit="035",
            per_unit="1",
            spec="1千克/袋",
            origin="601",
            record="8",
            weight="1.02",
        ),
        Decimal("1000"),
        "036",
        brand="CSR",
    ),
    Product(
        "honey",
        _goods(
            "SKU-HONEY-500",
            "麦卢卡蜂蜜UMF10+ 500克",
            "0409000000",
            "289",
            unit="122",
            legal_unit="035",
            per_unit="0.5",
            spec="500克/罐",
            origin="609",
            record="9",
            weight="0.68",
        ),
        Decimal("500"),
        "036",
        brand="Comvita",
    ),
    Product(
        "kiwi",
        _goods(
            "SKU-KIWI-BOX",
            "新西兰阳光金奇异果礼盒",
            "0810500000",
            "158",
            unit="120",
            legal_unit="035",
            per_unit="2.5",
            spec="2.5千克/箱 22-25粒",
            origin="609",
            record="10",
            weight="2.9",
        ),
        Decimal("2500"),
        "036",
        bonded_only=True,
        brand="Zespri",
    ),
    # Not on the positive list: never filed, sold anyway by a careless shop.
    Product(
        "jewellery",
        _goods(
            "SKU-GOLD-RING",
            "足金戒指",
            "7113119000",
            "2680",
            unit="007",
            legal_unit="036",
            per_unit="5",
            spec="5克 足金999",
            origin="344",
            record="11",
            weight="0.05",
        ),
        Decimal("5"),
        "036",
        on_positive_list=False,
        brand="Demo Gold",
    ),
)
PRODUCT = {product.key: product for product in PRODUCTS}

# Everyday goods a valid order draws from (watches, sugar, kiwi and jewellery are used on purpose only).
EVERYDAY = ("milk", "serum", "diapers", "fish_oil", "wine", "honey")
