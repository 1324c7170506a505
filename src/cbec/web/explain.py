"""How the pages show a document's path (状态轨迹) and what an upload produced (申报结果)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from cbec.common.errors import Problem
from cbec.intake import IngestResult
from cbec.statistics.rules import is_refusal
from cbec.statistics.views import ReceiptView

HELD = ("300", "500")
RELEASE_PATH = ("399", "800", "899")


@dataclass(frozen=True, slots=True)
class Step:
    """One station of the status timeline."""

    code: str
    at: datetime | None
    state: str  # done | hold | bad | todo


def timeline(receipts: tuple[ReceiptView, ...] | list[ReceiptView], current: str) -> list[Step]:
    """Return the stations 2 → 120 → (300/500) → 399 → 800 → 899 with the time each was reached.

    A refused document ends at its refusal; a held one shows where it waits.
    """
    reached: dict[str, datetime] = {}
    for view in receipts:
        reached.setdefault(view.receipt.status, view.receipt.returned_at)
    refusal = next((v.receipt for v in receipts if is_refusal(v.receipt.status)), None)
    if refusal is not None:
        steps = [Step(code, at, "done") for code, at in reached.items() if not is_refusal(code)]
        return [*steps, Step(refusal.status, refusal.returned_at, "bad")]
    path = ["2", "120", *[code for code in HELD if code in reached or code == current], *RELEASE_PATH]
    steps = []
    for code in path:
        if code in reached:
            state = "hold" if code == current and code in HELD else "done"
            steps.append(Step(code, reached[code], state))
        else:
            steps.append(Step(code, None, "todo"))
    return steps


@dataclass(slots=True)
class DocumentResult:
    """One document of an uploaded message: its key, the status it got and what was wrong."""

    kind: str
    key: str
    status: str
    note: str
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class UploadResult:
    """What one uploaded message (a file, or one entry of a zip) produced."""

    name: str
    message_type: str
    outcome: str  # processed | duplicate | format_error | unreadable | forbidden
    statuses: list[tuple[str, int]]
    tax_bills: int
    documents: list[DocumentResult]
    problems: list[Problem]

    @property
    def refused(self) -> int:
        """Return how many documents were refused."""
        return sum(1 for d in self.documents if is_refusal(d.status))


def upload_result(name: str, result: IngestResult) -> UploadResult:
    """Summarise an ingest result for the upload list: receipts by status and every refused document."""
    statuses = Counter(r.status for r in result.receipts)
    return UploadResult(
        name=name,
        message_type=result.message_type,
        outcome=result.outcome,
        statuses=sorted(statuses.items(), key=lambda item: (is_refusal(item[0]), item[0])),
        tax_bills=len(result.tax_bills),
        documents=[
            DocumentResult(d.kind, d.key, d.status, d.note, list(d.problems))
            for d in result.documents
            if d.problems or is_refusal(d.status)
        ],
        problems=list(result.problems),
    )


def held_reason(status_info: str) -> str:
    """Return the reason an inventory is held, without the receipt's [Code:…;Desc:…] prefix."""
    head, sep, rest = status_info.partition("]")
    if sep and head.startswith("[Code:"):
        return rest.strip() or head.partition("Desc:")[2]
    return status_info
