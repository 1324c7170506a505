"""REST routes of sign-in and accounts (登录与账号): /api/v1/session and /api/v1/accounts/..."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from cbec.accounts import CredentialsRefused, LoginThrottled, Permission
from cbec.accounts.schemas import (
    AccountCreate,
    AccountRead,
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyRead,
    DelegationCreate,
    DelegationRead,
    DelegationRevoke,
    SignIn,
    TenantCreate,
    TenantRead,
)
from cbec.accounts.service import (
    create_account,
    create_api_key,
    create_tenant,
    grant_delegation,
    list_accounts,
    list_api_keys,
    list_delegations,
    list_tenants,
    revoke_api_key,
    revoke_delegation,
    set_active,
    sign_in,
    sign_out,
)
from cbec.api.deps import get_ctx
from cbec.api.security import (
    SESSION_COOKIE,
    Principal,
    authenticate,
    clear_session_cookie,
    client_of,
    current_principal,
    principal_of,
    require,
    scoped,
    set_session_cookie,
)
from cbec.common.errors import Problem
from cbec.common.scope import OutOfScope, Scope
from cbec.storage.context import Context

router = APIRouter(tags=["accounts"])

P = Permission


def principal_json(principal: Principal) -> dict[str, Any]:
    """Return a principal as JSON."""
    return {
        "user_id": principal.user_id,
        "name": principal.name,
        "role": str(principal.role),
        "agency": principal.agency,
        "enterprise_code": principal.enterprise_code,
        "acting_for": sorted(principal.acting_for),
        "tenant": principal.tenant,
        "tenants_visible": sorted(principal.tenants_visible),
    }


def refusal(exc: CredentialsRefused | LoginThrottled) -> JSONResponse:
    """Return the 401 or 429 answer to a refused sign-in."""
    if isinstance(exc, LoginThrottled):
        wait = int(exc.data.get("retry_after", 60))
        return JSONResponse(
            status_code=429,
            content={
                "error": "too_many_attempts",
                "message": exc.message,
                "problems": [p.as_dict() for p in exc.problems],
            },
            headers={"Retry-After": str(wait)},
        )
    return JSONResponse(status_code=401, content={"error": "unauthenticated", "message": exc.message, "problems": []})


@router.post("/api/v1/session", summary="Sign in with a username and password (JSON)")
def post_session(body: SignIn, request: Request, ctx: Context = Depends(get_ctx)) -> Response:
    """Open a web session: the cookie is set HttpOnly; send csrf_token as X-CSRF-Token on changes."""
    try:
        signed = sign_in(ctx, body.username, body.password, client=client_of(request))
    except (CredentialsRefused, LoginThrottled) as exc:
        return refusal(exc)
    principal = principal_of(signed.identity)
    response = JSONResponse(
        {
            "principal": principal_json(principal),
            "permissions": sorted(signed.identity.permissions),
            "csrf_token": signed.csrf_token,
            "expires_at": signed.expires_at.isoformat(),
        }
    )
    set_session_cookie(response, signed.token, ctx.settings)
    return response


@router.get("/api/v1/session", summary="Who am I")
def get_session(request: Request, principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Return the caller, its permissions, how it authenticated and (web sessions) the CSRF token to send."""
    identity = authenticate(request)
    return {
        "principal": principal_json(principal),
        "permissions": sorted(identity.permissions),
        "via": identity.via,
        "csrf_token": identity.csrf_token,
    }


@router.delete("/api/v1/session", summary="Sign out")
def delete_session(
    request: Request, _principal: Principal = Depends(current_principal), ctx: Context = Depends(get_ctx)
) -> Response:
    """End the web session of the cookie (an API key has none to end)."""
    token = request.cookies.get(SESSION_COOKIE)
    ended = sign_out(ctx, token) if token and authenticate(request).via == "session" else False
    response = JSONResponse({"ended": ended})
    if ended:
        clear_session_cookie(response, ctx.settings)
    return response


# --- tenants and accounts -------------------------------------------------------------------------------


@router.get("/api/v1/accounts/tenants", response_model=list[TenantRead])
def get_tenants(scope: Scope = Depends(scoped(P.ACCOUNTS_READ)), ctx: Context = Depends(get_ctx)) -> list[TenantRead]:
    """List the tenants at and below the caller's tenant."""
    return list_tenants(ctx, scope=scope)


@router.post("/api/v1/accounts/tenants", response_model=TenantRead, status_code=201)
def post_tenant(
    body: TenantCreate,
    principal: Principal = Depends(require(P.ACCOUNTS_MANAGE)),
    scope: Scope = Depends(scoped(P.ACCOUNTS_MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> TenantRead:
    """Add a sub-platform or window below the caller's tenant."""
    return create_tenant(ctx, body, actor=principal.name, scope=scope)


@router.get("/api/v1/accounts/users", response_model=list[AccountRead])
def get_users(scope: Scope = Depends(scoped(P.ACCOUNTS_READ)), ctx: Context = Depends(get_ctx)) -> list[AccountRead]:
    """List the accounts at and below the caller's tenant."""
    return list_accounts(ctx, scope=scope)


@router.post("/api/v1/accounts/users", response_model=AccountRead, status_code=201)
def post_user(
    body: AccountCreate,
    principal: Principal = Depends(require(P.ACCOUNTS_MANAGE)),
    scope: Scope = Depends(scoped(P.ACCOUNTS_MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> AccountRead:
    """Create an account at the caller's tenant or below it (the tenant defaults to the caller's)."""
    data = body if body.tenant or body.enterprise_code else body.model_copy(update={"tenant": principal.tenant})
    return create_account(ctx, data, actor=principal.name, scope=scope)


@router.post("/api/v1/accounts/users/{username}/disable", response_model=AccountRead)
def disable_user(
    username: str,
    principal: Principal = Depends(require(P.ACCOUNTS_MANAGE)),
    scope: Scope = Depends(scoped(P.ACCOUNTS_MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> AccountRead:
    """Disable an account: its sessions end and its API keys stop working."""
    return set_active(ctx, username, False, actor=principal.name, scope=scope)


@router.post("/api/v1/accounts/users/{username}/enable", response_model=AccountRead)
def enable_user(
    username: str,
    principal: Principal = Depends(require(P.ACCOUNTS_MANAGE)),
    scope: Scope = Depends(scoped(P.ACCOUNTS_MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> AccountRead:
    """Enable a disabled account."""
    return set_active(ctx, username, True, actor=principal.name, scope=scope)


# --- API keys -------------------------------------------------------------------------------------------


@router.get("/api/v1/accounts/api-keys", response_model=list[ApiKeyRead])
def get_api_keys(
    request: Request,
    every: bool = Query(False, alias="all", description="Keys of every account in your tenant (accounts.read)."),
    principal: Principal = Depends(require(P.APIKEYS_OWN)),
    ctx: Context = Depends(get_ctx),
) -> list[ApiKeyRead]:
    """List the caller's API keys (without secrets), or with all=true every key in the caller's tenant."""
    if every:
        return list_api_keys(ctx, scope=_admin_scope(request, principal, P.ACCOUNTS_READ))
    return list_api_keys(ctx, owner_id=principal.user_id)


@router.post("/api/v1/accounts/api-keys", response_model=ApiKeyIssued, status_code=201)
def post_api_key(
    body: ApiKeyCreate,
    request: Request,
    principal: Principal = Depends(require(P.APIKEYS_OWN)),
    ctx: Context = Depends(get_ctx),
) -> ApiKeyIssued:
    """Issue an API key for the caller (or, administrators, for another account); the key is shown only here."""
    identity = authenticate(request)
    own = body.username is None or body.username.strip().lower() == identity.username
    if own:
        return create_api_key(
            ctx,
            username=identity.username,
            label=body.label,
            scopes=body.scopes,
            days=body.days,
            actor=principal.name,
            ceiling=identity.permissions,
        )
    scope = _admin_scope(request, principal, P.ACCOUNTS_MANAGE)
    return create_api_key(
        ctx,
        username=body.username or "",
        label=body.label,
        scopes=body.scopes,
        days=body.days,
        actor=principal.name,
        scope=scope,
    )


@router.post("/api/v1/accounts/api-keys/{key_id}/revoke", response_model=ApiKeyRead)
def post_revoke_api_key(
    key_id: int,
    request: Request,
    principal: Principal = Depends(require(P.APIKEYS_OWN)),
    ctx: Context = Depends(get_ctx),
) -> ApiKeyRead:
    """Revoke one of the caller's API keys (administrators: any key in their tenant)."""
    identity = authenticate(request)
    if identity.may(P.ACCOUNTS_MANAGE):
        return revoke_api_key(ctx, key_id, actor=principal.name, scope=identity.scope_for(P.ACCOUNTS_MANAGE))
    return revoke_api_key(ctx, key_id, actor=principal.name, owner_id=principal.user_id)


# --- delegations ----------------------------------------------------------------------------------------


@router.get("/api/v1/accounts/delegations", response_model=list[DelegationRead])
def get_delegations(
    scope: Scope = Depends(scoped(P.DELEGATIONS_READ)), ctx: Context = Depends(get_ctx)
) -> list[DelegationRead]:
    """List the mandates the caller grants or holds (officers: those of their tenant)."""
    return list_delegations(ctx, scope=scope)


@router.post("/api/v1/accounts/delegations", response_model=DelegationRead, status_code=201)
def post_delegation(
    body: DelegationCreate,
    principal: Principal = Depends(require(P.DELEGATIONS_MANAGE)),
    scope: Scope = Depends(scoped(P.DELEGATIONS_MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> DelegationRead:
    """Delegate to a declaring agent in the name of the caller's enterprise (administrators name the grantor)."""
    grantor = principal.enterprise_code or body.grantor_code
    if grantor is None or (principal.enterprise_code and body.grantor_code not in (None, principal.enterprise_code)):
        raise OutOfScope(
            "name the delegating enterprise",
            problems=[
                Problem(
                    "ACC-GRANTOR",
                    "grantor_code",
                    "只能以本企业名义委托 / an enterprise delegates only in its own name",
                    "Leave grantor_code out (enterprises) or give it (zone administrators).",
                )
            ],
        )
    return grant_delegation(ctx, body, grantor_code=grantor, actor=principal.name, scope=scope)


@router.post("/api/v1/accounts/delegations/{delegation_id}/revoke", response_model=DelegationRead)
def post_revoke_delegation(
    delegation_id: int,
    body: DelegationRevoke,
    principal: Principal = Depends(require(P.DELEGATIONS_MANAGE)),
    scope: Scope = Depends(scoped(P.DELEGATIONS_MANAGE)),
    ctx: Context = Depends(get_ctx),
) -> DelegationRead:
    """End a mandate the caller's enterprise granted (administrators: any in their tenant)."""
    return revoke_delegation(ctx, delegation_id, reason=body.reason, actor=principal.name, scope=scope)


def _admin_scope(request: Request, principal: Principal, permission: Permission) -> Scope:
    identity = authenticate(request)
    if not identity.may(permission):
        raise OutOfScope(
            f"permission needed: {permission}",
            problems=[
                Problem(
                    "AUTH-PERMISSION",
                    "permission",
                    f"{principal.name} ({principal.role}) 无权执行此操作 / lacks {permission}",
                    "Ask a zone administrator.",
                )
            ],
        )
    return identity.scope_for(permission)
