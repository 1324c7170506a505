"""Golden files (基准报文): what every render_* function writes, byte for byte.

Regenerate after an intended change with ``CBEC_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/messages`` and
review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from cbec.messages import (
    Edition,
    MessageType,
    render_format_receipt,
    render_message,
    render_receipts,
    render_tax_bills,
)
from tests.unit.messages import builders as b

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"
RECEIPTS = [
    MessageType.ORDER_RECEIPT,
    MessageType.PAYMENT_RECEIPT,
    MessageType.WAYBILL_RECEIPT,
    MessageType.WAYBILL_STATUS_RECEIPT,
    MessageType.INVENTORY_RECEIPT,
    MessageType.CANCEL_RECEIPT,
    MessageType.RETURN_RECEIPT,
    MessageType.ARRIVAL_RECEIPT,
]


def _receipts(message_type: MessageType, edition: Edition = Edition.E202205) -> bytes:
    return render_receipts([b.receipt(message_type)], edition=edition)


def golden_renderings() -> dict[str, Callable[[], bytes]]:
    """Return file name -> renderer of every golden message."""
    out: dict[str, Callable[[], bytes]] = {}
    for message_type, message in b.all_declarations().items():
        out[f"{message_type.value}.xml"] = partial(render_message, message)
    for message_type in RECEIPTS:
        out[f"{message_type.value}.xml"] = partial(_receipts, message_type)
    out["CEB816Message.xml"] = lambda: render_tax_bills([b.tax_bill()])
    out["CEB900Message.xml"] = lambda: render_format_receipt(b.format_receipt())
    return out


@pytest.mark.parametrize("name", sorted(golden_renderings()))
def test_rendering_matches_the_golden_file(name: str) -> None:
    rendered = golden_renderings()[name]()
    path = GOLDEN / name
    if os.environ.get("CBEC_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rendered)
    assert path.exists(), f"missing golden file {path}; run with CBEC_UPDATE_GOLDEN=1"
    assert rendered == path.read_bytes()


def test_no_stray_golden_files() -> None:
    assert sorted(p.name for p in GOLDEN.glob("*.xml")) == sorted(golden_renderings())
