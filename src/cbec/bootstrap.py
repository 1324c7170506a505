"""Composition root: builds the engine, clock, cipher and context from settings."""

from __future__ import annotations

import base64
import importlib
import os
from pathlib import Path

from sqlalchemy import MetaData

from cbec.common.clock import Clock, FixedClock, SystemClock
from cbec.common.personal import PersonalDataCipher
from cbec.config import Settings, get_settings
from cbec.storage.base import Base
from cbec.storage.context import Context
from cbec.storage.engine import make_engine, make_session_factory

# Every package that owns tables; importing them registers the tables on Base.metadata.
MODEL_MODULES = (
    "cbec.audit.models",
    "cbec.reference.models",
    "cbec.enterprises.models",
    "cbec.products.models",
    "cbec.quota.models",
    "cbec.clearance.models",
)


def all_metadata() -> MetaData:
    """Import every model module and return the shared metadata."""
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return Base.metadata


def load_data_key(settings: Settings) -> bytes:
    """Return the personal-data key from settings, or from a local key file made on first use."""
    if settings.data_key:
        key = base64.b64decode(settings.data_key)
    else:
        path = Path(settings.data_dir) / "personal-data.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(base64.b64encode(os.urandom(32)))
        key = base64.b64decode(path.read_bytes())
    if len(key) != 32:
        raise ValueError("CBEC_DATA_KEY must be 32 bytes, base64-encoded")
    return key


def make_clock(settings: Settings) -> Clock:
    """Return a fixed clock when CBEC_NOW is set, else the system clock."""
    return FixedClock(settings.now) if settings.now else SystemClock()


def build_context(settings: Settings | None = None, *, clock: Clock | None = None) -> Context:
    """Build the context every use case runs in."""
    settings = settings or get_settings()
    url = settings.resolved_database_url()
    if url.startswith("sqlite"):
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    all_metadata()
    engine = make_engine(url)
    return Context(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock or make_clock(settings),
        cipher=PersonalDataCipher(load_data_key(settings)),
    )
