"""Ingest a folder of messages like `cbec ingest`, and die with SIGKILL at a chosen point of one message.

    python tests/reliability/crashing_ingest.py FOLDER MESSAGE_INDEX POINT

POINT is ``flush`` (inside the transaction, after its first ORM flush: the message log row and documents written,
nothing committed), ``commit`` (after everything, just before COMMIT) or ``answered`` (just after COMMIT, before the
receipts reach the sender). The process is configured by the CBEC_* environment like the CLI.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from cbec.bootstrap import build_context
from cbec.intake import ingest_message


def main() -> None:
    """Ingest the folder in name order; kill this process at the chosen point of the chosen message."""
    folder, target, point = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    ctx = build_context()
    armed = {"on": False, "flushes": 0}

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    @event.listens_for(Session, "after_flush")
    def _flushed(session: Session, context: Any) -> None:
        if armed["on"] and point == "flush":
            armed["flushes"] += 1
            if armed["flushes"] >= 1:  # the log row is an INSERT … RETURNING, then the documents' flush
                die()

    @event.listens_for(Session, "before_commit")
    def _committing(session: Session) -> None:
        if armed["on"] and point == "commit":
            die()

    for index, path in enumerate(sorted(folder.glob("*.xml"))):
        armed["on"] = index == target
        ingest_message(ctx, path.read_bytes(), source_name=path.name)
        if armed["on"] and point == "answered":
            die()
    sys.exit(3)  # the kill point was never reached


if __name__ == "__main__":
    main()
