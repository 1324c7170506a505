"""Product filing (商品备案): the SKUs an e-commerce enterprise declares, with HS code, net content and (optional)
unit gross weight.

Clearance and tax use ``find_product``, risk ``filed_weights``; transports use the use cases in ``service``.
"""

from cbec.products.errors import (
    ProductExists,
    ProductImportInvalid,
    ProductInvalid,
    ProductNotFound,
    ProductStatusConflict,
)
from cbec.products.lookups import filed_weights, find_product
from cbec.products.rules import ProductRef, ProductStatus, ProductTransition

__all__ = [
    "ProductExists",
    "ProductImportInvalid",
    "ProductInvalid",
    "ProductNotFound",
    "ProductRef",
    "ProductStatus",
    "ProductStatusConflict",
    "ProductTransition",
    "filed_weights",
    "find_product",
]
