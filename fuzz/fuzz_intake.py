"""Coverage-guided fuzzing of the intake path with atheris (模糊测试): not part of the pass/fail suite.

Every input goes through ``ingest_message`` (DxpMsg envelope, hardened XML parse, codec and format checks,
signature verification against registered certificates, the clearance rules) as a preflight on a SQLite
database with the demo zone filed and the benchmark senders' certificates registered. The input must be
answered — processed, duplicate, or refused with a format receipt (CEB900) that renders — and nothing else:
an exception, a hang (-timeout) or memory growth (-rss_limit_mb) is a finding.

    .venv/bin/pip install atheris
    .venv/bin/python fuzz/fuzz_intake.py --make-corpus fuzz/corpus          # seed inputs (valid messages)
    .venv/bin/python fuzz/fuzz_intake.py fuzz/corpus -timeout=10 -rss_limit_mb=2048 -max_len=200000 -runs=100000

Set CBEC_FUZZ_CODEC=1 to fuzz the codec alone (envelope + parse_message, no database), which runs faster.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.workload import WorkloadSpec  # noqa: E402 (after the path is set)

from cbec.clearance.service import ingest_message  # noqa: E402
from cbec.messages import (  # noqa: E402
    is_envelope,
    open_envelope,
    parse_message,
    render_format_receipt,
    render_receipts,
)

ANSWERS = {"processed", "duplicate", "format_error", "signature_error"}
SEEDS = WorkloadSpec(sets=20, seed=1, single=True)  # small signed messages, one document each
CODEC_ONLY = os.environ.get("CBEC_FUZZ_CODEC") == "1"


def _context():  # type: ignore[no-untyped-def]
    """Return a context on a new SQLite database with the demo zone and the benchmark senders filed."""
    from bench.runner import bench_context, prepare_zone
    from bench.workload import load_or_generate

    folder = Path(tempfile.mkdtemp(prefix="cbec-fuzz-"))
    url = f"sqlite:///{folder / 'fuzz.db'}"
    prepare_zone(url, load_or_generate(SEEDS, say=False).certificates)  # the seed messages' signers
    return bench_context(url)


CTX = None if CODEC_ONLY else _context()


def check_codec(data: bytes) -> None:
    """The codec answers every input with a message or problems, never an exception."""
    payload = data
    if is_envelope(data):
        try:
            payload = open_envelope(data).payload
        except ValueError as exc:  # MessageRefused: a refused envelope carries its problems
            assert getattr(exc, "problems", None), exc
            return
    outcome = parse_message(payload)
    assert outcome.message is not None or outcome.problems, "refused without a reason"


def check_intake(data: bytes) -> None:
    """Intake answers every input: documents processed (with receipts) or a CEB900 that renders."""
    result = ingest_message(CTX, data, dry_run=True)  # type: ignore[arg-type]
    assert result.outcome in ANSWERS, result.outcome
    if result.format_receipt is not None:
        assert render_format_receipt(result.format_receipt).startswith(b"<?xml")
    by_type: dict[str, list[object]] = {}
    for receipt in result.receipts:
        by_type.setdefault(receipt.message_type.value, []).append(receipt)
    for receipts in by_type.values():
        render_receipts(receipts)  # type: ignore[arg-type]


def test_one_input(data: bytes) -> None:
    """The atheris entry point."""
    if CODEC_ONLY:
        check_codec(data)
    else:
        check_intake(data)


def make_corpus(folder: Path) -> None:
    """Write seed inputs: the golden messages and small signed benchmark messages (bare and in envelopes)."""
    from bench.workload import load_or_generate

    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "tests" / "fixtures" / "golden").glob("*.xml")):
        (folder / f"golden-{path.name}").write_bytes(path.read_bytes())
    workload = load_or_generate(SEEDS, say=False)
    for number, message in enumerate(workload.messages[:40]):
        (folder / f"bench-{number:03d}-{message.message_type}.xml").write_bytes(message.raw)
    print(f"{len(list(folder.iterdir()))} seed inputs in {folder}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--make-corpus":
        make_corpus(Path(sys.argv[2]))
    else:
        atheris.instrument_all()  # coverage feedback from every Python function loaded (cbec, lxml glue, sqlalchemy)
        atheris.Setup(sys.argv, test_one_input)
        atheris.Fuzz()
