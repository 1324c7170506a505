"""The FastAPI application: REST API under /api/v1, CEB intake at /ceb, web pages at /."""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from cbec import __version__
from cbec.api.errors import install_error_handlers
from cbec.api.security import install_security
from cbec.storage.context import Context

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
    "cbec.api.routes.flows",
    "cbec.api.routes.privacy",
    "cbec.api.routes.certificates",
    "cbec.api.routes.accounts",
    "cbec.web.auth",
    "cbec.web.pages",
    "cbec.web.assets",
    "cbec.web.workspace",
    "cbec.web.console",
    "cbec.web.dashboard",
    "cbec.web.consumer",
)


def app_from_environment() -> FastAPI:
    """Build the application from the environment's settings (one worker process of `cbec serve --workers N`)."""
    from cbec.bootstrap import build_context
    from cbec.config import Settings

    return create_app(build_context(Settings()))


def create_app(ctx: Context) -> FastAPI:
    """Build the application around a context."""
    app = FastAPI(
        title="cbec — 跨境电商综试区线上综合服务平台",
        version=__version__,
        description="Single window of a cross-border e-commerce pilot zone: filing, CEB messages, clearance, tax.",
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    install_security(app)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Tell that the process is up."""
        return {"status": "ok", "version": __version__}

    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        app.include_router(module.router)
    return app
