"""Allocation of order freight and insurance (ruling 3), properties of the assessment, and no floats."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cbec.common.ids
import cbec.quota
import cbec.tax
from cbec.tax import TaxLineInput, TaxParameters, TaxPath, allocate, assess_import

D = Decimal
FEN = D("0.01")

amounts = st.decimals(min_value=D("0"), max_value=D("100000"), places=2, allow_nan=False, allow_infinity=False)
weights = st.lists(amounts, min_size=1, max_size=12)


def test_allocation_examples() -> None:
    assert allocate(D("10.00"), [D("1"), D("1"), D("1")]) == [D("3.33"), D("3.33"), D("3.34")]
    assert allocate(D("20.00"), [D("300"), D("100")]) == [D("15.00"), D("5.00")]
    assert allocate(D("0.01"), [D("1"), D("1")]) == [D("0.01"), D("0.00")]  # half-up: 0.005 → 0.01
    assert allocate(D("5.00"), [D("0"), D("0")]) == [D("0.00"), D("5.00")]
    assert allocate(D("5.00"), [D("2"), D("0")]) == [D("5.00"), D("0.00")]


def test_allocation_rejects_bad_weights() -> None:
    with pytest.raises(ValueError):
        allocate(D("1"), [])
    with pytest.raises(ValueError):
        allocate(D("1"), [D("1"), D("-1")])


@settings(max_examples=300, deadline=None)
@given(total=amounts, ws=weights)
def test_allocation_sums_exactly_and_follows_the_weights(total: Decimal, ws: list[Decimal]) -> None:
    shares = allocate(total, ws)
    assert len(shares) == len(ws)
    assert sum(shares, D("0")) == total
    assert all(isinstance(s, Decimal) and s == s.quantize(FEN) for s in shares)
    weight_sum = sum(ws, D("0"))
    positive = [i for i, w in enumerate(ws) if w > 0]
    if not positive:
        assert shares[:-1] == [D("0")] * (len(ws) - 1)
        return
    for i, w in enumerate(ws):
        if w == 0:
            assert shares[i] == 0
        elif i != positive[-1]:
            assert abs(shares[i] - total * w / weight_sum) <= D("0.005")


@settings(max_examples=200, deadline=None)
@given(goods=st.lists(amounts, min_size=1, max_size=6), freight=amounts, insurance=amounts, used=amounts)
def test_assessment_is_consistent(goods: list[Decimal], freight: Decimal, insurance: Decimal, used: Decimal) -> None:
    lines = [
        TaxLineInput(n, "0401100000", g, D("1"), D("0.1"), D("0.13"), "none", D("0"), None, None)
        for n, g in enumerate(goods, start=1)
    ]
    params = TaxParameters(D("5000"), D("26000"), D("0.7"), D("0"))
    a = assess_import(lines, freight=freight, insurance=insurance, used_quota=used, params=params)
    assert a.dutiable_value == sum(goods, D("0")) + freight + insurance
    assert a.dutiable_value == sum((t.dutiable_value for t in a.lines), D("0"))
    assert a.totals.total == sum((t.total for t in a.lines), D("0"))
    assert a.totals.total == a.totals.customs_duty + a.totals.vat + a.totals.consumption_tax
    if a.path is TaxPath.REFUSED:
        assert a.quota_amount == 0 and a.problems
    else:
        assert a.quota_amount == a.dutiable_value and used + a.quota_amount <= D("26000")
    if a.path is TaxPath.PREFERENTIAL:
        assert a.totals.customs_duty == 0


@pytest.mark.parametrize("package", [cbec.tax, cbec.quota, cbec.common.ids])
def test_no_float_in_money_code(package: object) -> None:
    file = Path(package.__file__)  # type: ignore[attr-defined]
    files = sorted(file.parent.glob("*.py")) if file.name == "__init__.py" else [file]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            assert not (isinstance(node, ast.Constant) and isinstance(node.value, float)), f"float literal in {path}"
            assert not (isinstance(node, ast.Name) and node.id == "float"), f"float() in {path}"
