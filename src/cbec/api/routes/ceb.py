"""POST /ceb: CEB XML or DxpMsg in, the receipt XML out (报文接收接口).

Only enterprises submit, and only as themselves: the BaseTransfer copCode must be the caller's enterprise or one
that delegated message submission (ceb.submit) to it; anything else is refused with 403 and stored nowhere.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.security import scoped
from cbec.bootstrap import sign_outgoing
from cbec.clearance.service import IngestResult, ingest_message
from cbec.common.scope import Scope
from cbec.messages import render_format_receipt, render_receipts
from cbec.messages.documents import MessageType
from cbec.messages.export_documents import ExportMessageType
from cbec.storage.context import Context

router = APIRouter(tags=["ceb"])

RECEIPT_OF = {
    "CEB311Message": MessageType.ORDER_RECEIPT,
    "CEB411Message": MessageType.PAYMENT_RECEIPT,
    "CEB511Message": MessageType.WAYBILL_RECEIPT,
    "CEB513Message": MessageType.WAYBILL_STATUS_RECEIPT,
    "CEB621Message": MessageType.INVENTORY_RECEIPT,
    "CEB623Message": MessageType.CANCEL_RECEIPT,
    "CEB625Message": MessageType.RETURN_RECEIPT,
    "CEB711Message": MessageType.ARRIVAL_RECEIPT,
}
# Export declarations are answered with their own receipt type too (CEB303 → CEB304 ... CEB701 → CEB702).
RECEIPT_OF_EXPORT = {
    ExportMessageType.ORDER.value: ExportMessageType.ORDER_RECEIPT,
    ExportMessageType.PAYMENT_RECEIPT_NOTE.value: ExportMessageType.PAYMENT_RECEIPT_NOTE_RECEIPT,
    ExportMessageType.WAYBILL.value: ExportMessageType.WAYBILL_RECEIPT,
    ExportMessageType.ARRIVAL.value: ExportMessageType.ARRIVAL_RECEIPT,
    ExportMessageType.DEPARTURE.value: ExportMessageType.DEPARTURE_RECEIPT,
    ExportMessageType.INVENTORY.value: ExportMessageType.INVENTORY_RECEIPT,
    ExportMessageType.CANCEL.value: ExportMessageType.CANCEL_RECEIPT,
    ExportMessageType.MASTER_BILL.value: ExportMessageType.MASTER_BILL_RECEIPT,
    ExportMessageType.RETURN.value: ExportMessageType.RETURN_RECEIPT,
    ExportMessageType.RETURN_TALLY.value: ExportMessageType.RETURN_TALLY_RECEIPT,
    ExportMessageType.SUMMARY_APPLICATION.value: ExportMessageType.SUMMARY_APPLICATION_RECEIPT,
}


def result_json(result: IngestResult) -> dict[str, Any]:
    """Return a JSON report of an ingest result."""
    return {
        "message_type": result.message_type,
        "outcome": result.outcome,
        "dry_run": result.dry_run,
        "problems": [p.as_dict() for p in result.problems],
        "documents": [
            {
                "kind": d.kind,
                "key": d.key,
                "status": d.status,
                "note": d.note,
                "problems": [p.as_dict() for p in d.problems],
            }
            for d in result.documents
        ],
        "receipts": [
            {
                "message_type": r.message_type.value,
                "status": r.status,
                "info": r.info,
                "guid": r.guid,
                "inventory_no": r.inventory_no,
                "order_no": r.order_no,
                "logistics_no": r.logistics_no,
            }
            for r in result.receipts
        ],
        "tax_bills": [
            {
                "inventory_no": b.inventory_no,
                "tax_no": b.tax_no,
                "customs_duty": str(b.customs_duty),
                "vat": str(b.vat),
                "consumption_tax": str(b.consumption_tax),
                "status": b.status,
            }
            for b in result.tax_bills
        ],
    }


@router.post(
    "/ceb",
    summary="Submit one CEB message (or DxpMsg envelope); get its receipt message back",
    responses={200: {"content": {"application/xml": {}}}, 422: {"content": {"application/xml": {}}}},
)
async def submit_ceb(
    request: Request,
    dry_run: bool = Query(False, description="Preflight: report every problem as JSON, store nothing."),
    scope: Scope = Depends(scoped(Permission.CEB_SUBMIT)),
    ctx: Context = Depends(get_ctx),
) -> Response:
    """Process a CEB message; the answer is the receipt message for its documents (or a CEB900)."""
    body = await request.body()
    senders = scope.parties if scope.parties is not None else frozenset()
    # Intake is blocking (database round trips, CPU-bound checks): run it off the event loop so that one slow
    # message does not hold every other request, and the round trips of concurrent messages overlap.
    return await run_in_threadpool(_answer, ctx, body, dry_run, senders)


def _answer(ctx: Context, body: bytes, dry_run: bool, senders: frozenset[str]) -> Response:
    result = ingest_message(ctx, body, source_name="http", dry_run=dry_run, senders=senders)
    if dry_run:
        return JSONResponse(result_json(result))
    if result.format_receipt is not None:
        refusal = sign_outgoing(ctx.settings, render_format_receipt(result.format_receipt))
        return Response(refusal, status_code=422, media_type="application/xml")
    wanted = RECEIPT_OF.get(result.message_type) or RECEIPT_OF_EXPORT.get(result.message_type)
    own = [r for r in result.receipts if r.message_type == wanted][:100]
    headers = {"X-Cbec-Outcome": result.outcome, "X-Cbec-Receipts": str(len(result.receipts))}
    if not own:
        return JSONResponse(result_json(result), headers=headers)
    return Response(sign_outgoing(ctx.settings, render_receipts(own)), media_type="application/xml", headers=headers)
