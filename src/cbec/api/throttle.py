"""Rate-limit dependencies of the API (访问频率限制): the quota look-up, per account and per client address."""

from __future__ import annotations

from fastapi import Depends, Request

from cbec.accounts import Permission
from cbec.api.errors import RateLimited
from cbec.api.security import Principal, client_of, require
from cbec.web.ratelimit import check_keys, limits_of


def quota_rate_limit(request: Request, principal: Principal = Depends(require(Permission.QUOTA_QUERY))) -> None:
    """Count a quota look-up against the caller's account and address; 429 with Retry-After past the limit."""
    limits = limits_of(request.app)
    account = f"account:{principal.user_id}" if principal.user_id is not None else f"name:{principal.name}"
    wait = check_keys(limits.quota_api, [f"ip:{client_of(request)}", account])
    if wait:
        raise RateLimited(wait)
