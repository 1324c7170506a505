"""Test builders: a standard zone cast, goods and buyer, with explicit overrides."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from cbec.common.clock import SHANGHAI
from cbec.demo.builders import Buyer, DocumentSet, Goods, Parties, Party, build_set

AT = datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)

PARTIES = Parties(
    platform=Party("4601960001", "海南跨境优选平台", "DXPENT0000000011"),
    ecommerce=Party("4601960002", "海口全球购电子商务有限公司", "DXPENT0000000012"),
    payment=Party("4601960003", "南海支付有限公司", "DXPENT0000000013"),
    logistics=Party("4601960004", "椰城国际物流有限公司", "DXPENT0000000014"),
    agent=Party("4601960005", "海口通关代理有限公司", "DXPENT0000000015"),
    site_operator=Party("4601960006", "美兰机场跨境监管场所", "DXPENT0000000016"),
)

MILK = Goods(
    "SKU-MILK-900",
    "婴幼儿配方奶粉900克",
    "1901101000",
    Decimal("298.00"),
    unit="122",
    legal_unit="035",
    legal_quantity_per_unit=Decimal("0.9"),
    specification="900g/罐",
)
SERUM = Goods(
    "SKU-SERUM-50",
    "精华液50毫升",
    "3304990099",
    Decimal("495.00"),
    unit="142",
    legal_unit="035",
    legal_quantity_per_unit=Decimal("0.05"),
    specification="50ml/瓶",
    item_record_no="T4601W000001-0007",
)

BUYER = Buyer("张伟", "11010519491231002X", "13800138000", "海南省海口市美兰区国兴大道1号", "460108")
OTHER_BUYER = Buyer("李娜", "110101199003074477", "13900139000", "北京市东城区东长安街1号")


def a_set(
    order_no: str = "ORD20260302000001",
    *,
    buyer: Buyer = BUYER,
    items: list[tuple[Goods, Decimal]] | None = None,
    **kwargs: object,
) -> DocumentSet:
    """Return a matching order/payment/waybill/inventory set with overrides."""
    return build_set(
        PARTIES,
        buyer,
        items or [(MILK, Decimal(2))],
        order_no=order_no,
        logistics_no=kwargs.pop("logistics_no", f"L{order_no}"),  # type: ignore[arg-type]
        at=AT,
        **kwargs,
    )  # type: ignore[arg-type]
