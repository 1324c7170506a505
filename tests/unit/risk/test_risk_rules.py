"""The risk rule runtime: band edges, guards, insufficient inputs, typology thresholds, replay, robust bands, and
each shipped rule on the exact inputs that make it fire or not."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from cbec.risk.errors import RiskInvalid
from cbec.risk.rules import (
    Band,
    Typology,
    evaluate,
    input_text,
    mad,
    median,
    parse_input,
    parse_ruleset,
    replay,
    robust_z,
    shipped_ruleset,
)

D = Decimal
RULES = shipped_ruleset()


def _inputs(**named: object) -> dict[str, Decimal | None]:
    """All the shipped ruleset's inputs at zero (known, quiet), with some set (dots written as __)."""
    values: dict[str, Decimal | None] = {ref.name: D(0) for ref in RULES.counters()}
    values.update({f"doc.{f}": D(0) for f in ("payer_differs", "value_cny")})
    values.update({"doc.robust_z_min": None, "doc.value_ratio_min": None, "doc.illicit_chance": None})
    for key, value in named.items():
        values[key.replace("__", ".")] = None if value is None else D(str(value))
    return values


def _score(typology: Typology, **named: object) -> int:
    return next(s.score for s in evaluate(RULES, _inputs(**named)).scores if s.typology is typology)


def _fired(**named: object) -> set[str]:
    return {t.rule for t in evaluate(RULES, _inputs(**named)).rules if t.status == "fired"}


def test_the_shipped_ruleset_loads_with_a_version_and_digest() -> None:
    assert RULES.version == "2026.6" and len(RULES.sha256) == 64
    assert {t.value for t in RULES.typologies} == {t.value for t in Typology}  # every typology has rules now


@pytest.mark.parametrize(("count", "weight"), [(2, 0), (3, 20), (4, 20), (5, 40), (9, 40)])
def test_s1_bands_are_lower_inclusive_upper_exclusive(count: int, weight: int) -> None:
    assert _score(Typology.ORDER_SPLITTING, buyer__near_limit__30d=count) == weight


def test_s3_needs_two_inventories_and_more_than_the_single_limit() -> None:
    assert "S3" not in _fired(buyer__value__1d="5000.00", buyer__inventories__1d=2)
    assert "S3" in _fired(buyer__value__1d="5000.01", buyer__inventories__1d=2)
    assert "S3" not in _fired(buyer__value__1d="9000", buyer__inventories__1d=1)  # guard fails


def test_three_near_limit_inventories_of_one_buyer_in_a_day_reach_review() -> None:
    named = {
        "buyer__near_limit__1d": 3,
        "buyer__near_limit__30d": 3,
        "buyer__value__1d": "14850",
        "buyer__inventories__1d": 3,
    }
    assert _fired(**named) >= {"S1", "S2", "S3"}
    assert _score(Typology.ORDER_SPLITTING, **named) == 65  # 20 + 25 + 20: review (40), not hold (70)


def test_s5_s6_several_buyers_on_one_address_and_phone_over_the_limit_in_a_day() -> None:
    named = {
        "address__buyers__1d": 3,
        "address__value__1d": "5000.01",
        "phone__buyers__1d": 3,
        "phone__value__1d": "14000",
    }
    assert _score(Typology.ORDER_SPLITTING, **named) == 60
    assert _score(Typology.ORDER_SPLITTING, **{**named, "address__value__1d": "5000"}) == 30  # not > 5,000


@pytest.mark.parametrize(("buyers", "points"), [(4, 0), (5, 80), (9, 80), (10, 140)])
def test_fake_orders_many_buyers_on_one_phone_and_address_in_30_days(buyers: int, points: int) -> None:
    assert _score(Typology.FAKE_ORDER, phone__buyers__30d=buyers, address__buyers__30d=buyers) == points


def test_f3_one_payer_for_three_buyers() -> None:
    assert _score(Typology.FAKE_ORDER, payer__buyers__30d=2) == 0
    assert _score(Typology.FAKE_ORDER, payer__buyers__30d=3) == 30


@pytest.mark.parametrize(
    ("ids", "differs", "points"), [(2, 1, 10), (3, 0, 0), (3, 1, 30), (5, 1, 30), (6, 0, 0), (6, 1, 60)]
)
def test_id_misuse_ids_per_phone_counts_only_when_someone_else_pays(ids: int, differs: int, points: int) -> None:
    # 2026.3: I1 (IDs per phone) needs the orderer paid for by someone else; I2 adds 10 for that alone
    assert _score(Typology.ID_MISUSE, phone__buyers__30d=ids, doc__payer_differs=differs) == points


@pytest.mark.parametrize(("differs", "fake", "misuse"), [(0, 80, 0), (1, 40, 60)])
def test_many_buyers_on_one_phone_is_fake_orders_or_id_misuse_by_who_pays(differs: int, fake: int, misuse: int) -> None:
    # F1 reads the phone for buyers paying for themselves, I1 for orders paid by someone else (F2, the address, both)
    inputs = {"phone__buyers__30d": 6, "address__buyers__30d": 6, "doc__payer_differs": differs}
    assert (_score(Typology.FAKE_ORDER, **inputs), _score(Typology.ID_MISUSE, **inputs)) == (fake, misuse)


def test_undervaluation_reaches_review_only_when_an_under_declared_price_is_the_likelier() -> None:
    # 2026.4: U1 (z) 10 and U2 (half the median) 15 explain, U3 (P(illicit) ≥ 0.5) 40 decides; review is 40
    assert _score(Typology.UNDERVALUATION, doc__robust_z_min="-3.5", doc__value_ratio_min="0.5") == 0
    assert _score(Typology.UNDERVALUATION, doc__robust_z_min="-3.5001", doc__value_ratio_min="0.6") == 10
    far = {"doc__robust_z_min": "-8", "doc__value_ratio_min": "0.4999"}
    assert _score(Typology.UNDERVALUATION, **far, doc__illicit_chance="0.4999") == 25
    assert _score(Typology.UNDERVALUATION, **far, doc__illicit_chance="0.5") == 65
    assert RULES.typologies[Typology.UNDERVALUATION].review == 40


def test_a_missing_input_is_insufficient_never_zero() -> None:
    result = evaluate(RULES, _inputs(doc__payer_differs=None))
    [i2] = [t for t in result.rules if t.rule == "I2"]
    assert (i2.status, i2.weight) == ("insufficient", 0)
    assert {t.status for t in result.rules if t.rule in {"U1", "U2"}} == {"insufficient"}


def test_bands_of_a_typology_follow_its_thresholds() -> None:
    inputs = _inputs(phone__buyers__30d=10, address__buyers__30d=10, doc__payer_differs=0)
    scores = {s.typology: s for s in evaluate(RULES, inputs).scores}
    assert (scores[Typology.FAKE_ORDER].score, scores[Typology.FAKE_ORDER].band) == (140, Band.REJECT)
    assert (scores[Typology.ID_MISUSE].score, scores[Typology.ID_MISUSE].band) == (0, Band.NONE)
    paid = {s.typology: s for s in evaluate(RULES, _inputs(phone__buyers__30d=6, doc__payer_differs=1)).scores}
    assert (paid[Typology.ID_MISUSE].score, paid[Typology.ID_MISUSE].band) == (60, Band.REVIEW)
    assert (scores[Typology.ORDER_SPLITTING].score, scores[Typology.ORDER_SPLITTING].band) == (0, Band.NONE)


def test_replaying_a_stored_trace_gives_the_same_scores() -> None:
    first = evaluate(RULES, _inputs(buyer__near_limit__30d=5, phone__buyers__30d=7, doc__payer_differs=1))
    stored = {name: input_text(value) for name, value in first.inputs.items()}
    again = replay(RULES, json.loads(json.dumps(stored)))
    assert [(s.typology, s.score, s.band) for s in again.scores] == [
        (s.typology, s.score, s.band) for s in first.scores
    ]


def test_robust_statistics() -> None:
    values = [D(10), D(12), D(11), D(13), D(100)]
    assert median(values) == D(12) and median([D(1), D(2)]) == D("1.5")
    assert mad(values, D(12)) == D(1)
    assert robust_z(D(2), D(12), D(1)) == D("-6.7450")


def test_inputs_are_a_whitelisted_grammar() -> None:
    assert parse_input("doc.value_cny") == "value_cny"
    for bad in ("buyer.near_limit.2d", "buyer.nope.30d", "doc.__class__", "__import__('os')"):
        with pytest.raises(ValueError):
            parse_input(bad)


def test_a_bad_ruleset_lists_every_problem() -> None:
    text = json.dumps(
        {
            "version": "",
            "typologies": {"fake_order": {"review": 50, "hold": 40, "reject": 100}},
            "rules": [
                {"id": "X1", "typology": "smuggling", "input": "doc.value_cny", "bands": [{"from": 1, "weight": 1}]},
                {"id": "X2", "typology": "fake_order", "input": "phone.buyers.2d", "bands": [{"from": 1, "weight": 1}]},
                {
                    "id": "X3",
                    "typology": "fake_order",
                    "input": "phone.buyers.7d",
                    "bands": [{"from": 5, "weight": 1}, {"from": 3, "weight": 2}],
                },
            ],
        }
    )
    with pytest.raises(RiskInvalid) as caught:
        parse_ruleset(text)
    assert {p.rule_id for p in caught.value.problems} == {
        "RSK-RULESET-TYPOLOGY",
        "RSK-RULESET-INPUT",
        "RSK-RULESET-BANDS",
        "RSK-RULESET-THRESHOLDS",
        "RSK-RULESET-VERSION",
    }
