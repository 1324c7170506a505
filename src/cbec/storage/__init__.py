"""Storage kernel: engine, declarative base, portable types, unit of work."""

from cbec.storage.base import Base
from cbec.storage.uow import UnitOfWork

__all__ = ["Base", "UnitOfWork"]
