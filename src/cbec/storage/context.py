"""What a use case needs from the outside world, built once by bootstrap."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cbec.common.clock import Clock
from cbec.common.personal import PersonalDataCipher
from cbec.config import Settings
from cbec.storage.uow import UnitOfWork


@dataclass(slots=True)
class Context:
    """Engine, session factory, clock and personal-data cipher shared by every use case."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock
    cipher: PersonalDataCipher

    def uow(self) -> UnitOfWork:
        """Open a new unit of work (one use case = one transaction)."""
        return UnitOfWork(self.session_factory)
