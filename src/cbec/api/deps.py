"""FastAPI dependencies shared by the routers."""

from __future__ import annotations

from fastapi import Request

from cbec.storage.context import Context


async def get_ctx(request: Request) -> Context:
    """Return the platform context stored on the application (async: no thread is needed to read an attribute)."""
    ctx: Context = request.app.state.ctx
    return ctx
