"""Unit of work (工作单元): one use case, one transaction."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from cbec.storage.commit import finish, forget


class UnitOfWork:
    """Opens a session for one use case; only ``commit`` makes its writes durable.

    Leaving the ``with`` block without ``commit`` rolls back, so a failed use case writes nothing. ``commit`` first
    runs the transaction's commit steps (``cbec.storage.commit``: journal rows sealed, numbers written back), in the
    open, then commits.
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """Return the open session."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._factory()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._session is not None
        try:
            forget(self._session)
            self._session.rollback()
        finally:
            self._session.close()
            self._session = None

    def commit(self) -> None:
        """Run the transaction's commit steps, then commit it."""
        finish(self.session)
        self.session.commit()

    def rollback(self) -> None:
        """Roll the transaction back; its pending commit steps are dropped."""
        forget(self.session)
        self.session.rollback()
