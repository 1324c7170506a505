"""Masking of personal fields (个人信息脱敏): the descending mask gives what the field-by-field recursion gave."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cbec.messages import document_to_json, parse_message
from cbec.sharing.rules import PERSONAL_MASKS, mask_personal
from tests.builders import OTHER_BUYER, a_set

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"


def reference_mask(value: Any) -> Any:
    """The mask as first written: one call per value, scalars included (the behaviour to keep)."""
    if isinstance(value, Mapping):
        masked: dict[str, Any] = {}
        for key, item in value.items():
            mask = PERSONAL_MASKS.get(key)
            masked[key] = mask(item) if mask is not None and isinstance(item, str) and item else reference_mask(item)
        return masked
    if isinstance(value, list | tuple):
        return [reference_mask(item) for item in value]
    return value


class Flag(StrEnum):
    ON = "13800138000"


KEYS = st.sampled_from([*PERSONAL_MASKS, "order_no", "lines", "note", "keys", "document"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["", "张伟", "11010519491231002X", "13800138000", "海南省海口市美兰区国兴大道1号", "U1", "a"]),
    st.just(Flag.ON),
)
PAYLOADS = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(KEYS, children, max_size=6),
        st.dictionaries(KEYS, children, max_size=6).map(MappingProxyType),
    ),
    max_leaves=40,
)


def same(left: Any, right: Any) -> bool:
    """Tell whether two values are equal and of the same types all the way down."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right or left is right)


@settings(max_examples=400, deadline=None)
@given(PAYLOADS)
def test_the_mask_gives_what_the_recursive_mask_gave(payload: Any) -> None:
    assert same(mask_personal(payload), reference_mask(payload))


@given(st.dictionaries(KEYS, PAYLOADS, max_size=6))
def test_the_mask_copies_and_leaves_its_input_as_it_was(payload: dict[str, Any]) -> None:
    before = repr(payload)
    masked = mask_personal(payload)
    assert repr(payload) == before
    assert masked is not payload


def test_a_scalar_comes_back_as_it_is() -> None:
    amount = Decimal("1.50")
    assert mask_personal(amount) is amount
    assert mask_personal("13800138000") == "13800138000"  # only a named field is masked
    assert mask_personal({"buyer_phone": Flag.ON}) == {"buyer_phone": "138****8000"}
    assert mask_personal({"buyer_phone": 13800138000}) == {"buyer_phone": 13800138000}


def golden_documents() -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for path in sorted(GOLDEN.glob("CEB*.xml")):
        outcome = parse_message(path.read_bytes())
        if outcome.message is not None:
            documents.extend(document_to_json(document) for document in outcome.message.documents)
    built = a_set("ORD20260302000009", buyer=OTHER_BUYER)
    documents.extend(document_to_json(d) for d in (built.order, built.payment, built.waybill, built.inventory))
    return documents


def test_real_documents_are_masked_as_before() -> None:
    documents = golden_documents()
    assert len(documents) == 12
    for document in documents:
        assert same(mask_personal(document), reference_mask(document))
    masked = mask_personal(documents[-1])  # the inventory of a built set: its buyer's fields are masked
    assert masked["buyer_name"] == "李*"
    assert masked["buyer_id_number"] == "110101********4477"
    assert masked["buyer_phone"] == "139****9000"
