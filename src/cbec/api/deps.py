"""FastAPI dependencies shared by the routers."""

from __future__ import annotations

from fastapi import Request

from cbec.storage.context import Context


def get_ctx(request: Request) -> Context:
    """Return the platform context stored on the application."""
    ctx: Context = request.app.state.ctx
    return ctx
