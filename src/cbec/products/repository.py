"""All SQL of product filing (商品备案); never commits."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import Session

from cbec.common.scope import Scope
from cbec.enterprises.lookups import enterprises_in_scope
from cbec.enterprises.models import Enterprise
from cbec.products.models import Product


def get(session: Session, product_id: int) -> tuple[Product, Enterprise] | None:
    """Return a product and its owner by product id."""
    row = session.execute(
        select(Product, Enterprise).join(Enterprise, Product.owner_id == Enterprise.id).where(Product.id == product_id)
    ).first()
    return (row[0], row[1]) if row else None


def owner_by_code(session: Session, code: str) -> Enterprise | None:
    """Return the enterprise whose customs code or credit code is the given code."""
    stmt = select(Enterprise).where((Enterprise.customs_code == code) | (Enterprise.uscc == code))
    return session.scalars(stmt.order_by(Enterprise.id)).first()


def by_owner_item(session: Session, owner_id: int, item_no: str) -> Product | None:
    """Return the product an owner filed under an item number."""
    return session.scalars(select(Product).where(Product.owner_id == owner_id, Product.item_no == item_no)).first()


def by_owner_items(session: Session, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Product]:
    """Return the products with the given (owner id, item number) keys."""
    wanted = sorted(set(keys))
    found: dict[tuple[int, str], Product] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        stmt = select(Product).where(tuple_(Product.owner_id, Product.item_no).in_(chunk))
        found.update({(p.owner_id, p.item_no): p for p in session.scalars(stmt)})
    return found


def filings_of(
    session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str | None, Decimal | None]]:
    """Return the filed brand and unit gross weight of the products with the given (owner customs or credit code,
    item number) keys, keyed as asked; keys with no filing are absent. One query per 500 keys."""
    wanted = sorted(set(keys))
    found: dict[tuple[str, str], tuple[str | None, Decimal | None]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        asked = set(chunk)
        codes = sorted({code for code, _ in chunk})
        items = sorted({item for _, item in chunk})
        rows = session.execute(
            select(Enterprise.customs_code, Enterprise.uscc, Product.item_no, Product.brand, Product.unit_gross_weight)
            .join(Enterprise, Product.owner_id == Enterprise.id)
            .where(Product.item_no.in_(items))
            .where(or_(Enterprise.customs_code.in_(codes), Enterprise.uscc.in_(codes)))
        )
        for customs_code, uscc, item_no, brand, weight in rows:
            for code in (customs_code, uscc):
                if (code, item_no) in asked:
                    found[(code, item_no)] = (brand, weight)
    return found


def add(session: Session, product: Product) -> Product:
    """Add a new product and give it an id."""
    session.add(product)
    session.flush()
    return product


def page(
    session: Session,
    *,
    owner_id: int | None,
    status: str | None,
    limit: int,
    offset: int,
    scope: Scope | None = None,
) -> tuple[int, list[tuple[Product, Enterprise]]]:
    """Return (total, one page) of products and their owners within the owners' scope, oldest first."""
    stmt = select(Product, Enterprise).join(Enterprise, Product.owner_id == Enterprise.id)
    if scope is not None:
        stmt = stmt.where(*enterprises_in_scope(scope))
    if owner_id is not None:
        stmt = stmt.where(Product.owner_id == owner_id)
    if status is not None:
        stmt = stmt.where(Product.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(Product.id).limit(limit).offset(offset))
    return total, [(p, e) for p, e in rows]
