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
from cbec.common.scope import Scope
from cbec.intake import IngestResult, ingest_message
from cbec.intake.answers import direct_answer
from cbec.messages.documents import Edition
from cbec.storage.context import Context

router = APIRouter(tags=["ceb"])


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
    answer = direct_answer(result, Edition(ctx.settings.edition), lambda xml: sign_outgoing(ctx.settings, xml))
    if result.format_receipt is not None and answer is not None:
        return Response(answer.xml, status_code=422, media_type="application/xml")
    headers = {"X-Cbec-Outcome": result.outcome, "X-Cbec-Receipts": str(len(result.receipts))}
    if answer is None:
        return JSONResponse(result_json(result), headers=headers)
    return Response(answer.xml, media_type="application/xml", headers=headers)
