"""Who the operator's CLI acts as in maker-checker steps (双人复核): a real account, never a free name.

``--as USERNAME`` names an active account of the hub holding the step's permission; without it, the API key in
``CBEC_API_KEY`` identifies its holder (as the REST API would). The actor recorded is the account's name (an API
key's: ``username:key prefix``, as over REST) and maker-checker compares the **account** id, so a proposal made on
the CLI cannot be approved by the same account over REST or the console, nor the other way round.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import typer

from cbec.accounts import ROOT_TENANT, permissions_for
from cbec.accounts.service import identify_api_key, list_accounts
from cbec.common.errors import DomainError
from cbec.storage.context import Context

AS = typer.Option(
    None,
    "--as",
    help="The account that acts (maker-checker compares accounts); default: the holder of CBEC_API_KEY.",
)
API_KEY_ENV = "CBEC_API_KEY"


@dataclass(frozen=True, slots=True)
class Operator:
    """The account a CLI step acts as: the name recorded and the account maker-checker compares."""

    name: str
    account: int


def _refuse(message: str) -> typer.BadParameter:
    return typer.BadParameter(message, param_hint="--as")


def operator(ctx: Context, username: str | None, permission: str) -> Operator:
    """Return the account a maker-checker step acts as, or refuse (no account, inactive, not the hub's, or without
    the permission)."""
    if username:
        found = next((a for a in list_accounts(ctx) if a.username == username), None)
        if found is None or not found.active:
            raise _refuse(f"no active account {username!r}")
        granted = {p.value for p in permissions_for(found.role, found.agency)}
        if found.tenant != ROOT_TENANT or permission not in granted:
            raise _refuse(f"{username} is not an account of the hub with {permission}")
        return Operator(found.username, found.id)
    key = os.environ.get(API_KEY_ENV, "").strip()
    if not key:
        raise _refuse(f"name the account that acts: --as USERNAME, or set {API_KEY_ENV} to its API key")
    try:
        identity = identify_api_key(ctx, key)
    except DomainError as exc:
        raise _refuse(f"{API_KEY_ENV}: {exc.message}") from exc
    if identity.account_id is None or identity.tenant != ROOT_TENANT or permission not in identity.permissions:
        raise _refuse(f"the holder of {API_KEY_ENV} is not an account of the hub with {permission}")
    return Operator(identity.name, identity.account_id)


AS_OR_ACTOR = typer.Option(
    None,
    "--as",
    help="The account that acts (maker-checker compares accounts); default: the holder of CBEC_API_KEY, else "
    "--actor alone (which cannot approve what an account proposed).",
)


def acting(ctx: Context, username: str | None, actor: str, permission: str) -> tuple[str, int | None]:
    """Return (name, account) of a step that may still act alone: an account when one is named (``--as``) or
    ``CBEC_API_KEY`` is set, else the free ``--actor`` with no account."""
    if username or os.environ.get(API_KEY_ENV, "").strip():
        found = operator(ctx, username, permission)
        return found.name, found.account
    return actor, None
