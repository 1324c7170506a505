"""Process state of one CLI invocation: the global options and the lazily built context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cbec.storage.context import Context


@dataclass
class CliState:
    """Global CLI options and the context built from them."""

    now: datetime | None = None
    _ctx: Context | None = None

    def context(self) -> Context:
        """Return the context, building it on first use (honours --now)."""
        if self._ctx is None:
            from cbec.bootstrap import build_context
            from cbec.config import Settings

            settings = Settings()
            if self.now is not None:
                settings = settings.model_copy(update={"now": self.now})
            self._ctx = build_context(settings)
        return self._ctx


state = CliState()
