"""Pure rules of B2B identification: buyer names, the method document, scoring, digests, row validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cbec.statistics.b2b.names import BuyerKind, buyer_kind
from cbec.statistics.b2b.records import parse_file
from cbec.statistics.b2b.rules import (
    B2bClass,
    Declaration,
    default_channels,
    default_method,
    input_digest,
    parse_channels,
    parse_method,
    result_digest,
    score,
)
from cbec.statistics.b2b.synthetic import generate, quality


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Nordlicht Handel GmbH", BuyerKind.COMPANY),
        ("Blue Harbor Ltd.", BuyerKind.COMPANY),
        ("Atlas LLC", BuyerKind.COMPANY),
        ("Orion Inc", BuyerKind.COMPANY),
        ("Sol y Mar S.A.", BuyerKind.COMPANY),
        ("Rossi S.r.l.", BuyerKind.COMPANY),
        ("Van Dijk B.V.", BuyerKind.COMPANY),
        ("株式会社サクラ商事", BuyerKind.COMPANY),
        ("주식회사 한빛", BuyerKind.COMPANY),
        ("ООО Ромашка", BuyerKind.COMPANY),
        ("PT Maju Jaya", BuyerKind.COMPANY),
        ("Kowalski Sp. z o.o.", BuyerKind.COMPANY),
        ("Hans Müller", BuyerKind.PERSON),
        ("Maria de Vries", BuyerKind.PERSON),
        ("Mme Dubois", BuyerKind.PERSON),
        ("田中太郎", BuyerKind.PERSON),
        ("Zalando", BuyerKind.UNKNOWN),
        ("", BuyerKind.UNKNOWN),
        ("Bob 42", BuyerKind.UNKNOWN),
    ],
)
def test_buyer_names_in_several_languages(name: str, kind: BuyerKind) -> None:
    assert buyer_kind(name) is kind


def test_the_shipped_method_is_the_specs_and_its_digest_is_stable() -> None:
    method = default_method()
    assert method.document() == {
        "version": "b2b-1",
        "basis": method.basis,
        "weights": {"order": "0.35", "company": "0.2", "logistics": "0.2", "amount": "0.15", "channel": "0.1"},
        "identify_at": "0.7",
        "reject_at": "0.35",
        "departure_window_days": 15,
        "amount_tolerance": "0.05",
        "name_rules": "names-1",
    }
    assert method.digest == default_method().digest
    assert method.with_threshold(Decimal("0.8")).digest != method.digest


def test_a_method_document_reports_every_problem() -> None:
    method, problems = parse_method(
        {
            "weights": {"order": "0.5", "company": "x"},
            "identify_at": "0.3",
            "reject_at": "0.4",
            "departure_window_days": -1,
            "amount_tolerance": "2",
        }
    )
    assert method is None
    assert [(p.rule_id, p.field) for p in problems] == [
        ("B2B-METHOD", "version"),
        ("B2B-METHOD", "weights"),
        ("B2B-METHOD", "weights.company"),
        ("B2B-METHOD", "weights"),
        ("B2B-METHOD", "reject_at"),
        ("B2B-METHOD", "departure_window_days"),
        ("B2B-METHOD", "amount_tolerance"),
    ]


def _decl(**fields: object) -> Declaration:
    base: dict[str, object] = {
        "declaration_no": "460120260000000001",
        "tenant": "hub",
        "declared_on": date(2026, 2, 10),
        "consignee_name": "Atlas LLC",
        "consignee_country": "502",
        "currency": "502",
        "amount": Decimal("100"),
    }
    return Declaration(**{**base, **fields})  # type: ignore[arg-type]


def _rates(currency: str, on: date) -> Decimal | None:
    return {"502": Decimal("7.1"), "300": Decimal("7.85")}.get(currency)


def test_scores_at_the_thresholds_and_the_amount_tolerance() -> None:
    method, channels, filed = default_method(), default_channels(), frozenset({"P1"})
    full = {
        "platform_code": "P1",
        "order_no": "O1",
        "waybill_no": "W",
        "departed_on": date(2026, 2, 25),
        "destination_country": "502",
        "payment_channel": "PI-LIANLIAN",
        "received_amount": Decimal("105"),
        "received_currency": "502",
        "received_on": date(2026, 2, 11),
    }
    outcome = score(_decl(**full), method, filed_platforms=filed, channels=channels, rates=_rates)
    assert (outcome.score, outcome.klass, outcome.value_cny) == (Decimal(1), B2bClass.IDENTIFIED, Decimal("710.00"))
    over = score(
        _decl(**{**full, "received_amount": Decimal("105.01")}),
        method,
        filed_platforms=filed,
        channels=channels,
        rates=_rates,
    )
    assert (over.score, over.reasons[3]) == (Decimal("0.85"), "B2B-AMOUNT-OFF")
    late = score(
        _decl(**{**full, "departed_on": date(2026, 2, 26)}),
        method,
        filed_platforms=filed,
        channels=channels,
        rates=_rates,
    )
    assert late.reasons[2] == "B2B-LOGISTICS-DATE"
    closed = score(
        _decl(**{**full, "payment_channel": "PI-EASYLINK", "received_on": date(2026, 1, 2)}),
        method,
        filed_platforms=filed,
        channels=channels,
        rates=_rates,
    )
    assert closed.reasons[4] == "B2B-CHANNEL-OTHER"  # the channel's listing ended on 2025-12-31
    no_rate = score(
        _decl(**{**full, "currency": "116", "received_currency": "116"}),
        method,
        filed_platforms=filed,
        channels=channels,
        rates=_rates,
    )
    assert (no_rate.value_cny, no_rate.reasons[3], no_rate.score) == (None, "B2B-AMOUNT-NO-RATE", Decimal("0.85"))
    at_reject = score(
        _decl(platform_code="P1", order_no="O1"), method, filed_platforms=filed, channels=channels, rates=_rates
    )  # order + company
    assert (at_reject.score, at_reject.klass) == (Decimal("0.55"), B2bClass.UNDECIDED)
    only_order = score(
        _decl(platform_code="P1", order_no="O1", consignee_name="Zalando"),
        method,
        filed_platforms=filed,
        channels=channels,
        rates=_rates,
    )
    assert (only_order.score, only_order.klass) == (Decimal("0.35"), B2bClass.GENERAL)  # ≤ reject_at


def test_digests_do_not_depend_on_order_and_change_with_any_input() -> None:
    method, channels = default_method(), default_channels()
    a, b = _decl(), _decl(declaration_no="460120260000000002")
    assert input_digest([a, b], method, channels, [], {}) == input_digest([b, a], method, channels, [], {})
    assert input_digest([a, b], method, channels, [], {}) != input_digest([a, b], method, channels, ["P1"], {})
    outcomes = [score(d, method, filed_platforms=frozenset(), channels=channels, rates=_rates) for d in (a, b)]
    assert result_digest(outcomes) == result_digest(list(reversed(outcomes)))


def test_rows_are_validated_one_by_one() -> None:
    header = "declaration_no,declared_on,exporter_code,consignee_name,consignee_country,currency,amount,hs_codes,"
    text = (
        header + "trade_terms,order_no,received_amount\n"
        "46012026000000000X,2026-02-10,4601960101,A Ltd,DEU,USD,1.005,6109,XYZ,O1,5\n"
    )
    parsed = parse_file(
        text,
        json_format=False,
        tenant="hub",
        today=date(2026, 3, 2),
        currencies={"USD": "502"},
        countries={"DEU": "304"},
    )
    assert (parsed.rows, parsed.bad_rows) == ([], 1)
    assert [p.rule_id for p in parsed.problems] == [
        "B2B-ROW-AMOUNT",
        "B2B-ROW-FIELD",
        "B2B-ROW-TERMS",
        "B2B-ROW-HS",
        "B2B-ROW-ORDER",
    ]


def test_the_generator_is_seeded_and_labels_ten_percent() -> None:
    first, again = generate(1000, seed=3), generate(1000, seed=3)
    assert first == again
    assert (sum(first.truth.values()), first.declared, len(first.rows)) == (113, 50, 1050)
    perfect = {k: ("identified" if v else "general") for k, v in first.truth.items()}
    assert quality(first.truth, perfect)["precision"] == 1.0


def test_a_channel_list_is_effective_dated_and_every_bad_row_reported() -> None:
    header = "code,name_zh,name_en,kind,effective_from,effective_to,basis,verified\n"
    channels, problems = parse_channels(header + "pi-x,X,,payment_institution,2026-01-01,2026-01-31,zone,no\n")
    assert problems == [] and channels is not None
    assert [channels.admits("PI-X", day) for day in (date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 1))] == [
        False,
        True,
        False,
    ]
    bad, found = parse_channels(header + ",X,,,2026-01-01,,,\nPI-Y,Y,,,2026-02-01,2026-01-01,,\nPI-Z,Z,,,soon,,,\n")
    assert (bad, [(p.rule_id, p.field) for p in found]) == (
        None,
        [("B2B-CHANNELS", "row[2]"), ("B2B-CHANNELS", "row[3]"), ("B2B-CHANNELS", "row[4]")],
    )
    assert parse_channels(header)[1][0].field == "file"
