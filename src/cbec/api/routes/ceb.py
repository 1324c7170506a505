"""POST /ceb: CEB XML or DxpMsg in, the receipt XML out (报文接收接口)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from cbec.api.deps import get_ctx
from cbec.clearance.service import IngestResult, ingest_message
from cbec.messages import render_format_receipt, render_receipts
from cbec.messages.documents import MessageType
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
    ctx: Context = Depends(get_ctx),
) -> Response:
    """Process a CEB message; the answer is the receipt message for its documents (or a CEB900)."""
    body = await request.body()
    result = ingest_message(ctx, body, source_name="http", dry_run=dry_run)
    if dry_run:
        return JSONResponse(result_json(result))
    if result.format_receipt is not None:
        return Response(render_format_receipt(result.format_receipt), status_code=422, media_type="application/xml")
    wanted = RECEIPT_OF.get(result.message_type)
    own = [r for r in result.receipts if r.message_type == wanted][:100]
    headers = {"X-Cbec-Outcome": result.outcome, "X-Cbec-Receipts": str(len(result.receipts))}
    if not own:
        return JSONResponse(result_json(result), headers=headers)
    return Response(render_receipts(own), media_type="application/xml", headers=headers)
