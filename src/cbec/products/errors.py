"""Errors of product filing (商品备案)."""

from __future__ import annotations

from cbec.common.errors import AlreadyExists, Conflict, InvalidInput, NotFound


class ProductNotFound(NotFound):
    """No product has the id asked for."""


class ProductExists(AlreadyExists):
    """The owner already filed a product with this item number."""


class ProductInvalid(InvalidInput):
    """A product filing breaks one or more rules; ``problems`` lists every one."""


class ProductImportInvalid(InvalidInput):
    """An import file has bad rows; ``problems`` lists every one and nothing was written."""


class ProductStatusConflict(Conflict):
    """The status change is not allowed from the product's current status."""
