"""Use cases of product filing (商品备案): file, approve, revoke, read, import.

Every public function is one transaction and every state change writes one audit record. A product is
filed by an approved e-commerce enterprise; changing an approved product through ``import --update``
sends it back to pending.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.audit.repository import list_audit
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.scope import OutOfScope, Scope
from cbec.enterprises import EnterpriseRole, EnterpriseStatus
from cbec.enterprises.models import Enterprise
from cbec.products import repository as repo
from cbec.products.errors import (
    ProductExists,
    ProductImportInvalid,
    ProductInvalid,
    ProductNotFound,
    ProductStatusConflict,
)
from cbec.products.models import Product
from cbec.products.rules import (
    TRANSITIONS,
    ProductDraft,
    ProductStatus,
    ProductTransition,
    check_product,
    check_product_transition,
    make_product_draft,
    product_differences,
)
from cbec.products.schemas import AuditRead, ProductCreate, ProductImportReport, ProductPage, ProductRead
from cbec.reference import ReferenceDataMissing, by_row, code_tables, lookup_goods, plain, read_records
from cbec.storage.context import Context

ENTITY = "product"
IMPORT_REQUIRED = frozenset(
    {
        "owner_code",
        "item_no",
        "name",
        "hs_code",
        "specification",
        "origin_country",
        "transaction_unit",
        "legal_unit",
        "net_content",
        "net_content_unit",
    }
)
IMPORT_OPTIONAL = frozenset({"brand", "legal_unit_2", "barcode", "unit_gross_weight"})
Progress = Callable[[int, int], None]


def file_product(ctx: Context, data: ProductCreate, *, scope: Scope | None = None) -> ProductRead:
    """File a new product (status pending) after checking every rule; the owner must lie in the scope."""
    draft, problems = make_product_draft(**data.model_dump(exclude={"actor"}))
    with ctx.uow() as uow:
        session = uow.session
        if scope is not None:
            _check_owner_scope(session, draft.owner_code, scope)
        today = business_date(ctx.clock.now())
        problems.extend(_check(session, draft, today, "", unreadable=bool(problems)))
        owner, owner_problems = _owner(session, draft.owner_code, "")
        problems.extend(owner_problems)
        if problems:
            raise ProductInvalid("the product filing breaks one or more rules", problems=problems)
        assert owner is not None
        if repo.by_owner_item(session, owner.id, draft.item_no) is not None:
            raise ProductExists(
                f"{owner.customs_code} already filed item {draft.item_no}",
                problems=[_taken(draft, "")],
            )
        product = _create(session, ctx, owner, draft, actor=data.actor or "api")
        try:
            uow.commit()
        except IntegrityError as exc:
            raise ProductExists(f"{owner.customs_code} filed item {draft.item_no} at the same time") from exc
        return _read(product, owner)


def change_product_status(
    ctx: Context,
    product_id: int,
    transition: ProductTransition,
    *,
    reason: str,
    actor: str,
    scope: Scope | None = None,
) -> ProductRead:
    """Approve or revoke a product filing, with a reason and an actor, audited."""
    with ctx.uow() as uow:
        product, owner = _load(uow.session, product_id, scope)
        current = ProductStatus(product.status)
        problems = check_product_transition(current, transition, reason, actor)
        if transition is ProductTransition.APPROVE and owner.status != EnterpriseStatus.APPROVED:
            problems.append(
                Problem(
                    "PRD-TRANSITION",
                    "owner_code",
                    f"电商企业未获批准 / the owner {owner.customs_code} is {owner.status}, not approved",
                    "Approve the enterprise filing first.",
                )
            )
        conflict = [p for p in problems if p.rule_id == "PRD-TRANSITION"]
        if conflict:
            raise ProductStatusConflict(conflict[0].message, problems=conflict, status=current.value)
        if problems:
            raise ProductInvalid("a status change needs a reason and an actor", problems=problems)
        _, target, action = TRANSITIONS[transition]
        now = ctx.clock.now()
        product.status = target.value
        product.updated_at = now
        record_audit(
            uow.session,
            at=now,
            actor=actor.strip(),
            action=action,
            entity_type=ENTITY,
            entity_key=str(product.id),
            before={"status": current.value},
            after={"status": target.value},
            reason=reason.strip(),
        )
        uow.commit()
        return _read(product, owner)


def approve_product(ctx: Context, product_id: int, *, reason: str, actor: str) -> ProductRead:
    """Approve a pending product filing."""
    return change_product_status(ctx, product_id, ProductTransition.APPROVE, reason=reason, actor=actor)


def revoke_product(ctx: Context, product_id: int, *, reason: str, actor: str) -> ProductRead:
    """Revoke a product filing for good."""
    return change_product_status(ctx, product_id, ProductTransition.REVOKE, reason=reason, actor=actor)


def get_product(ctx: Context, product_id: int, *, scope: Scope | None = None) -> ProductRead:
    """Return one product filing; outside the scope it is not found."""
    with ctx.uow() as uow:
        return _read(*_load(uow.session, product_id, scope))


def list_products(
    ctx: Context,
    *,
    owner_code: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
    scope: Scope | None = None,
) -> ProductPage:
    """Return a page of product filings in the scope, filtered by owner and status."""
    if status is not None and status not in {s.value for s in ProductStatus}:
        choices = ", ".join(s.value for s in ProductStatus)
        raise ProductInvalid(
            "unknown filter value",
            problems=[Problem("PRD-FILTER", "status", f"unknown status {status!r}", f"Use one of: {choices}.")],
        )
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    with ctx.uow() as uow:
        owner_id: int | None = None
        if owner_code is not None:
            owner = repo.owner_by_code(uow.session, owner_code.strip().upper())
            if owner is None:
                return ProductPage(items=[], total=0, limit=limit, offset=offset)
            owner_id = owner.id
        total, rows = repo.page(uow.session, owner_id=owner_id, status=status, limit=limit, offset=offset, scope=scope)
        return ProductPage(items=[_read(p, e) for p, e in rows], total=total, limit=limit, offset=offset)


def product_audit(ctx: Context, product_id: int, *, scope: Scope | None = None) -> list[AuditRead]:
    """Return the audit trail of one product filing, oldest first."""
    with ctx.uow() as uow:
        product, _ = _load(uow.session, product_id, scope)
        rows = list_audit(uow.session, entity_type=ENTITY, entity_key=str(product.id))
        return [
            AuditRead(id=r.id, at=r.at, actor=r.actor, action=r.action, before=r.before, after=r.after, reason=r.reason)
            for r in rows
        ]


def import_products(
    ctx: Context,
    path: str | Path,
    *,
    update: bool = False,
    actor: str = "cli",
    progress: Progress | None = None,
) -> ProductImportReport:
    """Import product filings from CSV or JSON: check every row first, then write all rows or none."""
    file_path = Path(path)
    header, records = read_records(file_path, list_key="products")
    problems = _header_problems(header)
    if problems:
        raise ProductImportInvalid(f"{file_path.name}: wrong columns; nothing was imported", problems=problems)
    if not records:
        raise ProductImportInvalid(
            f"{file_path.name}: no rows",
            problems=[Problem("PRD-EMPTY", "row[2]", "the file has no data rows", "Add at least one row.")],
        )
    with ctx.uow() as uow:
        session = uow.session
        today = business_date(ctx.clock.now())
        owners: dict[str, tuple[Enterprise | None, list[Problem]]] = {}
        staged: list[tuple[int, ProductDraft, Enterprise]] = []
        seen: dict[tuple[str, str], int] = {}
        for row_no, record in records:
            prefix = f"row[{row_no}]."
            draft, found = make_product_draft(**_raw(record), prefix=prefix)
            problems.extend(found)
            problems.extend(_check(session, draft, today, prefix, unreadable=bool(found)))
            if draft.owner_code not in owners:
                owners[draft.owner_code] = _owner(session, draft.owner_code, "")
            owner, owner_problems = owners[draft.owner_code]
            problems.extend(Problem(p.rule_id, prefix + p.field, p.message, p.hint) for p in owner_problems)
            key = (draft.owner_code, draft.item_no)
            if key in seen:
                problems.append(
                    Problem(
                        "PRD-DUPLICATE-ROW",
                        f"{prefix}item_no",
                        f"文件内重复 / item {draft.item_no} of {draft.owner_code} is also in row {seen[key]}",
                        "Keep one row per owner and item number.",
                    )
                )
            else:
                seen[key] = row_no
            if owner is not None:
                staged.append((row_no, draft, owner))
        existing = repo.by_owner_items(session, ((o.id, d.item_no) for _, d, o in staged))
        plan: list[tuple[ProductDraft, Enterprise, Product | None]] = []
        unchanged = 0
        for row_no, draft, owner in staged:
            product = existing.get((owner.id, draft.item_no))
            if product is None:
                plan.append((draft, owner, None))
                continue
            differences = product_differences(_draft_of_row(product, draft.owner_code), draft)
            if not differences:
                unchanged += 1
            elif product.status == ProductStatus.REVOKED or not update:
                problems.append(_changed(f"row[{row_no}].", draft, differences, revoked=product.status == "revoked"))
            else:
                plan.append((draft, owner, product))
        if problems:
            raise ProductImportInvalid(
                f"{file_path.name}: {len(problems)} problem(s); nothing was imported", problems=by_row(problems)
            )
        created = updated = 0
        for done, (draft, owner, product) in enumerate(plan, 1):
            if product is None:
                _create(session, ctx, owner, draft, actor=actor)
                created += 1
            else:
                _update(session, ctx, product, draft, actor=actor)
                updated += 1
            if progress is not None:
                progress(done, len(plan))
        try:
            uow.commit()
        except IntegrityError as exc:
            raise ProductImportInvalid(
                f"{file_path.name}: the rows clash with filings made meanwhile; nothing was imported",
                problems=[Problem("PRD-CLASH", "file", str(exc.orig), "Run the import again.")],
            ) from exc
    return ProductImportReport(
        source=str(file_path), rows=len(records), created=created, updated=updated, unchanged=unchanged
    )


# --- helpers -----------------------------------------------------------------------------------------------


def _check(
    session: Session, draft: ProductDraft, today: date, prefix: str, *, unreadable: bool = False
) -> list[Problem]:
    goods = None
    if len(draft.hs_code) == 10 and draft.hs_code.isascii() and draft.hs_code.isdigit():
        try:
            goods = lookup_goods(session, draft.hs_code, today)
        except ReferenceDataMissing:
            goods = None
    return check_product(draft, code_tables(session, today), goods, prefix, unreadable_net_content=unreadable)


def _owner(session: Session, code: str, prefix: str) -> tuple[Enterprise | None, list[Problem]]:
    if not code:
        return None, []
    owner = repo.owner_by_code(session, code)
    if owner is None:
        return None, [
            Problem(
                "PRD-OWNER",
                f"{prefix}owner_code",
                f"电商企业未备案 / no enterprise {code} is filed",
                "File the e-commerce enterprise (企业备案) first.",
            )
        ]
    problems: list[Problem] = []
    if owner.status != EnterpriseStatus.APPROVED:
        problems.append(
            Problem(
                "PRD-OWNER",
                f"{prefix}owner_code",
                f"电商企业未获批准 / enterprise {code} is {owner.status}",
                "Only approved enterprises file products; approve or reinstate the enterprise first.",
            )
        )
    if EnterpriseRole.ECOMMERCE_ENTERPRISE not in {grant.role for grant in owner.roles}:
        problems.append(
            Problem(
                "PRD-OWNER",
                f"{prefix}owner_code",
                f"不是电商企业 / enterprise {code} is not filed as an e-commerce enterprise",
                "Add the role ecommerce_enterprise to the enterprise filing.",
            )
        )
    return (owner if not problems else None), problems


def _admits(scope: Scope, owner: Enterprise) -> bool:
    return scope.admits_tenant(owner.zone) and scope.admits_party((owner.customs_code, owner.uscc))


def _check_owner_scope(session: Session, code: str, scope: Scope) -> None:
    owner = repo.owner_by_code(session, code) if code else None
    admitted = _admits(scope, owner) if owner is not None else scope.admits_party([code])
    if not admitted:
        raise OutOfScope(
            f"you cannot file products of {code}",
            problems=[
                Problem(
                    "PRD-OWNER-SCOPE",
                    "owner_code",
                    f"无权为 {code} 备案商品 / you cannot file products of {code}",
                    "File products of your own enterprise, or of one that delegated product filing to you.",
                )
            ],
        )


def _load(session: Session, product_id: int, scope: Scope | None = None) -> tuple[Product, Enterprise]:
    found = repo.get(session, product_id)
    if found is not None and scope is not None and not _admits(scope, found[1]):
        found = None  # outside the caller's scope a product is not found, so its existence does not leak
    if found is None:
        raise ProductNotFound(f"no product {product_id}", product_id=product_id)
    return found


def _taken(draft: ProductDraft, prefix: str) -> Problem:
    return Problem(
        "PRD-TAKEN",
        f"{prefix}item_no",
        f"商品货号已备案 / item {draft.item_no} of {draft.owner_code} is already filed",
        "Use another item number, or update the filing with `cbec products import --update`.",
    )


def _changed(prefix: str, draft: ProductDraft, differences: list[str], *, revoked: bool) -> Problem:
    hint = (
        "A revoked product is final; file the SKU under a new item number."
        if revoked
        else "Re-run with --update to change the filing (it goes back to pending), or make the row match."
    )
    return Problem(
        "PRD-CHANGED",
        f"{prefix}{differences[0]}",
        f"与已备案信息不同 / item {draft.item_no} is filed with different {', '.join(differences)}",
        hint,
    )


def _header_problems(header: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    missing = sorted(IMPORT_REQUIRED - set(header))
    unknown = sorted(set(header) - IMPORT_REQUIRED - IMPORT_OPTIONAL)
    hint = f"Columns: {', '.join(sorted(IMPORT_REQUIRED))} (required); {', '.join(sorted(IMPORT_OPTIONAL))}."
    if missing:
        problems.append(Problem("PRD-COLUMNS", "row[1]", f"缺少列 / missing columns: {', '.join(missing)}", hint))
    if unknown:
        problems.append(Problem("PRD-COLUMNS", "row[1]", f"未知列 / unknown columns: {', '.join(unknown)}", hint))
    return problems


def _raw(record: Mapping[str, str]) -> dict[str, Any]:
    names = IMPORT_REQUIRED | IMPORT_OPTIONAL
    return {name: record.get(name, "") for name in names}


def _draft_of_row(product: Product, owner_code: str) -> ProductDraft:
    return ProductDraft(
        owner_code=owner_code,
        item_no=product.item_no,
        name=product.name,
        hs_code=product.hs_code,
        specification=product.specification,
        brand=product.brand,
        origin_country=product.origin_country,
        transaction_unit=product.transaction_unit,
        legal_unit=product.legal_unit,
        legal_unit_2=product.legal_unit_2,
        net_content=product.net_content.normalize(),
        net_content_unit=product.net_content_unit,
        barcode=product.barcode,
        unit_gross_weight=product.unit_gross_weight.normalize() if product.unit_gross_weight is not None else None,
    )


def _snapshot(draft: ProductDraft, names: list[str] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in names or list(ProductDraft.__dataclass_fields__):
        value = getattr(draft, name)
        decimal = name in {"net_content", "unit_gross_weight"} and value is not None
        result[name] = str(plain(value)) if decimal else value
    return result


def _create(session: Session, ctx: Context, owner: Enterprise, draft: ProductDraft, *, actor: str) -> Product:
    assert draft.net_content is not None
    now = ctx.clock.now()
    product = Product(
        owner_id=owner.id,
        item_no=draft.item_no,
        name=draft.name,
        hs_code=draft.hs_code,
        specification=draft.specification,
        brand=draft.brand,
        origin_country=draft.origin_country,
        transaction_unit=draft.transaction_unit,
        legal_unit=draft.legal_unit,
        legal_unit_2=draft.legal_unit_2,
        net_content=draft.net_content,
        net_content_unit=draft.net_content_unit,
        barcode=draft.barcode,
        unit_gross_weight=draft.unit_gross_weight,
        status=ProductStatus.PENDING.value,
        filed_at=now,
        updated_at=now,
    )
    repo.add(session, product)
    snapshot = {**_snapshot(draft), "owner_code": owner.customs_code, "status": ProductStatus.PENDING.value}
    record_audit(
        session,
        at=now,
        actor=actor,
        action="products.product.filed",
        entity_type=ENTITY,
        entity_key=str(product.id),
        after=snapshot,
    )
    return product


def _update(session: Session, ctx: Context, product: Product, draft: ProductDraft, *, actor: str) -> None:
    assert draft.net_content is not None
    before = _draft_of_row(product, draft.owner_code)
    changed = product_differences(before, draft)
    now = ctx.clock.now()
    before_snapshot = {**_snapshot(before, changed), "status": product.status}
    for name in changed:
        setattr(product, name, getattr(draft, name))
    product.status = ProductStatus.PENDING.value
    product.updated_at = now
    record_audit(
        session,
        at=now,
        actor=actor,
        action="products.product.updated",
        entity_type=ENTITY,
        entity_key=str(product.id),
        before=before_snapshot,
        after={**_snapshot(draft, changed), "status": ProductStatus.PENDING.value},
        reason="import --update",
    )


def _read(product: Product, owner: Enterprise) -> ProductRead:
    return ProductRead(
        id=product.id,
        owner_code=owner.customs_code,
        owner_name=owner.name,
        item_no=product.item_no,
        name=product.name,
        hs_code=product.hs_code,
        specification=product.specification,
        brand=product.brand,
        origin_country=product.origin_country,
        transaction_unit=product.transaction_unit,
        legal_unit=product.legal_unit,
        legal_unit_2=product.legal_unit_2,
        net_content=plain(product.net_content),
        net_content_unit=product.net_content_unit,
        barcode=product.barcode,
        unit_gross_weight=plain(product.unit_gross_weight) if product.unit_gross_weight is not None else None,
        status=product.status,
        filed_at=product.filed_at.astimezone(UTC),
        updated_at=product.updated_at.astimezone(UTC),
    )
