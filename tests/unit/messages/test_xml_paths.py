"""The whole-tree parse and the pull parser accept and refuse the same inputs, with the same problem.

``parse_xml`` parses in one C call only when the bytes bound the element count and the tree shows depth and
attributes within their limits; everything else goes through the pull parser. Each crafted input is read both
ways: the same refusal (rule, message), or the same tree.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from cbec.messages import xml
from cbec.messages.xml import UnsafeXml, parse_xml
from tests.unit.messages.conftest import ceb_path

CEB = b'<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0">'
END = b"</ceb:CEB311Message>"


def _outcome(read: object) -> tuple[str, str]:
    try:
        root = read()  # type: ignore[operator]
    except UnsafeXml as refused:
        assert len(refused.problems) == 1
        return "refused", f"{refused.problem.rule_id} {refused.problem.field!r} {refused.problem.message}"
    return "tree", etree.tostring(root.getroottree(), encoding="unicode")


def both(data: bytes, **limits: int) -> tuple[tuple[str, str], tuple[str, str]]:
    """Return what parse_xml says and what the pull parser alone says."""
    bounds = {
        "max_depth": limits.get("max_depth", xml.DEFAULT_MAX_DEPTH),
        "max_elements": limits.get("max_elements", xml.DEFAULT_MAX_ELEMENTS),
        "max_attributes": limits.get("max_attributes", xml.DEFAULT_MAX_ATTRIBUTES),
    }
    fast = _outcome(lambda: parse_xml(data, **limits))
    pulled = _outcome(lambda: xml.parse_pulled(xml.admit(data, xml.DEFAULT_MAX_BYTES), **bounds))
    return fast, pulled


def nested(depth: int, attributes: int = 0, at: int = 1) -> bytes:
    """Return elements nested ``depth`` deep; the element at depth ``at`` carries ``attributes``."""
    opening = b"".join(
        b"<e" + b"".join(b' a%d="%d"' % (i, i) for i in range(attributes if level == at else 0)) + b">"
        for level in range(1, depth + 1)
    )
    return opening + b"</e>" * depth


CRAFTED = {
    "depth 32": nested(32),
    "depth 33": nested(33),
    "depth 300": nested(300),
    "64 attributes": nested(3, 64, 2),
    "65 attributes": nested(3, 65, 2),
    "65 attributes deep": nested(40, 65, 2),
    "deep then crowded": nested(40, 65, 39),
    "many = in text": b"<r>" + b"<a>x=1</a>" * 100 + b"</r>",
    "many elements": b"<r>" + b"<a/>" * 5000 + b"</r>",
    "comments with <": b"<r><!--" + b"<" * 500 + b"--><a/></r>",
    "cdata": b"<r><a><![CDATA[<b>&amp;</b>]]></a></r>",
    "pi and comment": b'<?xml version="1.0"?><!-- c --><?pi x?><r><?pi y?><a>1</a><!-- d --></r>',
    "utf-8 bom": codecs.BOM_UTF8 + b'<?xml version="1.0" encoding="UTF-8"?><r>\xe4\xb8\xad</r>',
    "utf-16 bom": '<?xml version="1.0" encoding="UTF-16"?><r>中</r>'.encode("utf-16"),
    "utf-16-le no bom": "<r>中</r>".encode("utf-16-le"),
    "utf-16-be no bom": "<r>中</r>".encode("utf-16-be"),
    "utf-32": '<?xml version="1.0" encoding="UTF-32"?><r>中</r>'.encode("utf-32"),
    "latin-1": b'<?xml version="1.0" encoding="ISO-8859-1"?><r a="\xe9">\xe9</r>',
    "gbk": '<?xml version="1.0" encoding="GBK"?><r>中国</r>'.encode("gbk"),
    "gbk undeclared": "<r>中国</r>".encode("gbk"),
    "utf-16 declared on ascii": b'<?xml version="1.0" encoding="UTF-16"?><r/>',
    "single quotes": b"<?xml version='1.0' encoding='utf-8' standalone='yes'?><r/>",
    "utf8 alias": b'<?xml version="1.0" encoding="utf8"?><r/>',
    "declaration out of order": b'<?xml encoding="UTF-8" version="1.0"?><r/>',
    "leading space": b"  <r/>",
    "space before declaration": b' <?xml version="1.0"?><r/>',
    "unclosed": b"<a><b></a>",
    "two roots": b"<a/><b/>",
    "truncated": CEB + b"<ceb:Order>",
    "undeclared entity": b"<r>&xxe;</r>",
    "bad utf-8": b"<r>\xff\xfe</r>",
    "nul inside": b"<r>\x00</r>",
    "not xml": b"this is not xml",
    "doctype": b"<!DOCTYPE r><r/>",
    "duplicate attribute": b'<r a="1" a="2"/>',
    "namespaced attributes": b'<r xmlns:x="u" x:a="1" a="2" xmlns="v"/>',
    "ceb": CEB + b"<ceb:x>1</ceb:x>" + END,
}


@pytest.mark.parametrize("data", list(CRAFTED.values()), ids=list(CRAFTED))
def test_both_paths_agree_on_crafted_input(data: bytes) -> None:
    fast, pulled = both(data)
    assert fast == pulled


@pytest.mark.parametrize(
    ("data", "limits"),
    [
        (b"<r>" + b"<a/>" * 100 + b"</r>", {"max_elements": 100}),
        (b"<r>" + b"<a/>" * 99 + b"</r>", {"max_elements": 100}),
        (nested(5, 3, 4), {"max_attributes": 2, "max_depth": 3}),
        (nested(5, 3, 2), {"max_attributes": 2, "max_depth": 3}),
        (nested(3, 3, 3), {"max_attributes": 3, "max_depth": 3}),
        (nested(4), {"max_depth": 0}),
    ],
)
def test_both_paths_agree_on_the_limits(data: bytes, limits: dict[str, int]) -> None:
    fast, pulled = both(data, **limits)
    assert fast == pulled


def test_the_limits_are_what_refuses() -> None:
    assert both(nested(33))[0][1].endswith("元素嵌套超过 32 层 / elements nested deeper than 32 levels")
    assert both(nested(3, 65, 2))[0][1].endswith("元素属性超过 64 个 / an element has more than 64 attributes")
    order = both(nested(5, 3, 2), max_attributes=2, max_depth=3)[0][1]
    assert order.endswith("元素属性超过 2 个 / an element has more than 2 attributes")  # met first in the document
    assert both(b"<r>" + b"<a/>" * 100 + b"</r>", max_elements=100)[0][1].endswith("more than 100 elements")


@given(
    depth=st.integers(1, 40),
    attributes=st.integers(0, 70),
    at=st.integers(1, 40),
    siblings=st.integers(0, 30),
    max_depth=st.integers(1, 40),
    max_attributes=st.integers(0, 70),
    max_elements=st.integers(1, 80),
)
@settings(max_examples=200, deadline=None)
def test_both_paths_agree_on_random_shapes(
    depth: int, attributes: int, at: int, siblings: int, max_depth: int, max_attributes: int, max_elements: int
) -> None:
    data = b"<r>" + b"<s/>" * siblings + nested(depth, attributes, at) + b"</r>"
    limits = {"max_depth": max_depth, "max_attributes": max_attributes, "max_elements": max_elements}
    fast, pulled = both(data, **limits)
    assert fast == pulled


def _samples() -> list[Path]:
    return sorted(ceb_path("samples").glob("*/*/*.xml"))


def test_official_samples_take_the_whole_tree_parse_and_read_the_same() -> None:
    samples = _samples()
    assert len(samples) >= 70
    for path in samples:
        data = path.read_bytes()
        assert xml._fits_fast_path(data, xml.DEFAULT_MAX_ELEMENTS), path.name
        assert xml._parse_whole(data, xml.DEFAULT_MAX_DEPTH, xml.DEFAULT_MAX_ATTRIBUTES) is not None, path.name
        fast, pulled = both(data)
        assert fast == pulled
