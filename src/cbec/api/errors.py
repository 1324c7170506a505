"""The one table from domain error codes to HTTP statuses, and the error response shape."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from cbec.common.errors import DomainError, ErrorCode

HTTP_STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.ALREADY_EXISTS: 409,
    ErrorCode.INVALID: 422,
    ErrorCode.CONFLICT: 409,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.LIMIT_EXCEEDED: 422,
    ErrorCode.UNAVAILABLE: 503,
}


def install_error_handlers(app: FastAPI) -> None:
    """Render DomainErrors as {"error": code, "message", "problems": [...]}."""

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(
            status_code=HTTP_STATUS.get(exc.code, 400),
            content={
                "error": str(exc.code),
                "message": exc.message,
                "problems": [p.as_dict() for p in exc.problems],
                **{k: v for k, v in exc.data.items() if isinstance(v, str | int | float | bool | None)},
            },
        )
