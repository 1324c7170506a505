"""Web sign-in (网页登录): password check with throttling, sessions and sign-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cbec.accounts import repository as repo
from cbec.accounts.errors import CredentialsRefused, LoginThrottled
from cbec.accounts.identity import Identity
from cbec.accounts.models import LoginFailure, WebSession
from cbec.accounts.passwords import digest, hash_password, needs_rehash, new_token, verify_password
from cbec.accounts.service.identities import identity_of
from cbec.audit import record_audit
from cbec.common.errors import Problem
from cbec.storage.context import Context

FAILURE_MEMORY = timedelta(days=1)  # failed sign-ins older than this are deleted
CLIENT_FAILURE_FACTOR = 4  # a client (IP address) may fail this many times more often than one username


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new web session: the cookie token and CSRF token (shown once) and who signed in."""

    token: str
    csrf_token: str
    expires_at: datetime
    identity: Identity


def sign_in(ctx: Context, username: str, password: str, *, client: str) -> SignedIn:
    """Check a username and password and open a web session; failures are counted and slow guessing down."""
    name = username.strip().lower()[:64]
    client = (client or "unknown")[:100]
    settings = ctx.settings
    now = ctx.clock.now()
    window = timedelta(minutes=settings.login_window_minutes)
    with ctx.uow() as uow:
        session = uow.session
        repo.forget_failures(session, before=now - FAILURE_MEMORY)
        by_user, by_client, oldest = repo.failures_since(session, username=name, client=client, since=now - window)
        if by_user >= settings.login_max_failures or by_client >= settings.login_max_failures * CLIENT_FAILURE_FACTOR:
            wait = int(((oldest or now) + window - now).total_seconds()) + 1
            uow.commit()
            raise LoginThrottled(
                "too many failed sign-ins; wait and try again",
                problems=[
                    Problem(
                        "ACC-THROTTLED",
                        "username",
                        f"登录失败次数过多，请{max(wait, 1)}秒后再试 / too many failed sign-ins",
                        f"Wait {max(wait, 1)} seconds; ask a zone administrator if you forgot your password.",
                    )
                ],
                retry_after=max(wait, 1),
            )
        account = repo.account_by_username(session, name)
        usable = account is not None and account.active
        if not verify_password(account.password_hash if usable and account is not None else None, password):
            session.add(LoginFailure(username=name, client=client, at=now))
            uow.commit()
            raise CredentialsRefused("用户名或密码错误 / wrong username or password")
        assert account is not None and account.password_hash is not None
        if needs_rehash(account.password_hash):
            account.password_hash = hash_password(password)
        repo.forget_failures(session, username=name)
        token, csrf = new_token(), new_token()
        expires_at = now + timedelta(hours=settings.session_hours)
        session.add(
            WebSession(
                token_hash=digest(token),
                account_id=account.id,
                csrf_token=csrf,
                client=client,
                created_at=now,
                expires_at=expires_at,
            )
        )
        account.last_login_at = now
        record_audit(
            session,
            at=now,
            actor=account.username,
            action="accounts.session.started",
            entity_type="account",
            entity_key=account.username,
            after={"client": client, "expires_at": expires_at.astimezone(UTC).isoformat()},
        )
        identity = identity_of(session, account, now=now, name=account.username, via="session", csrf_token=csrf)
        uow.commit()
        return SignedIn(token=token, csrf_token=csrf, expires_at=expires_at, identity=identity)


def identify_session(ctx: Context, token: str) -> Identity:
    """Return who holds a web session token; refuse unknown, ended and expired sessions."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        row = repo.session_by_hash(uow.session, digest(token))
        if row is None or row.ended_at is not None or row.expires_at <= now:
            raise CredentialsRefused("会话已失效，请重新登录 / the session has ended; sign in again")
        account = repo.account_by_id(uow.session, row.account_id)
        if account is None or not account.active:
            raise CredentialsRefused("the account is disabled")
        return identity_of(
            uow.session, account, now=now, name=account.username, via="session", csrf_token=row.csrf_token
        )


def sign_out(ctx: Context, token: str) -> bool:
    """End a web session; tell whether there was one to end."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        row = repo.session_by_hash(uow.session, digest(token))
        if row is None or row.ended_at is not None:
            return False
        row.ended_at = now
        account = repo.account_by_id(uow.session, row.account_id)
        username = account.username if account is not None else str(row.account_id)
        record_audit(
            uow.session,
            at=now,
            actor=username,
            action="accounts.session.ended",
            entity_type="account",
            entity_key=username,
        )
        uow.commit()
        return True
