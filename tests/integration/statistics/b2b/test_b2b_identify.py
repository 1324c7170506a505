"""Identification runs: scores, classes and reason codes per declaration; reproducible digests; the B2B figures."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from cbec.statistics.b2b import b2b_figures, identify, import_declarations, list_runs, load_method, show_run
from cbec.statistics.b2b.models import B2bResult
from cbec.statistics.b2b.synthetic import FILED_PLATFORM, UNFILED_PLATFORM, generate, quality
from cbec.statistics.queries import rollup_indicators
from cbec.statistics.rules import parse_span
from cbec.storage.context import Context


def _row(number: str, **fields: str) -> dict[str, str]:
    base = {
        "declaration_no": number,
        "declared_on": "2026-02-10",
        "exporter_code": "4601960101",
        "consignee_name": "Nordlicht GmbH",
        "consignee_country": "DEU",
        "trade_terms": "FOB",
        "currency": "USD",
        "amount": "1000.00",
        "hs_codes": "61091000",
    }
    return {**base, **fields}


FULL = {
    "platform_code": FILED_PLATFORM,
    "order_no": "ORD-1",
    "waybill_no": "WB-1",
    "departed_on": "2026-02-12",
    "destination_country": "DEU",
    "payment_channel": "PI-PINGPONG",
    "received_amount": "905.00",  # EUR 905 × 7.85 = 7104.25 CNY vs USD 1000 × 7.10 = 7100.00: within 5 %
    "received_currency": "EUR",
    "received_on": "2026-02-20",
}
ROWS = [
    _row("460120260000000001", **FULL),  # every item: 1
    _row("460120260000000002", **{**FULL, "platform_code": UNFILED_PLATFORM}),  # unfiled platform: 0.65
    _row("460120260000000003", **{**FULL, "consignee_name": "Hans Müller"}),  # a person: 0.80
    _row("460120260000000004", **{**FULL, "departed_on": "2026-03-01"}),  # 19 days later: 0.80
    _row("460120260000000005", **{**FULL, "received_amount": "600.00", "payment_channel": "BANK-TT"}),  # 0.75
    _row("460120260000000006", consignee_name="Zalando"),  # nothing: 0
    _row(
        "460120260000000007",
        consignee_name="Blue Harbor Ltd",
        waybill_no="W",
        departed_on="2026-02-11",
        destination_country="DEU",
    ),  # company + logistics: 0.40
    _row("460120260000000008", trade_mode="9810", currency="CNY", amount="2000"),  # by declaration
]


def _import(ctx: Context, rows: list[dict[str, str]], tenant: str = "hub") -> None:
    report = import_declarations(ctx, json.dumps(rows), json_format=True, tenant=tenant, actor="office", source="t")
    assert report.rejected == 0, report.problems


def test_each_declaration_gets_its_score_class_and_reason_codes(b2b: Context) -> None:
    _import(b2b, ROWS)
    summary = identify(b2b, tenant="hub", actor="office")
    assert (summary.declarations, summary.declared, summary.identified, summary.undecided, summary.general) == (
        8,
        1,
        4,
        2,
        1,
    )
    assert summary.identified_value == Decimal("28400.00")  # 4 × USD 1000 × 7.10
    detail = show_run(b2b, summary.run_id, tenant=None)
    got = [(r["declaration_no"][-1], r["score"], r["class"], r["reasons"], r["value_cny"]) for r in detail.results]
    ev = ["B2B-EV-ORDER", "B2B-EV-COMPANY", "B2B-EV-LOGISTICS", "B2B-EV-AMOUNT", "B2B-EV-CHANNEL"]

    def but(i: int, reason: str) -> list[str]:
        return [*ev[:i], reason, *ev[i + 1 :]]

    assert got == [
        ("1", "1", "identified", ev, "7100.00"),
        ("2", "0.65", "undecided", but(0, "B2B-ORDER-UNFILED"), "7100.00"),
        ("3", "0.8", "identified", but(1, "B2B-BUYER-PERSON"), "7100.00"),
        ("4", "0.8", "identified", but(2, "B2B-LOGISTICS-DATE"), "7100.00"),
        ("5", "0.75", "identified", [*ev[:3], "B2B-AMOUNT-OFF", "B2B-CHANNEL-OTHER"], "7100.00"),
        (
            "6",
            "0",
            "general",
            ["B2B-NO-ORDER", "B2B-BUYER-UNKNOWN", "B2B-NO-WAYBILL", "B2B-NO-PAYMENT", "B2B-CHANNEL-OTHER"],
            "7100.00",
        ),
        (
            "7",
            "0.4",
            "undecided",
            ["B2B-NO-ORDER", "B2B-EV-COMPANY", "B2B-EV-LOGISTICS", "B2B-NO-PAYMENT", "B2B-CHANNEL-OTHER"],
            "7100.00",
        ),
        ("8", "1", "declared", ["B2B-DECLARED-9810"], "2000.00"),
    ]
    assert detail.reason_counts == {
        "B2B-AMOUNT-OFF": 1,
        "B2B-BUYER-PERSON": 1,
        "B2B-BUYER-UNKNOWN": 1,
        "B2B-CHANNEL-OTHER": 3,
        "B2B-DECLARED-9810": 1,
        "B2B-EV-AMOUNT": 4,
        "B2B-EV-CHANNEL": 4,
        "B2B-EV-COMPANY": 5,
        "B2B-EV-LOGISTICS": 5,
        "B2B-EV-ORDER": 4,
        "B2B-LOGISTICS-DATE": 1,
        "B2B-NO-ORDER": 2,
        "B2B-NO-PAYMENT": 2,
        "B2B-NO-WAYBILL": 1,
        "B2B-ORDER-UNFILED": 1,
    }
    assert detail.csv().splitlines()[:2] == [
        "\ufeffdeclaration_no,tenant,declared_on,score,class,reasons,value_cny",
        "460120260000000001,hub,2026-02-10,1,identified,B2B-EV-ORDER;B2B-EV-COMPANY;B2B-EV-LOGISTICS;"
        "B2B-EV-AMOUNT;B2B-EV-CHANNEL,7100.00",
    ]


def test_the_same_method_on_the_same_inputs_gives_the_same_digests(b2b: Context) -> None:
    _import(b2b, ROWS)
    first = identify(b2b, tenant="hub", actor="office")
    second = identify(b2b, tenant="hub", actor="office")
    assert (second.input_digest, second.result_digest) == (first.input_digest, first.result_digest)
    assert second.run_id == first.run_id + 1
    stricter = identify(b2b, tenant="hub", actor="office", method=load_method(threshold=Decimal("0.85")))
    assert (stricter.identify_at, stricter.identified, stricter.undecided) == ("0.85", 1, 5)
    assert stricter.input_digest != first.input_digest  # the method is an input
    assert stricter.method_digest != first.method_digest
    _import(b2b, [_row("460120260000000001", **{**FULL, "received_amount": "906.00"})])
    changed = identify(b2b, tenant="hub", actor="office")
    assert (changed.input_digest != first.input_digest, changed.result_digest) == (True, first.result_digest)
    assert [r.run_id for r in list_runs(b2b, tenant="hub")] == [
        changed.run_id,
        stricter.run_id,
        second.run_id,
        first.run_id,
    ]
    assert list_runs(b2b, tenant="hub/sanya") == []
    with b2b.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(B2bResult)) == 32


def test_figures_count_identified_exports_per_day_and_tenant_and_never_undecided_ones(b2b: Context) -> None:
    _import(b2b, ROWS[:2], tenant="hub/sanya")  # identified + undecided
    _import(b2b, [_row("460120260000000009", **{**FULL, "declared_on": "2026-02-11"}), ROWS[7]], tenant="hub/haikou")
    run = identify(b2b, tenant="hub", actor="office")
    figures = b2b_figures(b2b, date(2026, 2, 1), date(2026, 2, 28), tenant="hub")
    assert [d.as_dict() for d in figures.days] == [
        {
            "day": "2026-02-10",
            "tenant": "hub/haikou",
            "identified": 0,
            "undecided": 0,
            "general_trade": 0,
            "unconverted": 0,
            "declared_b2b": 1,
            "imported_b2b": 1,
            "platform_exports": 0,
            "identified_value": "0.00",
            "general_trade_value": "0.00",
            "declared_b2b_value": "2000.00",
            "imported_b2b_value": "2000.00",
            "platform_exports_value": "0.00",
        },
        {
            "day": "2026-02-10",
            "tenant": "hub/sanya",
            "identified": 1,
            "undecided": 1,
            "general_trade": 2,
            "unconverted": 0,
            "declared_b2b": 0,
            "imported_b2b": 0,
            "platform_exports": 0,
            "identified_value": "7100.00",
            "general_trade_value": "14200.00",
            "declared_b2b_value": "0.00",
            "imported_b2b_value": "0.00",
            "platform_exports_value": "0.00",
        },
        {
            "day": "2026-02-11",
            "tenant": "hub/haikou",
            "identified": 1,
            "undecided": 0,
            "general_trade": 1,
            "unconverted": 0,
            "declared_b2b": 0,
            "imported_b2b": 0,
            "platform_exports": 0,
            "identified_value": "7100.00",
            "general_trade_value": "7100.00",
            "declared_b2b_value": "0.00",
            "imported_b2b_value": "0.00",
            "platform_exports_value": "0.00",
        },
    ]
    assert figures.share == Decimal("0.6953")  # (2000 + 7100 + 7100) / (2000 + 14200 + 7100)
    sanya = b2b_figures(b2b, date(2026, 2, 1), date(2026, 2, 28), tenant="hub/sanya")
    assert ([d.tenant for d in sanya.days], sanya.share, sanya.run_id) == (["hub/sanya"], Decimal("0.5"), run.run_id)
    none = b2b_figures(b2b, date(2026, 3, 1), date(2026, 3, 31), tenant="hub")
    assert (none.days, none.share) == ([], None)
    # the figures page and API carry them beside the catalogue, with their own caliber and rule version
    february = parse_span("2026-02")
    assert february is not None
    shown = {f.code: f for f in rollup_indicators(b2b, february, "hub")}
    assert (shown["b2b_identified_value_cny"].value, shown["b2b_share_identified"].value) == (
        Decimal("14200.00"),
        Decimal("0.6953"),
    )
    assert shown["b2b_share_identified"].caliber != shown["b2b_share"].caliber
    assert shown["b2b_share_identified"].rule_version == "b2b-figures-1"


def test_a_small_labelled_set_scores_exact_precision_recall_and_undecided_share(b2b: Context) -> None:
    labelled = generate(600, seed=11)
    text = "\n".join(json.dumps(row, ensure_ascii=False) for row in labelled.rows)
    report = import_declarations(b2b, text, json_format=True, tenant="hub", actor="bench", source="synthetic")
    assert (report.imported, report.rejected) == (630, 0)
    summary = identify(b2b, tenant="hub", actor="bench")
    classes = {r["declaration_no"]: r["class"] for r in show_run(b2b, summary.run_id, tenant=None).results}
    got = quality(labelled.truth, classes)
    assert {k: got[k] for k in ("true_positive", "false_positive", "false_negative", "undecided")} == {
        "true_positive": 56,
        "false_positive": 0,
        "false_negative": 1,
        "undecided": 5,
    }
    assert (got["precision"], got["recall"], got["undecided_share"]) == (1.0, 56 / 57, 5 / 600)
    assert (summary.declared, summary.identified, summary.undecided, summary.general) == (30, 56, 5, 539)
