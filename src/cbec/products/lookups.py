"""Product look-ups for clearance and tax (商品备案查询), inside the caller's transaction.

Product filings change a few thousand times a day and are read by every inventory line: answers are kept in
memory under the ``product`` revision token (cbec.storage.revisions), the owner under the ``filing`` token.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from cbec.enterprises.lookups import find_by_code
from cbec.enterprises.rules import EnterpriseRef
from cbec.products import repository as repo
from cbec.products.models import PRODUCT
from cbec.products.rules import ProductRef, ProductStatus
from cbec.reference import plain
from cbec.storage.revisions import RevisionCache

_refs: RevisionCache[ProductRef | None] = RevisionCache(PRODUCT, limit=16384)


def find_product(session: Session, owner_code: str, item_no: str) -> ProductRef | None:
    """Return the product an enterprise (customs code or credit code) filed under an item number, else None.

    Pending and revoked products are returned too, with ``approved`` False.
    """
    owner = find_by_code(session, owner_code)
    if owner is None:
        return None
    item = item_no.strip()
    # The owner's code is part of the key: the answer names it, and it is cached under another token.
    return _refs.get(session, (owner.id, owner.customs_code, item), lambda: _ref_of(session, owner, item))


def _ref_of(session: Session, owner: EnterpriseRef, item_no: str) -> ProductRef | None:
    product = repo.by_owner_item(session, owner.id, item_no)
    if product is None:
        return None
    status = ProductStatus(product.status)
    return ProductRef(
        id=product.id,
        owner_code=owner.customs_code,
        item_no=product.item_no,
        name=product.name,
        hs_code=product.hs_code,
        brand=product.brand,
        origin_country=product.origin_country,
        legal_unit=product.legal_unit,
        legal_unit_2=product.legal_unit_2,
        transaction_unit=product.transaction_unit,
        net_content=plain(product.net_content),
        net_content_unit=product.net_content_unit,
        status=status,
        approved=status is ProductStatus.APPROVED,
    )


@dataclass(frozen=True, slots=True)
class FiledGoods:
    """What risk reads of a filed product: its brand and the gross weight of one transaction unit (kg, packed)."""

    brand: str | None
    unit_gross_weight: Decimal | None


def filed_goods(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], FiledGoods]:
    """Return the filed brand and unit gross weight of the products with the given (e-commerce enterprise code, item
    number) keys — the code its customs code or credit code, as an inventory names it —; a key with no filing is
    absent. Any status: it is what the enterprise filed for the item. For risk's bands by brand (R4.1) and parcel
    weights (R2.3): one query per 500 keys, not cached."""
    found = repo.filings_of(session, ((code.strip(), item.strip()) for code, item in keys))
    return {key: FiledGoods(brand, weight) for key, (brand, weight) in found.items()}


def filed_weights(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Decimal]:
    """Return the filed gross weight of one transaction unit (kg) of the products with the given keys (as
    ``filed_goods``); a key with no filing, or a filing without a weight, is absent."""
    return weights(filed_goods(session, keys))


def weights(filed: Mapping[tuple[str, str], FiledGoods]) -> dict[tuple[str, str], Decimal]:
    """Return the unit gross weights of filed goods, keys without a weight left out."""
    return {key: goods.unit_gross_weight for key, goods in filed.items() if goods.unit_gross_weight is not None}
