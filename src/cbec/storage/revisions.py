"""Revision tokens (数据版本) of slowly changing data, and the in-process caches keyed by them.

Filings, certificates and reference tables change a few times a day and are read by every message. A process
keeps what it read in memory under the data's *revision token*: a row of ``data_revision`` that the database
itself gives a new random value in every transaction that writes the data (triggers made by the migration
``perf01``, so writes by any means count, SQL typed by hand included). A reader takes the tokens once per
transaction (one statement) and finds its cached answers under them; a commit that changes the data changes the
token in the same transaction, so no reader can see the new token with the old data, and a transaction that
rolls back leaves the token as it was.

While no write has ever given a kind of data a token, nothing of it is cached. A transaction that writes the
data itself (its ORM flush names a watched model) reads it from the database until it ends: its own token
changes only as it commits (PostgreSQL's triggers are deferred to the commit). The flush is watched by
``note_writes``, which ``storage.engine.make_session_factory`` installs on the factory it makes (not on every
``Session`` of the process).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from itertools import chain
from typing import Any, Generic, TypeVar

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from cbec.storage.base import Base

V = TypeVar("V")
_MEMO = "cbec.revisions"
_WRITTEN = "cbec.revisions.written"
_WATCHED: dict[type[Any], str] = {}


class DataRevision(Base):
    """The current token of one kind of data (e.g. ``filing``); changed by triggers on every write to it."""

    __tablename__ = "data_revision"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(40))


def per_transaction(session: Session, key: str, compute: Callable[[], V]) -> V:
    """Return ``compute()``, computed once per transaction of the session (kept in ``session.info``)."""
    memo: dict[str, tuple[Any, Any]] = session.info.setdefault(_MEMO, {})
    held = memo.get(key)
    if held is not None and held[0] is session.get_transaction() and held[0] is not None:
        return held[1]
    value = compute()
    memo[key] = (session.get_transaction(), value)
    return value


def database_of(session: Session) -> str:
    """Return the name of the session's database (its URL without password), once per transaction."""
    return per_transaction(
        session, "database", lambda: session.get_bind().engine.url.render_as_string(hide_password=True)
    )


def tokens(session: Session) -> dict[str, str]:
    """Return the revision tokens of ``data_revision``, read once per transaction (one statement)."""

    def read() -> dict[str, str]:
        return {name: token for name, token in session.execute(select(DataRevision.name, DataRevision.token))}

    return per_transaction(session, "tokens", read)


def watch(model: type[Any], revision: str) -> None:
    """Treat a flush that adds, changes or deletes rows of the model as a write of the revision's data."""
    _WATCHED[model] = revision


def watched() -> dict[str, str]:
    """Return the tables of the watched models, each with the revision its writes change."""
    return {model.__tablename__: revision for model, revision in _WATCHED.items()}


def mark_written(session: Session, revisions: Iterable[str]) -> None:
    """Note that the session's transaction wrote these kinds of data: its caches step aside until it ends."""
    transaction = session.get_transaction()
    held = session.info.get(_WRITTEN)
    names = set(held[1]) if held is not None and held[0] is transaction else set()
    names.update(revisions)
    session.info[_WRITTEN] = (transaction, frozenset(names))


def written(session: Session) -> frozenset[str]:
    """Return the kinds of data the session's current transaction has written."""
    held = session.info.get(_WRITTEN)
    if held is None or held[0] is not session.get_transaction():
        return frozenset()
    return held[1]


def note_writes(session: Session, _context: Any, _instances: Any) -> None:
    """Mark the revisions of the watched models a flush writes (installed on the factory by ``storage.engine``)."""
    if not _WATCHED:
        return
    names = {
        name
        for obj in chain(session.new, session.dirty, session.deleted)
        if (name := _WATCHED.get(type(obj))) is not None
    }
    if names:
        mark_written(session, names)


class RevisionCache(Generic[V]):
    """Answers read from the database, kept per (database, revision token, key) in a bounded LRU map.

    The token is the revision's row in ``data_revision``, read once per transaction. Values must be immutable:
    the same object is handed to every caller.
    """

    def __init__(self, revision: str, *, limit: int = 4096) -> None:
        self.revision = revision
        self.limit = limit
        self._entries: OrderedDict[tuple[str, str, Hashable], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, session: Session, key: Hashable, load: Callable[[], V], *, valid: Callable[[V], bool] | None = None
    ) -> V:
        """Return the cached answer for the key under the current token, loading it on a miss.

        ``valid`` tells whether a cached answer still holds (for answers that also expire with time); one that
        does not is loaded again. A load that raises caches nothing.
        """
        if self.revision in written(session):
            return load()
        token = tokens(session).get(self.revision)
        if token is None:
            return load()
        full = (database_of(session), token, key)
        with self._lock:
            if full in self._entries:
                held = self._entries[full]
                if valid is None or valid(held):
                    self._entries.move_to_end(full)
                    return held
        value = load()
        with self._lock:
            self._entries[full] = value
            while len(self._entries) > self.limit:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Drop every cached answer."""
        with self._lock:
            self._entries.clear()
