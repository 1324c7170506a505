"""Product filing on a real database: owner checks, HS and unit checks, lifecycle, look-up, import."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.unit.enterprises.builders import (
    PRODUCT_CSV_HEADER,
    approved,
    customs_code_for,
    enterprise,
    product,
    product_csv_row,
    uscc_for,
)

from cbec.audit.models import AuditRecord
from cbec.enterprises.service import file_enterprise, suspend_enterprise
from cbec.products import (
    ProductExists,
    ProductImportInvalid,
    ProductInvalid,
    ProductNotFound,
    ProductStatus,
    ProductStatusConflict,
    filed_weights,
    find_product,
)
from cbec.products.models import Product
from cbec.products.service import (
    approve_product,
    file_product,
    get_product,
    import_products,
    list_products,
    product_audit,
    revoke_product,
)
from cbec.reference import seed_builtin
from cbec.storage.context import Context

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def shop(ctx: Context) -> str:
    """Seed the reference data and return the customs code of an approved e-commerce enterprise."""
    seed_builtin(ctx)
    return approved(ctx, 1).customs_code


def products_and_audits(ctx: Context) -> tuple[int, int]:
    with ctx.session_factory() as session:
        return (
            session.scalar(select(func.count()).select_from(Product)) or 0,
            session.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.entity_type == "product"))
            or 0,
        )


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "products.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_filing_and_approval_are_audited(ctx: Context, shop: str) -> None:
    filed = file_product(ctx, product(shop))
    assert filed.model_dump() == {
        "id": filed.id,
        "owner_code": shop,
        "owner_name": "海口测试电子商务有限公司1",
        "item_no": "SKU-SERUM-50",
        "name": "精华液50毫升",
        "hs_code": "3304990099",
        "specification": "50毫升/瓶",
        "brand": "雪肌",
        "origin_country": "116",
        "transaction_unit": "142",
        "legal_unit": "035",
        "legal_unit_2": None,
        "net_content": Decimal("50"),
        "net_content_unit": "096",
        "barcode": "4901234567894",
        "unit_gross_weight": None,
        "status": "pending",
        "filed_at": AT,
        "updated_at": AT,
    }
    approve_product(ctx, filed.id, reason="核对无误", actor="officer")
    revoke_product(ctx, filed.id, reason="停止销售", actor="officer-2")
    trail = product_audit(ctx, filed.id)
    assert [(a.action, a.actor, a.before, a.after, a.reason) for a in trail] == [
        (
            "products.product.filed",
            "tester",
            None,
            {
                "owner_code": shop,
                "item_no": "SKU-SERUM-50",
                "name": "精华液50毫升",
                "hs_code": "3304990099",
                "specification": "50毫升/瓶",
                "brand": "雪肌",
                "origin_country": "116",
                "transaction_unit": "142",
                "legal_unit": "035",
                "legal_unit_2": None,
                "net_content": "50",
                "net_content_unit": "096",
                "barcode": "4901234567894",
                "unit_gross_weight": None,
                "status": "pending",
            },
            None,
        ),
        ("products.product.approved", "officer", {"status": "pending"}, {"status": "approved"}, "核对无误"),
        ("products.product.revoked", "officer-2", {"status": "approved"}, {"status": "revoked"}, "停止销售"),
    ]
    with pytest.raises(ProductStatusConflict):
        approve_product(ctx, filed.id, reason="x", actor="officer")


def test_find_product_for_clearance(ctx: Context, shop: str) -> None:
    filed = file_product(ctx, product(shop))
    with ctx.session_factory() as session:
        pending = find_product(session, shop, "SKU-SERUM-50")
        assert find_product(session, shop, "SKU-OTHER") is None
        assert find_product(session, "4601999999", "SKU-SERUM-50") is None
    assert pending is not None
    assert (pending.approved, pending.status) == (False, ProductStatus.PENDING)
    approve_product(ctx, filed.id, reason="ok", actor="officer")
    with ctx.session_factory() as session:
        ref = find_product(session, uscc_for(1), "SKU-SERUM-50")
    assert ref is not None
    assert (
        ref.id,
        ref.owner_code,
        ref.hs_code,
        ref.net_content,
        ref.net_content_unit,
        ref.legal_unit,
        ref.name,
        ref.brand,
        ref.origin_country,
        ref.approved,
    ) == (filed.id, shop, "3304990099", Decimal("50"), "096", "035", "精华液50毫升", "雪肌", "116", True)


def test_owner_must_be_an_approved_ecommerce_enterprise(ctx: Context) -> None:
    seed_builtin(ctx)
    pending = file_enterprise(ctx, enterprise(1))
    payer = approved(ctx, 2, roles=["payment_company"])
    for owner, message in (
        (pending.customs_code, f"电商企业未获批准 / enterprise {pending.customs_code} is pending"),
        (
            payer.customs_code,
            f"不是电商企业 / enterprise {payer.customs_code} is not filed as an e-commerce enterprise",
        ),
        ("4601999999", "电商企业未备案 / no enterprise 4601999999 is filed"),
    ):
        with pytest.raises(ProductInvalid) as caught:
            file_product(ctx, product(owner))
        assert [p.message for p in caught.value.problems] == [message]
    assert products_and_audits(ctx) == (0, 0)


def test_every_problem_is_reported_and_nothing_written(ctx: Context, shop: str) -> None:
    with pytest.raises(ProductInvalid) as caught:
        file_product(
            ctx,
            product(shop, hs_code="9999999999", origin_country="000", net_content=Decimal(0), legal_unit="999"),
        )
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("PRD-HS-UNKNOWN", "hs_code"),
        ("PRD-COUNTRY", "origin_country"),
        ("PRD-UNIT", "legal_unit"),
        ("PRD-NET-CONTENT", "net_content"),
    ]
    assert products_and_audits(ctx) == (0, 0)


def test_cosmetic_net_content_unit_must_suit_the_threshold(ctx: Context, shop: str) -> None:
    with pytest.raises(ProductInvalid) as caught:
        file_product(ctx, product(shop, net_content=Decimal(1), net_content_unit="142"))
    assert [p.rule_id for p in caught.value.problems] == ["REF-NET-CONTENT-UNIT"]
    masks = file_product(ctx, product(shop, item_no="SKU-MASK-10", net_content=Decimal(10), net_content_unit="020"))
    assert masks.net_content_unit == "020"


def test_item_number_is_unique_per_owner(ctx: Context, shop: str) -> None:
    file_product(ctx, product(shop))
    with pytest.raises(ProductExists):
        file_product(ctx, product(shop, name="另一个"))
    other = approved(ctx, 2).customs_code
    file_product(ctx, product(other))
    assert products_and_audits(ctx) == (2, 2)


def test_approval_needs_an_approved_owner(ctx: Context, shop: str) -> None:
    filed = file_product(ctx, product(shop))
    suspend_enterprise(ctx, shop, reason="x", actor="officer")
    with pytest.raises(ProductStatusConflict) as caught:
        approve_product(ctx, filed.id, reason="ok", actor="officer")
    assert caught.value.problems[0].message == f"电商企业未获批准 / the owner {shop} is suspended, not approved"
    assert get_product(ctx, filed.id).status == "pending"


def test_list_and_not_found(ctx: Context, shop: str) -> None:
    first = file_product(ctx, product(shop))
    file_product(ctx, product(shop, item_no="SKU-2"))
    approve_product(ctx, first.id, reason="ok", actor="officer")
    assert [p.item_no for p in list_products(ctx, owner_code=shop).items] == ["SKU-SERUM-50", "SKU-2"]
    assert [p.item_no for p in list_products(ctx, status="approved").items] == ["SKU-SERUM-50"]
    assert list_products(ctx, owner_code="4601999999").total == 0
    with pytest.raises(ProductNotFound):
        get_product(ctx, 999)


def test_import_all_or_nothing_then_idempotent(ctx: Context, shop: str, tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        PRODUCT_CSV_HEADER,
        product_csv_row(shop, "SKU-1"),
        product_csv_row(shop, "SKU-2", hs_code="1901"),
        product_csv_row(shop, "SKU-1"),
        product_csv_row("4601999999", "SKU-4", net_content="lots"),
    )
    with pytest.raises(ProductImportInvalid) as caught:
        import_products(ctx, bad)
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("PRD-HS-FORMAT", "row[3].hs_code"),
        ("PRD-DUPLICATE-ROW", "row[4].item_no"),
        ("PRD-NET-CONTENT", "row[5].net_content"),
        ("PRD-OWNER", "row[5].owner_code"),
    ]
    assert products_and_audits(ctx) == (0, 0)
    good = write(tmp_path, PRODUCT_CSV_HEADER, product_csv_row(shop, "SKU-1"), product_csv_row(shop, "SKU-2"))
    report = import_products(ctx, good, actor="importer")
    assert (report.rows, report.created, report.updated, report.unchanged) == (2, 2, 0, 0)
    again = import_products(ctx, good)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert products_and_audits(ctx) == (2, 2)


def test_import_update_sends_a_product_back_to_pending(ctx: Context, shop: str, tmp_path: Path) -> None:
    import_products(ctx, write(tmp_path, PRODUCT_CSV_HEADER, product_csv_row(shop, "SKU-1")))
    [filed] = list_products(ctx).items
    approve_product(ctx, filed.id, reason="ok", actor="officer")
    changed = write(tmp_path, PRODUCT_CSV_HEADER, product_csv_row(shop, "SKU-1", net_content="0.8"))
    with pytest.raises(ProductImportInvalid) as caught:
        import_products(ctx, changed)
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [("PRD-CHANGED", "row[2].net_content")]
    report = import_products(ctx, changed, update=True, actor="importer")
    assert report.updated == 1
    read = get_product(ctx, filed.id)
    assert (read.net_content, read.status) == (Decimal("0.8"), "pending")
    last = product_audit(ctx, filed.id)[-1]
    assert (last.action, last.before, last.after) == (
        "products.product.updated",
        {"net_content": "0.9", "status": "approved"},
        {"net_content": "0.8", "status": "pending"},
    )


def test_customs_code_and_credit_code_both_name_the_owner(ctx: Context, shop: str, tmp_path: Path) -> None:
    import_products(ctx, write(tmp_path, PRODUCT_CSV_HEADER, product_csv_row(uscc_for(1), "SKU-1")))
    assert [p.owner_code for p in list_products(ctx).items] == [customs_code_for(1)]


def test_a_filed_unit_gross_weight_is_kept_audited_and_found_by_owner_and_item(ctx: Context, shop: str) -> None:
    filed = file_product(ctx, product(shop, unit_gross_weight=Decimal("0.1100")))
    assert filed.unit_gross_weight == Decimal("0.11")
    [audit] = product_audit(ctx, filed.id)
    assert audit.after is not None and audit.after["unit_gross_weight"] == "0.11"
    file_product(ctx, product(shop, item_no="SKU-NO-WEIGHT"))
    with ctx.session_factory() as session:
        found = filed_weights(
            session,
            [(shop, "SKU-SERUM-50"), (uscc_for(1), "SKU-SERUM-50"), (shop, "SKU-NO-WEIGHT"), ("4601999999", "X")],
        )
    assert found == {(shop, "SKU-SERUM-50"): Decimal("0.11"), (uscc_for(1), "SKU-SERUM-50"): Decimal("0.11")}


def test_a_bad_unit_gross_weight_is_refused_with_its_rule(ctx: Context, shop: str) -> None:
    with pytest.raises(ProductInvalid) as caught:
        file_product(ctx, product(shop, unit_gross_weight=Decimal("1500")))
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [("PRD-GROSS-WEIGHT", "unit_gross_weight")]
    assert products_and_audits(ctx) == (0, 0)


def test_import_takes_an_optional_unit_gross_weight_column(ctx: Context, shop: str, tmp_path: Path) -> None:
    header = PRODUCT_CSV_HEADER + ",unit_gross_weight"
    rows = [product_csv_row(shop, "SKU-1") + ",1.15", product_csv_row(shop, "SKU-2") + ","]
    report = import_products(ctx, write(tmp_path, header, *rows))
    assert (report.created, report.updated) == (2, 0)
    assert [(p.item_no, p.unit_gross_weight) for p in list_products(ctx).items] == [
        ("SKU-1", Decimal("1.15")),
        ("SKU-2", None),
    ]
    assert import_products(ctx, write(tmp_path, PRODUCT_CSV_HEADER, product_csv_row(shop, "SKU-2"))).unchanged == 1
    bad = write(tmp_path, header, product_csv_row(shop, "SKU-3") + ",0", product_csv_row(shop, "SKU-4") + ",heavy")
    with pytest.raises(ProductImportInvalid) as caught:
        import_products(ctx, bad)
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("PRD-GROSS-WEIGHT", "row[2].unit_gross_weight"),
        ("PRD-GROSS-WEIGHT", "row[3].unit_gross_weight"),
    ]
    weighed = write(tmp_path, header, product_csv_row(shop, "SKU-2") + ",0.95")
    with pytest.raises(ProductImportInvalid) as changed:
        import_products(ctx, weighed)
    assert [(p.rule_id, p.field) for p in changed.value.problems] == [("PRD-CHANGED", "row[2].unit_gross_weight")]
    assert import_products(ctx, weighed, update=True).updated == 1
    [_, second] = list_products(ctx).items
    last = product_audit(ctx, second.id)[-1]
    assert (second.unit_gross_weight, last.before, last.after) == (
        Decimal("0.95"),
        {"unit_gross_weight": None, "status": "pending"},
        {"unit_gross_weight": "0.95", "status": "pending"},
    )
