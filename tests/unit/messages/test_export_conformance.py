"""Conformance of the export messages (出口报文规范符合性) with the official export XSDs and samples.

The export XSD of each edition is its own xmlschema object (it shares the namespace of the import XSD but
defines OrderHead, InventoryHead, ... differently). Everything the render functions write must validate;
every official sample the XSD accepts must parse, and the known-invalid 202205 samples must be refused with
the right problem (ceb/samples/SOURCES.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from cbec.common.clock import SHANGHAI
from cbec.messages import (
    Edition,
    ExportMessageType,
    MessageRefused,
    open_envelope,
    parse_message,
    parse_receipts,
    parse_summary_results,
    render_message,
    seal_envelope,
)
from cbec.messages.dxp import EXPORT_RECEIVER
from tests.unit.messages import export_builders as x
from tests.unit.messages.conftest import xsd_errors
from tests.unit.messages.test_export_golden import export_renderings

CASES = [(edition, name) for edition in Edition for name in export_renderings(edition)]
DECLARATIONS = {t.value for t in x.MESSAGE_TYPES.values()}


@pytest.mark.parametrize(("edition", "name"), CASES, ids=[f"{e.value}-{n}" for e, n in CASES])
def test_rendered_export_messages_validate_against_the_official_xsd(edition: Edition, name: str) -> None:
    assert xsd_errors(x.export_schema(edition), export_renderings(edition)[name]()) == []


def _accepted(path: Path, edition: Edition) -> tuple[bool, list[tuple[str, str]]]:
    """Return whether the codec accepts an official sample, and the (rule, field) of its problems."""
    data = path.read_bytes()
    if path.stem in DECLARATIONS:
        outcome = parse_message(data, edition=edition)
        return outcome.ok, [(p.rule_id, p.field) for p in outcome.problems]
    try:
        if path.stem == "CEB792Message":
            parse_summary_results(data, edition=edition)
        else:
            parse_receipts(data, edition=edition)
    except MessageRefused as refused:
        return False, [(p.rule_id, p.field) for p in refused.problems]
    return True, []


SAMPLES = [(e, p) for e in Edition for p in x.export_samples(e)]


@pytest.mark.parametrize(("edition", "path"), SAMPLES, ids=[f"{e.value}-{p.stem}" for e, p in SAMPLES])
def test_codec_and_xsd_agree_on_every_official_export_sample_under_both_editions(edition: Edition, path: Path) -> None:
    for reading in Edition:
        accepted, problems = _accepted(path, reading)
        if path.stem.startswith(("CEB213", "CEB214", "CEB215", "CEB216")) and reading is Edition.E2018:
            assert not accepted  # the 2018 edition has no export returns
            continue
        xsd_valid = not xsd_errors(x.export_schema(reading), path.read_bytes())
        assert accepted == xsd_valid, (reading, problems)


def test_every_2018_sample_parses_and_every_valid_202205_one() -> None:
    verdicts = {(e.value, p.stem.strip()): _accepted(p, e)[0] for e in Edition for p in x.export_samples(e)}
    refused = sorted(key for key, ok in verdicts.items() if not ok)
    assert len(verdicts) == 19 + 23
    assert refused == [
        ("202205", "CEB214Message"),
        ("202205", "CEB303Message"),
        ("202205", "CEB403Message"),
        ("202205", "CEB505Message"),
        ("202205", "CEB507Message"),
        ("202205", "CEB509Message"),
        ("202205", "CEB603Message"),
        ("202205", "CEB605Message"),
        ("202205", "CEB607Message"),
        ("202205", "CEB792Message"),
    ]


@pytest.mark.parametrize("stem", ["CEB303", "CEB403", "CEB505", "CEB507", "CEB509", "CEB603", "CEB605", "CEB607"])
def test_duplicated_base_transfer_is_refused_and_is_the_only_defect(stem: str) -> None:
    path = next(p for p in x.export_samples(Edition.E202205) if p.name.startswith(stem))
    outcome = parse_message(path.read_bytes())
    assert outcome.message is None
    assert [(p.rule_id, p.field) for p in outcome.problems] == [("FMT-STRUCTURE", "BaseTransfer")]
    root = etree.fromstring(path.read_bytes())
    root.remove(root.findall("{http://www.chinaport.gov.cn/ceb}BaseTransfer")[1])
    repaired = parse_message(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    assert repaired.problems == []
    assert repaired.message is not None and len(repaired.message.documents) == 10


def test_the_return_receipt_sample_with_a_wrong_root_is_refused() -> None:
    path = next(p for p in x.export_samples(Edition.E202205) if p.name.startswith("CEB214"))
    with pytest.raises(MessageRefused) as caught:
        parse_receipts(path.read_bytes())
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [("FMT-STRUCTURE", "CEB214")]
    outcome = parse_message(path.read_bytes())
    assert (outcome.message_type, [(p.rule_id, p.field) for p in outcome.problems]) == (
        "Unknown",
        [("FMT-STRUCTURE", "CEB214")],
    )


def test_summary_result_sample_without_gseqno_is_refused_in_202205_only() -> None:
    path = next(p for p in x.export_samples(Edition.E202205) if p.name.startswith("CEB792"))
    with pytest.raises(MessageRefused) as caught:
        parse_summary_results(path.read_bytes())
    problems = caught.value.problems
    assert {p.rule_id for p in problems} == {"FMT-REQUIRED"}
    assert problems[0].field == "SummaryResult[1]/SummaryResultList[1]/gseqno"
    assert len(problems) == 20  # two lines in each of ten results
    results = parse_summary_results(path.read_bytes(), edition=Edition.E2018)
    assert len(results) == 10 and results[0].lines[0].goods_seq_no is None


def test_large_export_messages_validate() -> None:
    lines = tuple(replace(x.inventory_lines()[0], line_no=i) for i in range(1, 101))
    documents = [x.export_inventory(lines=lines, order_no=f"EXP{i:05d}") for i in range(100)]
    xml = render_message(x.export_message(*documents))
    assert xsd_errors(x.export_schema(Edition.E202205), xml) == []
    outcome = parse_message(xml)
    assert outcome.problems == []
    assert outcome.message is not None and len(outcome.message.documents) == 100


def test_sealed_export_envelope_validates_against_the_terminal_xsd(terminal_schema: object) -> None:
    payload = render_message(x.all_export_declarations()[ExportMessageType.INVENTORY])
    sealed = seal_envelope(
        payload,
        message_type="CEB603Message",
        sender_id="DXPENT0000000012",
        receiver_id=EXPORT_RECEIVER,
        message_id="3F2504E0-4F89-11D3-9A0C-0305E82C3302",
        created_at=datetime(2026, 3, 2, 10, 15, 30, tzinfo=SHANGHAI),
        file_name="CEB603_INVE20260302000001.xml",
    )
    assert xsd_errors(terminal_schema, sealed) == []
    opened = open_envelope(sealed)
    assert (opened.payload, opened.receiver_ids) == (payload, (EXPORT_RECEIVER,))
