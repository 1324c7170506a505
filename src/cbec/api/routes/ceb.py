"""POST /ceb: CEB XML or DxpMsg in, the receipt XML out (报文接收接口).

Only enterprises submit, and only as themselves: the BaseTransfer copCode must be the caller's enterprise or one
that delegated message submission (ceb.submit) to it; anything else is refused with 403 and stored nowhere.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from cbec.accounts import Permission
from cbec.api.deps import get_ctx
from cbec.api.errors import HTTP_STATUS
from cbec.api.security import authenticate, scoped
from cbec.bootstrap import sign_outgoing
from cbec.common.errors import ErrorCode, NotFound, Problem
from cbec.common.scope import Scope
from cbec.intake import IngestResult, IntakeBatcher, Submission, ingest_message
from cbec.intake.answers import result_json
from cbec.intake.stream import IntakeFront, http_answer
from cbec.messages.documents import Edition
from cbec.storage.context import Context

router = APIRouter(tags=["ceb"])


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
    """Process a CEB message; the answer is the receipt message for its documents (or a CEB900).

    With the intake stream configured (``intake_stream_url``), the message is stored in the stream and answered
    202 with its digest; the receipt message then waits at ``GET /ceb/answers/{digest}``.
    """
    body = await request.body()
    senders = scope.parties if scope.parties is not None else frozenset()
    if ctx.settings.intake_stream_url and not dry_run:
        identity = authenticate(request)
        queued = await _front(request).submit(
            body,
            account=identity.username,
            partition_key=identity.enterprise_code or identity.username,
            senders=senders,
        )
        location = f"/ceb/answers/{queued.digest}"
        return JSONResponse(
            {"digest": queued.digest, "partition": queued.partition, "sequence": queued.sequence, "answer": location},
            status_code=202,
            headers={"Location": location, "X-Cbec-Outcome": "queued"},
        )
    if dry_run or ctx.settings.intake_batch == 1:
        # Intake is blocking (database round trips, CPU-bound checks): run it off the event loop so that one slow
        # message does not hold every other request, and the round trips of concurrent messages overlap.
        return await run_in_threadpool(_answer, ctx, body, dry_run, senders)
    # Group commit: the message waits for the commit of the batch it runs in on the event loop, holding no thread
    # (a thread each, the waiting requests took the thread pool and the next requests queued for it); shielded,
    # so that a request given up on still gets its message's outcome set. Rendering then takes a thread.
    done = _batcher(request).hand_over(Submission(body, source_name="http", senders=senders))
    result = await asyncio.shield(asyncio.wrap_future(done))
    return await run_in_threadpool(_render, ctx, result)


def _answer(ctx: Context, body: bytes, dry_run: bool, senders: frozenset[str]) -> Response:
    result = ingest_message(ctx, body, source_name="http", dry_run=dry_run, senders=senders)
    if dry_run:
        return JSONResponse(result_json(result))
    return _render(ctx, result)


def _render(ctx: Context, result: IngestResult) -> Response:
    """Return the HTTP answer of a committed message: its receipt XML, signed where the platform signs."""
    answer = http_answer(result, Edition(ctx.settings.edition), lambda xml: sign_outgoing(ctx.settings, xml))
    return Response(answer.body, status_code=answer.status, media_type=answer.media_type, headers=answer.headers)


def _batcher(request: Request) -> IntakeBatcher:
    """Return the server process's group commit of POST /ceb (started on first use)."""
    batcher: IntakeBatcher | None = getattr(request.app.state, "intake_batcher", None)
    if batcher is None:
        ctx = request.app.state.ctx
        batcher = request.app.state.intake_batcher = IntakeBatcher(ctx, max_batch=ctx.settings.intake_batch)
    return batcher


def _front(request: Request) -> IntakeFront:
    """Return the server process's connection to the intake stream (opened on first use)."""
    front: IntakeFront | None = getattr(request.app.state, "intake_front", None)
    if front is None:
        front = request.app.state.intake_front = IntakeFront(request.app.state.ctx.settings)
    return front


@router.get(
    "/ceb/answers/{digest}",
    summary="Collect the answer to a message submitted through the intake stream (202 from POST /ceb)",
    responses={200: {"content": {"application/xml": {}}}, 422: {"content": {"application/xml": {}}}},
)
async def ceb_answer(
    request: Request,
    digest: str = Path(..., pattern="^[0-9a-f]{64}$", description="SHA-256 of the message bytes, as answered."),
    _scope: Scope = Depends(scoped(Permission.CEB_SUBMIT)),
    ctx: Context = Depends(get_ctx),
) -> Response:
    """Return the stored answer of a queued message: the same receipt XML (or error) ``POST /ceb`` would give."""
    if not ctx.settings.intake_stream_url:
        raise NotFound(
            "报文同步应答 / messages are answered synchronously here",
            problems=[
                Problem(
                    "INTAKE-SYNC",
                    "digest",
                    "本平台同步应答，无待取回执 / this platform answers POST /ceb directly; nothing waits here",
                    "Read the receipt message from the answer to POST /ceb.",
                )
            ],
        )
    answer = await _front(request).answer(digest)
    if answer is None or answer.account != authenticate(request).username:
        raise NotFound(
            "尚无应答 / no answer yet",
            problems=[
                Problem(
                    "INTAKE-ANSWER",
                    "digest",
                    "该摘要下尚无您的应答 / no answer of yours under this digest yet",
                    "A worker answers within seconds of the 202; retry shortly. Answers are kept seven days and "
                    "only the account that sent the message can collect them.",
                )
            ],
        )
    if answer.error_code is not None:
        return Response(
            answer.body, status_code=HTTP_STATUS.get(ErrorCode(answer.error_code), 400), media_type=answer.media_type
        )
    return Response(answer.body, status_code=answer.status, media_type=answer.media_type, headers=answer.headers)
