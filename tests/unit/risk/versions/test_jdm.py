"""JDM decision tables: export → import gives the same rules; compiled tables answer as the interpreter; the
differential against the reference engine (zen-engine) on random inputs finds no mismatch (5,000 per table here;
``python -m bench.risk_tables`` runs 100,000 per table)."""

from __future__ import annotations

import json
import random

import pytest
from bench.risk_tables import differential

from cbec.common.errors import DomainError
from cbec.risk.rules import Typology, parse_ruleset, shipped_ruleset
from cbec.risk.versions.jdm import compile_table, export_bundle, import_bundle, unary


def test_a_bundle_round_trips_to_the_same_rules_thresholds_and_parameters() -> None:
    shipped = shipped_ruleset()
    bundle = export_bundle(shipped)
    again = parse_ruleset(import_bundle(json.loads(json.dumps(bundle))))
    assert again.version == shipped.version
    assert again.rules == shipped.rules
    assert again.typologies == shipped.typologies
    assert again.parameters == shipped.parameters
    assert sorted(bundle["tables"]) == sorted(f"{t.value}.{k}" for t in Typology for k in ("rules", "bands"))


def test_exported_rows_carry_bands_as_unary_tests() -> None:
    table = export_bundle(shipped_ruleset())["tables"]["order_splitting.rules"]["nodes"][1]["content"]
    assert table["hitPolicy"] == "collect"
    columns = {c["id"]: c["field"] for c in table["inputs"]}
    s1 = [
        {columns[k]: v for k, v in row.items() if k in columns and v} for row in table["rules"] if row["rule"] == '"S1"'
    ]
    assert s1 == [{"buyer_near_limit_30d": "[3..5)"}, {"buyer_near_limit_30d": ">= 5"}]
    s3 = next(row for row in table["rules"] if row["rule"] == '"S3"')
    assert {columns[k]: v for k, v in s3.items() if k in columns and v} == {
        "buyer_value_1d": ">= 5000.01",
        "buyer_inventories_1d": ">= 2",
    }


def test_unary_tests_of_the_grammar() -> None:
    assert [unary("[3..5)")(v) for v in (2, 3, 4.99, 5, None)] == [False, True, True, False, False]
    assert [unary("(3..5]")(v) for v in (3, 5)] == [False, True]
    assert [unary("< -3.5")(v) for v in (-3.6, -3.5)] == [True, False]
    assert [unary("7")(v) for v in (7, 8)] == [True, False]
    assert unary("") is None and unary("-") is None
    with pytest.raises(DomainError) as caught:
        unary("contains(x, 'a')")
    assert caught.value.problems[0].rule_id == "RSK-TABLE-UNARY"


def test_the_first_hit_policy_returns_the_first_matching_row() -> None:
    bands = compile_table(export_bundle(shipped_ruleset())["tables"]["fake_order.bands"])
    assert [bands({"score": s})["band"] for s in (0, 39, 40, 70, 99, 100, 250)] == [
        "none",
        "none",
        "review",
        "hold",
        "hold",
        "reject",
        "reject",
    ]


def test_compiled_tables_and_the_reference_engine_agree_on_5000_random_inputs_per_table() -> None:
    pytest.importorskip("zen")
    results = differential(shipped_ruleset(), 5_000, random.Random(2026))
    assert {name: r["mismatches"] for name, r in results.items()} == {name: 0 for name in results}
    assert all(r["cases"] == 5_000 for r in results.values())
    assert sum(r["matched_rows"] for r in results.values()) > 5_000  # the inputs reach the rows, not only misses
