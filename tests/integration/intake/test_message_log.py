"""The message log: written first, one row per distinct bytes, resubmissions answered as stored."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from tests.builders import PARTIES, a_set
from tests.zone import Zone, build_message

from cbec.intake import ingest_message
from cbec.intake.models import MessageRecord
from cbec.messages import render_message
from cbec.messages.signature import sign_document


def signed_order(zone: Zone, order_no: str) -> bytes:
    return sign_document(render_message(build_message([a_set(order_no).order], PARTIES.ecommerce)), zone.signer)


def log_rows(zone: Zone) -> list[tuple[str, str, int]]:
    with zone.ctx.uow() as uow:
        rows = uow.session.scalars(select(MessageRecord).order_by(MessageRecord.id)).all()
        return [(row.sha256, row.outcome, row.document_count) for row in rows]


def test_the_same_bytes_twice_are_logged_once_and_answered_with_the_same_receipts(zone: Zone) -> None:
    raw = signed_order(zone, "ORD20260302000901")
    first = ingest_message(zone.ctx, raw)
    again = ingest_message(zone.ctx, raw)
    preflight = ingest_message(zone.ctx, raw, dry_run=True)
    assert (first.outcome, again.outcome, preflight.outcome) == ("processed", "duplicate", "duplicate")
    assert again.receipts == first.receipts == preflight.receipts and preflight.dry_run is True
    assert log_rows(zone) == [(hashlib.sha256(raw).hexdigest(), "processed", 1)]


def test_unreadable_bytes_twice_are_logged_once_as_a_format_error(zone: Zone) -> None:
    raw = b"<not-ceb/>"
    assert [ingest_message(zone.ctx, raw).outcome for _ in range(2)] == ["format_error", "format_error"]
    assert log_rows(zone) == [(hashlib.sha256(raw).hexdigest(), "format_error", 0)]


def test_bytes_once_refused_for_their_format_that_read_now_take_their_log_row_over(zone: Zone) -> None:
    raw = signed_order(zone, "ORD20260302000902")
    digest = hashlib.sha256(raw).hexdigest()
    # as if these bytes had failed the format check before a code table gained the code they use
    with zone.ctx.uow() as uow:
        uow.session.add(
            MessageRecord(
                sha256=digest,
                message_type="CEB311Message",
                document_count=0,
                outcome="format_error",
                received_at=zone.ctx.clock.now(),
            )
        )
        uow.commit()
    result = ingest_message(zone.ctx, raw)
    assert result.outcome == "processed" and [r.status for r in result.receipts] == ["120"]
    assert log_rows(zone) == [(digest, "processed", 1)]
    assert ingest_message(zone.ctx, raw).outcome == "duplicate"
    with zone.ctx.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(MessageRecord)) == 1
