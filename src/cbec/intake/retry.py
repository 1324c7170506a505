"""Running a message's transaction again (重试) when the database broke a lock cycle or its lock set changed."""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
ATTEMPTS = 8
DIGEST_CONSTRAINT = "uq_ceb_message_sha256"


class KeysChanged(Exception):
    """The rows a message needs changed between locking its keys and reading them: run the transaction again."""


def transient(exc: BaseException) -> bool:
    """Tell whether a failed transaction may simply be run again.

    A deadlock or serialization failure, a changed lock set, or the same message committed meanwhile by a
    concurrent transaction (its digest is unique: run again, this one finds it and replays its receipts).
    """
    if isinstance(exc, KeysChanged):
        return True
    if isinstance(exc, IntegrityError) and duplicate_digest(exc):
        return True
    # SQLSTATE 40P01 deadlock_detected and 40001 serialization_failure (standard codes, any driver that has them).
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in {"40P01", "40001"}


def duplicate_digest(exc: IntegrityError) -> bool:
    """Tell whether a unique violation is the message log's digest (PostgreSQL names it; SQLite says it)."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return bool(diag.constraint_name == DIGEST_CONSTRAINT)
    return "ceb_message.sha256" in str(exc.orig)


def retried(use_case: Callable[P, R]) -> Callable[P, R]:
    """Run a use case again when its transaction failed transiently (it was rolled back as a whole).

    The use case must be a pure function of its arguments and the stored state, as message intake is.
    """

    @functools.wraps(use_case)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return use_case(*args, **kwargs)
            except (DBAPIError, KeysChanged) as exc:
                if attempt == ATTEMPTS or not transient(exc):
                    raise
                log.info("message transaction run again (attempt %d): %s", attempt + 1, type(exc).__name__)
                time.sleep(random.uniform(0, 0.01 * attempt))
        raise AssertionError("unreachable")

    return run
