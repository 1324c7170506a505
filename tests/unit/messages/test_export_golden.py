"""Golden files (基准报文) of the export messages: what the render functions write, byte for byte, per edition.

Regenerate after an intended change with ``CBEC_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/messages`` and
review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from cbec.messages import Edition, render_message, render_receipts, render_summary_results
from tests.unit.messages import export_builders as x

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "export"


def export_renderings(edition: Edition) -> dict[str, Callable[[], bytes]]:
    """Return message name -> renderer of every export message type of an edition."""
    out: dict[str, Callable[[], bytes]] = {}
    for message_type, message in x.all_export_declarations(edition).items():
        out[message_type.value] = partial(render_message, message, edition=edition)
    for receipt_type in x.export_receipt_types(edition):
        out[receipt_type.value] = partial(render_receipts, [x.export_receipt(receipt_type)], edition=edition)
    out["CEB792Message"] = lambda: render_summary_results([x.summary_result()], edition=edition)
    return out


CASES = [(edition, name) for edition in Edition for name in export_renderings(edition)]


@pytest.mark.parametrize(("edition", "name"), CASES, ids=[f"{e.value}-{n}" for e, n in CASES])
def test_rendering_matches_the_golden_file(edition: Edition, name: str) -> None:
    rendered = export_renderings(edition)[name]()
    path = GOLDEN / edition.value / f"{name}.xml"
    if os.environ.get("CBEC_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rendered)
    assert path.exists(), f"missing golden file {path}; run with CBEC_UPDATE_GOLDEN=1"
    assert rendered == path.read_bytes()


def test_every_export_message_type_has_a_golden_file_and_no_more() -> None:
    assert len(export_renderings(Edition.E202205)) == 23
    assert len(export_renderings(Edition.E2018)) == 19
    for edition in Edition:
        files = sorted(p.stem for p in (GOLDEN / edition.value).glob("*.xml"))
        assert files == sorted(export_renderings(edition)), edition


def test_the_2018_summary_result_has_no_declaration_line_number() -> None:
    assert b"<ceb:gseqno>1</ceb:gseqno>" in (GOLDEN / "202205" / "CEB792Message.xml").read_bytes()
    assert b"gseqno" not in (GOLDEN / "2018" / "CEB792Message.xml").read_bytes()
