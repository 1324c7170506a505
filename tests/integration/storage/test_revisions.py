"""Revision tokens and the caches keyed by them: a filing cached in memory is never answered stale."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text
from tests.builders import PARTIES
from tests.sql import statements
from tests.zone import file_zone

from cbec.enterprises.certificates import register_certificate, trusted_certificates
from cbec.enterprises.lookups import find_active_by_code, find_by_code
from cbec.enterprises.models import Enterprise
from cbec.messages.signature import SignatureAlgorithm, generate_test_identity
from cbec.products import find_product
from cbec.reference.lookups import lookup_goods, tax_parameters
from cbec.storage.context import Context
from cbec.storage.revisions import tokens

CODE = PARTIES.platform.code


def filing_token(ctx: Context) -> str | None:
    with ctx.uow() as uow:
        return tokens(uow.session).get("filing")


def active(ctx: Context, code: str = CODE) -> str | None:
    with ctx.uow() as uow:
        ref = find_active_by_code(uow.session, code)
        return None if ref is None else ref.name


def test_every_committed_write_to_the_filing_tables_by_any_means_changes_the_token(ctx: Context) -> None:
    file_zone(ctx)
    first = filing_token(ctx)
    assert first is not None and len(first) == 32
    with ctx.engine.begin() as conn:  # typed-in SQL, not the ORM
        conn.execute(text("UPDATE enterprise SET name = '改名平台' WHERE customs_code = :c"), {"c": CODE})
    second = filing_token(ctx)
    assert second not in (None, first)
    with ctx.engine.begin() as conn:
        conn.execute(text("DELETE FROM enterprise_role WHERE role = 'no-such-role'"))  # no row: no change
    assert filing_token(ctx) == second
    with ctx.engine.connect() as conn:  # a write that rolls back leaves the token as it was
        conn.execute(text("UPDATE enterprise SET name = '又改名' WHERE customs_code = :c"), {"c": CODE})
        conn.rollback()
    assert filing_token(ctx) == second
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE enterprise_certificate SET status = 'revoked'"))  # no row: no change
        conn.execute(text("DELETE FROM enterprise_role WHERE enterprise_id IN (SELECT min(id) FROM enterprise)"))
    assert filing_token(ctx) not in (None, second)


def test_a_cached_filing_is_answered_without_a_query_and_dropped_when_the_filing_changes(ctx: Context) -> None:
    file_zone(ctx)
    assert active(ctx) == PARTIES.platform.name
    with statements(ctx) as seen:
        assert active(ctx) == PARTIES.platform.name
    assert [s for s in seen if "FROM enterprise" in s] == []
    assert [s for s in seen if "data_revision" in s] != []  # the token, once per transaction
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE enterprise SET status = 'suspended' WHERE customs_code = :c"), {"c": CODE})
    assert active(ctx) is None
    with ctx.uow() as uow:
        ref = find_by_code(uow.session, CODE)
        assert ref is not None and ref.status.value == "suspended"
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE enterprise SET status = 'approved' WHERE customs_code = :c"), {"c": CODE})
    assert active(ctx) == PARTIES.platform.name


def test_a_transaction_that_writes_a_filing_reads_its_own_write_and_a_rollback_keeps_the_cache(ctx: Context) -> None:
    file_zone(ctx)
    assert active(ctx) == PARTIES.platform.name
    token = filing_token(ctx)
    with ctx.uow() as uow:
        row = uow.session.scalars(select(Enterprise).where(Enterprise.customs_code == CODE)).one()
        assert find_active_by_code(uow.session, CODE) is not None  # cached, before the write
        row.status = "suspended"
        uow.session.flush()
        assert find_active_by_code(uow.session, CODE) is None  # its own write, not the cache
        uow.rollback()
    assert filing_token(ctx) == token
    assert active(ctx) == PARTIES.platform.name


def test_a_registered_certificate_is_trusted_at_once_and_one_revoked_by_sql_is_not(ctx: Context) -> None:
    file_zone(ctx)
    now = ctx.clock.now()
    _, der = generate_test_identity(SignatureAlgorithm.RSA_SHA1, "测试", not_before=now - timedelta(days=1), days=30)
    with ctx.uow() as uow:
        assert trusted_certificates(uow.session, CODE, now) == []
    register_certificate(ctx, CODE, der, actor="officer")
    with ctx.uow() as uow:
        assert trusted_certificates(uow.session, CODE, now) == [der]
        assert trusted_certificates(uow.session, CODE.lower(), now + timedelta(days=60)) == []  # out of validity
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE enterprise_certificate SET status = 'revoked'"))
    with ctx.uow() as uow:
        assert trusted_certificates(uow.session, CODE, now) == []


def test_goods_rules_and_tax_parameters_are_read_once_per_reference_revision(ctx: Context) -> None:
    file_zone(ctx)
    on = ctx.clock.now().date()
    with ctx.uow() as uow:
        rule = lookup_goods(uow.session, "1901101000", on)
        parameters = tax_parameters(uow.session, on)
    assert rule is not None and rule.on_positive_list
    with statements(ctx) as seen, ctx.uow() as uow:
        assert lookup_goods(uow.session, "1901101000", on) is rule
        again = tax_parameters(uow.session, on)
        name = next(iter(again))
        again[name] += 1  # the caller's copy, not the cache's
        assert tax_parameters(uow.session, on) == parameters
    assert [s for s in seen if "positive_list_entry" in s or "tariff_rate" in s or "tax_parameter" in s] == []
    assert len([s for s in seen if "data_revision" in s]) == 1  # the tokens of filings and reference data at once


def test_a_reference_write_by_sql_changes_the_reference_token_and_the_goods_rule(ctx: Context) -> None:
    file_zone(ctx)
    on = ctx.clock.now().date()
    with ctx.uow() as uow:
        before = tokens(uow.session)["reference"]
        rule = lookup_goods(uow.session, "1901101000", on)
    assert rule is not None and rule.on_positive_list
    with ctx.engine.begin() as conn:
        conn.execute(text("DELETE FROM positive_list_entry WHERE hs8 = '19011010'"))
    with ctx.uow() as uow:
        assert tokens(uow.session)["reference"] != before
        after = lookup_goods(uow.session, "1901101000", on)
    assert after is not None and not after.on_positive_list


def test_a_cached_product_filing_is_answered_without_a_query_and_dropped_when_it_changes(ctx: Context) -> None:
    file_zone(ctx)
    owner = PARTIES.ecommerce.code
    with ctx.uow() as uow:
        product = find_product(uow.session, owner, "SKU-SERUM-50")
    assert product is not None and product.approved and product.owner_code == owner
    with statements(ctx) as seen, ctx.uow() as uow:
        assert find_product(uow.session, owner.lower(), " SKU-SERUM-50") is product
        assert find_product(uow.session, owner, "SKU-NONE") is None
        assert find_product(uow.session, owner, "SKU-NONE") is None
    assert len([s for s in seen if "FROM product" in s]) == 1  # the unknown item, once
    assert [s for s in seen if "FROM enterprise" in s] == []
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE product SET status = 'revoked' WHERE item_no = 'SKU-SERUM-50'"))
    with ctx.uow() as uow:
        assert tokens(uow.session)["product"] is not None
        revoked = find_product(uow.session, owner, "SKU-SERUM-50")
    assert revoked is not None and not revoked.approved
    with ctx.engine.begin() as conn:  # the owner's code changes under the filing token: the answer follows it
        conn.execute(text("UPDATE enterprise SET customs_code = '4601999998' WHERE customs_code = :c"), {"c": owner})
    with ctx.uow() as uow:
        assert find_product(uow.session, owner, "SKU-SERUM-50") is None
        moved = find_product(uow.session, "4601999998", "SKU-SERUM-50")
    assert moved is not None and moved.owner_code == "4601999998"
