"""Importing general-trade export declarations: good rows kept, bad rows reported by rule, re-imports idempotent."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import func, select

from cbec.audit.models import AuditRecord
from cbec.statistics.b2b import import_declarations
from cbec.statistics.b2b.models import B2bDeclaration
from cbec.storage.context import Context

HEADER = (
    "declaration_no,declared_on,exporter_code,consignee_name,consignee_country,trade_terms,currency,amount,hs_codes,"
    "platform_code,order_no,waybill_no,carrier,departed_on,destination_country,payment_channel,received_amount,"
    "received_currency,received_on"
)
GOOD = (
    "460120260000000001,2026-02-10,4601960101,Nordlicht GmbH,DEU,FOB,USD,10000.00,8517130000;6109100000,"
    "4601960001,ORD1,WB1,DHL,2026-02-12,DEU,PI-PINGPONG,10100.00,USD,2026-02-20"
)
PLAIN = "460120260000000002,20260211,4601960101,John Smith,502,CIF,EUR,500,61091000,,,,,,,,,,"
BAD_DATE = "460120260000000003,2026-02-30,4601960101,Sakura Ltd,JPN,FOB,USD,1,61091000,,,,,,,,,,"
BAD_CURRENCY = "460120260000000004,2026-02-11,4601960101,Sakura Ltd,JPN,FOB,XXX,1,61091000,,,,,,,,,,"
DUPLICATE = "460120260000000002,2026-02-11,4601960101,John Smith,USA,CIF,EUR,500,61091000,,,,,,,,,,"
EMPTY = "460120260000000005,2026-02-11,4601960101,,JPN,FOB,USD,1,61091000,,,,,,,,,,"


def _csv(*rows: str) -> str:
    return "\ufeff" + "\r\n".join((HEADER, *rows)) + "\r\n"


def _count(ctx: Context) -> int:
    with ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(B2bDeclaration)) or 0)


def test_good_rows_are_stored_and_bad_rows_reported_by_rule_and_field(b2b: Context) -> None:
    text = _csv(GOOD, PLAIN, BAD_DATE, BAD_CURRENCY, DUPLICATE, EMPTY)
    report = import_declarations(b2b, text, json_format=False, tenant="hub", actor="office", source="feb.csv")
    assert (report.rows, report.imported, report.updated, report.unchanged, report.rejected) == (6, 2, 0, 0, 4)
    assert [(p.rule_id, p.field) for p in report.problems] == [
        ("B2B-ROW-DATE", "row[4].declared_on"),
        ("B2B-ROW-CURRENCY", "row[5].currency"),
        ("B2B-ROW-DUPLICATE", "row[6].declaration_no"),
        ("B2B-ROW-FIELD", "row[7].consignee_name"),
    ]
    assert report.problems[2].message == "报关单号与第3行重复 / the declaration number repeats row 3"
    with b2b.uow() as uow:
        audited = uow.session.execute(
            select(AuditRecord.actor, AuditRecord.entity_key, AuditRecord.after).where(
                AuditRecord.action == "statistics.b2b.imported"
            )
        ).all()
    assert [(a, k, (v or {}).get("imported"), (v or {}).get("rejected")) for a, k, v in audited] == [
        ("office", "hub:feb.csv", 2, 4)
    ]
    with b2b.uow() as uow:
        rows = uow.session.scalars(select(B2bDeclaration).order_by(B2bDeclaration.declaration_no)).all()
        stored = [(r.declaration_no, r.tenant, r.currency, r.consignee_country, r.amount, r.trade_mode) for r in rows]
        assert b2b.cipher.decrypt(rows[0].consignee_name) == "Nordlicht GmbH"
        assert rows[0].consignee_name != "Nordlicht GmbH"  # encrypted at rest
        assert (rows[0].hs_codes, rows[0].received_amount, rows[1].declared_on.isoformat()) == (
            "8517130000;6109100000",
            Decimal("10100"),
            "2026-02-11",
        )
    assert stored == [
        ("460120260000000001", "hub", "502", "304", Decimal("10000"), "0110"),
        ("460120260000000002", "hub", "300", "502", Decimal("500"), "0110"),
    ]


def test_reimporting_the_same_file_changes_nothing_and_a_changed_row_replaces_the_stored_one(b2b: Context) -> None:
    import_declarations(b2b, _csv(GOOD, PLAIN), json_format=False, tenant="hub", actor="office", source="a.csv")
    again = import_declarations(b2b, _csv(GOOD, PLAIN), json_format=False, tenant="hub", actor="office", source="a.csv")
    assert (again.imported, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 0)
    changed = PLAIN.replace(",500,", ",550,")
    third = import_declarations(b2b, _csv(GOOD, changed), json_format=False, tenant="hub", actor="office", source="b")
    assert (third.imported, third.updated, third.unchanged) == (0, 1, 1)
    assert _count(b2b) == 2
    with b2b.uow() as uow:
        amount = uow.session.scalar(
            select(B2bDeclaration.amount).where(B2bDeclaration.declaration_no == "460120260000000002")
        )
    assert amount == Decimal("550")


def test_a_number_stored_for_another_tenant_is_refused(b2b: Context) -> None:
    import_declarations(b2b, _csv(GOOD), json_format=False, tenant="hub/sanya", actor="office", source="a.csv")
    other = import_declarations(b2b, _csv(GOOD), json_format=False, tenant="hub/haikou", actor="x", source="b.csv")
    assert (other.imported, other.rejected, [p.rule_id for p in other.problems]) == (0, 1, ["B2B-ROW-TENANT"])
    with b2b.uow() as uow:
        assert uow.session.scalar(select(B2bDeclaration.tenant)) == "hub/sanya"


def test_json_arrays_and_json_lines_import_the_same_rows(b2b: Context) -> None:
    row = {
        "declaration_no": "460120260000000009",
        "declared_on": "2026-02-10",
        "exporter_code": "4601960101",
        "consignee_name": "株式会社サクラ商事",
        "consignee_country": "JPN",
        "currency": "USD",
        "amount": "120.50",
        "hs_codes": ["33049900", "61091000"],
        "trade_mode": "9710",
    }
    as_array = import_declarations(b2b, json.dumps([row]), json_format=True, tenant="hub", actor="o", source="a.json")
    lines = json.dumps(row, ensure_ascii=False) + "\n"
    as_lines = import_declarations(b2b, lines, json_format=True, tenant="hub", actor="o", source="a.jsonl")
    assert (as_array.imported, as_lines.unchanged) == (1, 1)
    wrong = import_declarations(
        b2b,
        json.dumps([{**row, "declaration_no": "460120260000000010", "trade_mode": "9610"}, 7]),
        json_format=True,
        tenant="hub",
        actor="o",
        source="c.json",
    )
    assert [(p.rule_id, p.field) for p in wrong.problems] == [
        ("B2B-ROW-FIELD", "row[2].*"),
        ("B2B-ROW-MODE", "row[1].trade_mode"),
    ]
    assert _count(b2b) == 1
