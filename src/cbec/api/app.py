"""The FastAPI application: REST API under /api/v1, CEB intake at /ceb, web pages at /."""

from __future__ import annotations

import asyncio
import importlib
import sys

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from cbec import __version__
from cbec.api.errors import install_error_handlers
from cbec.api.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from cbec.api.security import install_security
from cbec.storage.context import Context
from cbec.storage.health import Readiness, check_database
from cbec.web.ratelimit import build_limits

# Each module defines `router` (an APIRouter); modules are owned by the domain they expose.
ROUTER_MODULES = (
    "cbec.api.routes.reference",
    "cbec.api.routes.enterprises",
    "cbec.api.routes.products",
    "cbec.api.routes.quota",
    "cbec.api.routes.clearance",
    "cbec.api.routes.exports",
    "cbec.api.routes.ceb",
    "cbec.api.routes.audit",
    "cbec.api.routes.feeds",
    "cbec.api.routes.events",
    "cbec.api.routes.risk",
    "cbec.api.routes.risk_cases",
    "cbec.api.routes.risk_versions",
    "cbec.api.routes.risk_lists",
    "cbec.api.routes.risk_conditions",
    "cbec.api.routes.statistics",
    "cbec.api.routes.statistics_index",
    "cbec.api.routes.statistics_b2b",
    "cbec.api.routes.flows",
    "cbec.api.routes.privacy",
    "cbec.api.routes.certificates",
    "cbec.api.routes.accounts",
    "cbec.api.routes.credit",
    "cbec.api.routes.credit_repair",
    "cbec.api.routes.credit_lists",
    "cbec.api.routes.credit_office",
    "cbec.api.routes.credit_config",
    "cbec.web.auth",
    "cbec.web.pages",
    "cbec.web.assets",
    "cbec.web.workspace",
    "cbec.web.console",
    "cbec.web.dashboard",
    "cbec.web.statistics",
    "cbec.web.reports",
    "cbec.web.surveys",
    "cbec.web.exports",
    "cbec.web.export_tax",
    "cbec.web.risk",
    "cbec.web.risk_cases",
    "cbec.web.risk_versions",
    "cbec.web.risk_lists",
    "cbec.web.credit",
    "cbec.web.credit_lists",
    "cbec.web.credit_office",
    "cbec.web.credit_flags",
    "cbec.web.credit_aeo",
    "cbec.web.consumer",
)


# How long a thread may hold the GIL while another waits for it (CPython's default is 5 ms). A server process runs
# the event loop, the group commit's intake thread and the thread pool: the intake thread gives the GIL up on
# every database round trip (about twenty a one-document message) and, with the loop busy parsing requests,
# waited up to the whole interval to get it back each time.
SERVER_SWITCH_INTERVAL = 0.0005


def tune_server_process() -> None:
    """Set what a `cbec serve` process runs better with: a short GIL switch interval."""
    sys.setswitchinterval(SERVER_SWITCH_INTERVAL)


def app_from_environment() -> FastAPI:
    """Build the application from the environment's settings (one worker process of `cbec serve --workers N`)."""
    from cbec.bootstrap import build_context
    from cbec.config import Settings

    tune_server_process()
    return create_app(build_context(Settings()))


def create_app(ctx: Context) -> FastAPI:
    """Build the application around a context."""
    app = FastAPI(
        title="cbec — 跨境电商综试区线上综合服务平台",
        version=__version__,
        description="Single window of a cross-border e-commerce pilot zone: filing, CEB messages, clearance, tax.",
    )
    app.state.ctx = ctx
    app.state.limits = build_limits(ctx.settings)
    install_error_handlers(app)
    install_security(app)
    # The last added is the outermost: security headers also go on the body limit's 413.
    app.add_middleware(BodyLimitMiddleware, settings=lambda: app.state.ctx.settings)
    app.add_middleware(SecurityHeadersMiddleware)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Tell that the process is up (liveness: the database is not asked; see /readyz)."""
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", tags=["ops"])
    async def readyz() -> JSONResponse:
        """Tell whether requests can be served: the database answers, and its schema is at the migrations' head."""
        context: Context = app.state.ctx
        timeout = context.settings.readiness_timeout_seconds
        try:
            state = await asyncio.wait_for(run_in_threadpool(check_database, context.engine), timeout)
        except TimeoutError:
            state = Readiness(False, f"database did not answer within {timeout:g}s")
        body = {
            "status": "ready" if state.ready else "unavailable",
            "reason": state.reason,
            "revision": list(state.revision),
            "head": list(state.head),
            "version": __version__,
        }
        headers = {} if state.ready else {"Retry-After": "5", "Cache-Control": "no-store"}
        return JSONResponse(body, status_code=200 if state.ready else 503, headers=headers)

    # Every router is assembled here; a module that fails to import fails the application loudly.
    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(name).router)
    return app
