"""Web sign-in and sign-out (网页登录、退出): GET/POST /login and POST /logout.

The login form is protected by a double-submit token (a random value in an HttpOnly cookie and in the form);
the logout form by the session's CSRF token. Failed sign-ins are counted per user and per client address.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from cbec import __version__
from cbec.accounts import CredentialsRefused, LoginThrottled
from cbec.accounts.passwords import new_token
from cbec.accounts.service import sign_in, sign_out
from cbec.api.deps import get_ctx
from cbec.api.security import (
    CSRF_FIELD,
    SESSION_COOKIE,
    PermissionDenied,
    check_csrf,
    clear_session_cookie,
    client_of,
    set_session_cookie,
    web_principal,
)
from cbec.common.errors import InvalidInput, Problem
from cbec.storage.context import Context

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

LOGIN_CSRF_COOKIE = "cbec_login_csrf"
MAX_FORM_BYTES = 8 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"
FORM_EXPIRED = (
    "<!doctype html><title>403</title><p>表单已过期，请刷新页面后重试 / the form expired; reload and retry</p>"
)


def safe_next(value: str | None) -> str:
    """Return a local path to go to after signing in; anything else becomes the front page."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or "\n" in value:
        return "/"
    return value


MAX_DOCUMENT_BYTES = 256 * 1024  # a pasted ruleset, report or list file, URL-encoded


async def read_document_form(request: Request) -> dict[str, str]:
    """Return the fields of a form carrying a pasted JSON document (up to 256 KiB, at most 4 fields); other bodies,
    larger ones included, give none (the caller answers its own "no document" problem)."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
        return {}
    body = await request.body()
    if len(body) > MAX_DOCUMENT_BYTES:
        return {}
    try:
        fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=4)
    except ValueError:
        return {}
    return {key: values[0] for key, values in fields.items()}


async def read_form(request: Request) -> dict[str, str]:
    """Return the fields of a small URL-encoded form (first value of each); other bodies give no fields."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
        return {}
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    try:
        fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=20)
    except ValueError:  # more than max_num_fields fields
        raise InvalidInput(
            "too many form fields",
            problems=[
                Problem(
                    "FMT-FORM",
                    "body",
                    "表单字段过多 / the form has too many fields",
                    "只提交页面表单中的字段 / submit only the fields of the page's form",
                )
            ],
        ) from None
    form = {name: values[0] for name, values in fields.items()}
    nul = sorted(name for name, value in form.items() if "\x00" in name or "\x00" in value)
    if nul:
        raise InvalidInput(
            "NUL character in a form field",
            problems=[
                Problem(
                    "FMT-NUL",
                    name.replace("\x00", ""),
                    "字段含 NUL (0x00) 字符 / the field holds a NUL (0x00) character",
                    "删除该字段中的控制字符 / remove the control characters from the field",
                )
                for name in nul
            ],
        )
    return form


def _form(
    request: Request, ctx: Context, *, next_path: str, username: str = "", error: str = "", status: int = 200
) -> Response:
    nonce = new_token()
    response = templates.TemplateResponse(
        request,
        "login.html",
        {"csrf_token": nonce, "next": next_path, "username": username, "error": error, "version": __version__},
        status_code=status,
    )
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        nonce,
        path="/login",
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
        max_age=3600,
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None, ctx: Context = Depends(get_ctx)) -> Response:
    """Show the sign-in form (or go on when already signed in)."""
    target = safe_next(next)
    if request.cookies.get(SESSION_COOKIE) and web_principal(request) is not None:
        return RedirectResponse(target, status_code=303)
    return _form(request, ctx, next_path=target)


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request, ctx: Context = Depends(get_ctx)) -> Response:
    """Check the form and sign in: 303 to the page asked for, or the form again with the reason."""
    form = await read_form(request)
    target = safe_next(form.get("next"))
    username = form.get("username", "")[:64]
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    submitted = form.get(CSRF_FIELD, "")
    if not cookie or not submitted or not hmac.compare_digest(cookie.encode(), submitted.encode()):
        return _form(
            request,
            ctx,
            next_path=target,
            username=username,
            error="表单已过期，请重新登录 / the form expired; please sign in again",
            status=403,
        )
    try:
        signed = sign_in(ctx, username, form.get("password", ""), client=client_of(request))
    except LoginThrottled as exc:
        response = _form(request, ctx, next_path=target, username=username, error=exc.problems[0].message, status=429)
        response.headers["Retry-After"] = str(exc.data.get("retry_after", 60))
        return response
    except CredentialsRefused as exc:
        return _form(request, ctx, next_path=target, username=username, error=exc.message, status=401)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, signed.token, ctx.settings)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, ctx: Context = Depends(get_ctx)) -> Response:
    """End the web session (the form carries its CSRF token) and go to the sign-in page."""
    form = await read_form(request)
    token = request.cookies.get(SESSION_COOKIE)
    principal = web_principal(request) if token else None
    if principal is not None and token is not None:
        try:
            check_csrf(request, form.get(CSRF_FIELD))
        except PermissionDenied:
            return HTMLResponse(FORM_EXPIRED, status_code=403)
        sign_out(ctx, token)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, ctx.settings)
    return response
