"""Reference-data use cases on a real database: seeding, effective-dated loading and the look-ups."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cbec.reference import (
    GoodsNotFound,
    ReferenceDataMissing,
    ReferenceFileInvalid,
    code_tables,
    goods_rule,
    load_file,
    lookup_goods,
    reference_table,
    seed_builtin,
    tax_parameters,
)
from cbec.reference.models import CodeEntry, PositiveListEntry, TariffRate, TaxParameter
from cbec.storage.context import Context

ON = date(2026, 3, 2)


def count(ctx: Context, model: type) -> int:
    with ctx.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_loads_everything_once(ctx: Context) -> None:
    first = seed_builtin(ctx)
    assert (first.rows, first.inserted, first.updated, first.unchanged, first.closed) == (9552, 9552, 0, 0, 0)
    assert [(p.kind, p.inserted) for p in first.parts] == [
        ("codes", 9474),
        ("positive-list", 33),
        ("tariff", 37),
        ("tax-parameters", 8),
    ]
    second = seed_builtin(ctx)
    assert (second.inserted, second.updated, second.unchanged, second.closed) == (0, 0, 9552, 0)
    assert second.changed is False
    assert (count(ctx, CodeEntry), count(ctx, PositiveListEntry), count(ctx, TariffRate), count(ctx, TaxParameter)) == (
        9474,
        33,
        37,
        8,
    )


def test_tax_parameters_follow_the_notices(ctx: Context) -> None:
    seed_builtin(ctx)
    with ctx.session_factory() as session:
        assert tax_parameters(session, date(2026, 3, 2)) == {
            "single_limit": Decimal("5000"),
            "annual_limit": Decimal("26000"),
            "vat_ct_factor": Decimal("0.7"),
            "duty_rate_within_limit": Decimal("0"),
            "return_apply_days": Decimal("30"),
            "return_arrive_days": Decimal("45"),
        }
        before = tax_parameters(session, date(2018, 12, 31))
        assert (before["single_limit"], before["annual_limit"]) == (Decimal("2000"), Decimal("20000"))
        after = tax_parameters(session, date(2019, 1, 1))
        assert (after["single_limit"], after["annual_limit"]) == (Decimal("5000"), Decimal("26000"))
        with pytest.raises(ReferenceDataMissing, match="tax parameters not in force on 2016-04-07"):
            tax_parameters(session, date(2016, 4, 7))


def test_lookup_goods_takes_the_longest_prefix(ctx: Context) -> None:
    seed_builtin(ctx)
    with ctx.session_factory() as session:
        special = lookup_goods(session, "1901101010", ON)
        ordinary = lookup_goods(session, "1901101090", ON)
        eight = lookup_goods(session, "19011010", ON)
    assert special is not None and ordinary is not None and eight is not None
    assert (special.tariff_prefix, special.duty_rate) == ("1901101010", Decimal("0"))
    assert (ordinary.tariff_prefix, ordinary.duty_rate) == ("19011010", Decimal("0.15"))
    assert (eight.tariff_prefix, eight.duty_rate) == ("19011010", Decimal("0.15"))
    assert special.on_positive_list is True
    assert special.description_zh == "供婴幼儿食用的零售包装配方奶粉"


def test_lookup_goods_reports_remarks_and_consumption_tax(ctx: Context) -> None:
    seed_builtin(ctx)
    with ctx.session_factory() as session:
        serum = lookup_goods(session, "3304990099", ON)
        sugar = lookup_goods(session, "1701991000", ON)
        kiwi = lookup_goods(session, "0810500000", ON)
        watch = lookup_goods(session, "9102210000", ON)
    assert serum is not None and sugar is not None and kiwi is not None and watch is not None
    assert (serum.vat_rate, serum.ct_kind, serum.ct_rate, serum.ct_threshold, serum.ct_threshold_piece) == (
        Decimal("0.13"),
        "ad_valorem",
        Decimal("0.15"),
        Decimal("10"),
        Decimal("15"),
    )
    assert serum.ct_threshold_in("035") == Decimal("10000")
    assert (sugar.qty_cap, sugar.qty_cap_unit, sugar.remark) == (Decimal("2"), "035", "每人每年限购2千克")
    assert (kiwi.bonded_only, kiwi.vat_rate) == (True, Decimal("0.09"))
    assert (watch.ct_rate, watch.ct_threshold, watch.ct_threshold_basis) == (
        Decimal("0.2"),
        Decimal("10000"),
        "per_piece",
    )


def test_lookup_goods_off_the_list_and_unknown(ctx: Context) -> None:
    seed_builtin(ctx)
    with ctx.session_factory() as session:
        jewel = lookup_goods(session, "7116200000", ON)
        horse = lookup_goods(session, "0101210000", ON)
        garbage = lookup_goods(session, "33AB", ON)
    assert jewel is not None
    assert (jewel.on_positive_list, jewel.description_zh, jewel.ct_rate) == (
        False,
        "宝石或半宝石（天然、合成或再造）制品",
        Decimal("0.1"),
    )
    assert horse is None  # in the tariff nomenclature but neither listed nor rated
    assert garbage is None


def test_lookup_goods_respects_list_dates(ctx: Context) -> None:
    seed_builtin(ctx)
    with ctx.session_factory() as session:
        console_2021 = lookup_goods(session, "9504502000", date(2022, 2, 28))
        console_2022 = lookup_goods(session, "9504502000", date(2022, 3, 1))
    assert console_2021 is not None and console_2022 is not None
    assert (console_2021.on_positive_list, console_2022.on_positive_list) == (False, True)


def test_listed_goods_without_tariff_row_is_a_data_gap(ctx: Context, tmp_path: Path) -> None:
    seed_builtin(ctx)
    path = write(
        tmp_path,
        "pl.csv",
        "hs8,description_zh,source_doc,valid_from\n85171300,智能手机,test list,2026-01-01\n",
    )
    load_file(ctx, path, "positive-list")
    with ctx.session_factory() as session, pytest.raises(ReferenceDataMissing, match="HS 85171300"):
        lookup_goods(session, "8517130000", ON)


def test_a_later_row_closes_the_previous_one(ctx: Context, tmp_path: Path) -> None:
    seed_builtin(ctx)
    path = write(
        tmp_path,
        "limits.csv",
        "name,value,valid_from,source\nsingle_limit,8000,2027-01-01,hypothetical notice\n",
    )
    report = load_file(ctx, path, "tax-parameters")
    assert (report.rows, report.inserted, report.updated, report.unchanged, report.closed) == (1, 1, 0, 0, 1)
    with ctx.session_factory() as session:
        rows = session.execute(
            select(TaxParameter.value, TaxParameter.valid_from, TaxParameter.valid_to)
            .where(TaxParameter.name == "single_limit")
            .order_by(TaxParameter.valid_from)
        ).all()
        assert [(Decimal(str(v)).normalize(), f, t) for v, f, t in rows] == [
            (Decimal("2E+3"), date(2016, 4, 8), date(2018, 12, 31)),
            (Decimal("5E+3"), date(2019, 1, 1), date(2026, 12, 31)),
            (Decimal("8E+3"), date(2027, 1, 1), None),
        ]
        assert tax_parameters(session, date(2026, 12, 31))["single_limit"] == Decimal("5000")
        assert tax_parameters(session, date(2027, 1, 1))["single_limit"] == Decimal("8000")
    again = load_file(ctx, path, "tax-parameters")
    assert (again.inserted, again.updated, again.unchanged, again.closed) == (0, 0, 1, 0)


def test_a_corrected_row_is_updated_in_place(ctx: Context, tmp_path: Path) -> None:
    seed_builtin(ctx)
    header = "hs_prefix,duty_rate,vat_rate,ct_kind,ct_rate,source,valid_from\n"
    path = write(tmp_path, "t.csv", header + "22042100,0.10,0.13,ad_valorem,0.10,corrected,2019-04-01\n")
    report = load_file(ctx, path, "tariff")
    assert (report.inserted, report.updated, report.unchanged, report.closed) == (0, 1, 0, 0)
    with ctx.session_factory() as session:
        wine = lookup_goods(session, "2204210000", ON)
    assert wine is not None
    assert (wine.duty_rate, wine.source.endswith("corrected")) == (Decimal("0.1"), True)


def test_a_bad_file_writes_nothing_and_reports_every_row(ctx: Context, tmp_path: Path) -> None:
    seed_builtin(ctx)
    path = write(
        tmp_path,
        "codes.csv",
        "table,code,name_zh,valid_from,source\n"
        "customs_district,4601,海口关区,2000-01-01,zone list\n"
        "customs_district,46O1,海口关区,2000-01-01,zone list\n"
        "customs_district,4602,,2000-01-01,zone list\n"
        "galaxy,1,x,2000-01-01,zone list\n",
    )
    before = count(ctx, CodeEntry)
    with pytest.raises(ReferenceFileInvalid) as caught:
        load_file(ctx, path, "codes")
    assert caught.value.message == "codes.csv: 3 problem(s); nothing was loaded"
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("REF-CODE-FORMAT", "row[3].code"),
        ("REF-REQUIRED", "row[4].name_zh"),
        ("REF-TABLE", "row[5].table"),
    ]
    assert count(ctx, CodeEntry) == before
    with ctx.session_factory() as session:
        assert code_tables(session, ON).contains("customs_district", "4601") is False


def test_code_snapshot_follows_loads_and_dates(ctx: Context, tmp_path: Path) -> None:
    seed_builtin(ctx)
    tables = code_tables(ctx, ON)
    assert tables is code_tables(ctx, ON)  # cached per date
    assert tables.contains("customs_district", "4601") is False
    assert tables.name("country", "142") == "中国"
    assert code_tables(ctx, date(2020, 6, 30)).contains("trade_mode", "9710") is False
    assert code_tables(ctx, date(2020, 7, 1)).contains("trade_mode", "9710") is True
    path = write(
        tmp_path,
        "districts.json",
        '[{"table": "customs_district", "code": "4601", "name_zh": "测试关区", "valid_from": "2020-01-01",'
        ' "source": "zone list"}]',
    )
    assert load_file(ctx, path, "codes").inserted == 1
    refreshed = code_tables(ctx, ON)
    assert refreshed is not tables
    assert refreshed.name("customs_district", "4601") == "测试关区"


def test_unknown_kind_is_refused(ctx: Context, tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "a\n1\n")
    with pytest.raises(Exception, match="unknown reference kind 'rates'"):
        load_file(ctx, path, "rates")


def test_goods_rule_use_case(ctx: Context) -> None:
    seed_builtin(ctx)
    read = goods_rule(ctx, "2204210000", ON)
    assert (read.hs8, read.on_positive_list, read.ct_rate, read.vat_rate) == (
        "22042100",
        True,
        Decimal("0.1"),
        Decimal("0.13"),
    )
    with pytest.raises(GoodsNotFound):
        goods_rule(ctx, "0101210000", ON)


def test_reference_table_pages(ctx: Context) -> None:
    seed_builtin(ctx)
    page = reference_table(ctx, "currency", on=ON, code="142")
    assert page.total == 1
    assert page.items[0]["name_zh"] == "人民币"
    history = reference_table(ctx, "tax-parameters", on=None, code="annual_limit")
    assert [(i["value"], i["valid_from"], i["valid_to"]) for i in history.items] == [
        ("20000", "2016-04-08", "2018-12-31"),
        ("26000", "2019-01-01", None),
    ]
