"""Product filing (商品备案): the SKUs an e-commerce enterprise declares, with HS code, net content and (optional)
unit gross weight.

Clearance and tax use ``find_product``, risk ``filed_goods``; transports use the use cases in ``service``.
"""

from cbec.products.errors import (
    ProductExists,
    ProductImportInvalid,
    ProductInvalid,
    ProductNotFound,
    ProductStatusConflict,
)
from cbec.products.lookups import FiledGoods, filed_goods, filed_weights, find_product, weights
from cbec.products.rules import ProductRef, ProductStatus, ProductTransition

__all__ = [
    "FiledGoods",
    "ProductExists",
    "ProductImportInvalid",
    "ProductInvalid",
    "ProductNotFound",
    "ProductRef",
    "ProductStatus",
    "ProductStatusConflict",
    "ProductTransition",
    "filed_goods",
    "filed_weights",
    "find_product",
    "weights",
]
