"""The one table from domain error codes to HTTP statuses, and the error response shape.

Besides domain errors, the boundary answers what would otherwise be a 500 with a problem: request fields
that do not validate (422 ``FMT-REQUEST``), values the database cannot hold — integers past 64 bits, NUL
characters (422 ``FMT-VALUE``) — and a database that cannot be reached (503 ``DB-UNAVAILABLE``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DataError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from cbec.common.errors import DomainError, ErrorCode, Problem

log = logging.getLogger(__name__)

HTTP_STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.ALREADY_EXISTS: 409,
    ErrorCode.INVALID: 422,
    ErrorCode.CONFLICT: 409,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.LIMIT_EXCEEDED: 422,
    ErrorCode.UNAVAILABLE: 503,
}
DB_RETRY_SECONDS = 5


class RateLimited(Exception):
    """Too many requests from one caller or address (429); ``retry_after`` in seconds."""

    def __init__(self, retry_after: int, field: str = "client") -> None:
        super().__init__(f"rate limited for {retry_after}s")
        self.retry_after = max(1, int(retry_after))
        self.field = field


def problem_body(error: str, problems: list[Problem], message: str | None = None) -> dict[str, Any]:
    """Return the error shape: {"error", "message", "problems": [...]}."""
    return {
        "error": error,
        "message": message or (problems[0].message if problems else error),
        "problems": [p.as_dict() for p in problems],
    }


def rate_limit_problem(retry_after: int, field: str = "client") -> Problem:
    """Return the RATE-LIMIT problem of a refused request."""
    return Problem(
        "RATE-LIMIT",
        field,
        f"请求过于频繁，请 {retry_after} 秒后再试 / too many requests, try again in {retry_after} s",
        "放慢查询频率，或请综试办提高限额 / slow down (see Retry-After) or ask the zone office for a higher limit",
    )


def db_unavailable_problem() -> Problem:
    """Return the DB-UNAVAILABLE problem of a request that found no database."""
    return Problem(
        "DB-UNAVAILABLE",
        "database",
        "数据库暂时无法访问 / the database cannot be reached right now",
        f"稍后重试（{DB_RETRY_SECONDS} 秒）；运维请检查数据库与 /readyz / retry in a few seconds; operators: check the"
        " database and /readyz",
    )


def _validation_problems(errors: list[dict[str, Any]]) -> list[Problem]:
    problems = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
        text = str(error.get("msg", "invalid value"))
        problems.append(
            Problem(
                "FMT-REQUEST",
                ".".join(location) or "body",
                f"字段取值无效 / invalid value: {text}",
                "按接口文档（/docs）填写该字段 / give the field a value of the documented type and range (/docs)",
            )
        )
    return problems


def install_error_handlers(app: FastAPI) -> None:
    """Render DomainErrors as {"error": code, "message", "problems": [...]}, and the boundary's refusals alike."""

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

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        content = problem_body("invalid", _validation_problems(errors), "请求字段无效 / the request has invalid fields")
        content["detail"] = jsonable_encoder(errors)
        return JSONResponse(status_code=422, content=content)

    @app.exception_handler(ValidationError)
    async def _model_invalid(_request: Request, exc: ValidationError) -> JSONResponse:
        errors: list[dict[str, Any]] = [dict(e) for e in exc.errors()]
        content = problem_body("invalid", _validation_problems(errors), "请求字段无效 / the request has invalid fields")
        return JSONResponse(status_code=422, content=content)

    async def _value_refused(_request: Request, exc: Exception) -> JSONResponse:
        log.info("value refused by the database: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        problem = Problem(
            "FMT-VALUE",
            "body",
            "取值超出范围或含非法字符 / a value is out of range or holds a forbidden character (a number past 64"
            " bits, a NUL character)",
            "检查编号与数字是否在 64 位整数范围内，文本中不得含 NUL (0x00) / use ids and numbers within 64-bit"
            " range and text without NUL (0x00) characters",
        )
        return JSONResponse(status_code=422, content=problem_body("invalid", [problem]))

    app.add_exception_handler(DataError, _value_refused)
    app.add_exception_handler(OverflowError, _value_refused)

    async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return JSONResponse(
            status_code=503,
            content=problem_body("unavailable", [db_unavailable_problem()]),
            headers={"Retry-After": str(DB_RETRY_SECONDS)},
        )

    for kind in (OperationalError, InterfaceError, DisconnectionError, PoolTimeout):
        app.add_exception_handler(kind, _database_unavailable)

    @app.exception_handler(RateLimited)
    async def _rate_limited(_request: Request, exc: RateLimited) -> JSONResponse:
        return JSONResponse(
            status_code=429,
            content=problem_body("rate_limited", [rate_limit_problem(exc.retry_after, exc.field)]),
            headers={"Retry-After": str(exc.retry_after)},
        )
