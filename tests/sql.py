"""SQL seen by the engine during a block, for tests that count or look for statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from cbec.storage.context import Context


@contextmanager
def statements(ctx: Context) -> Iterator[list[str]]:
    """Yield the list of SQL statements the context's engine executes inside the block (filled as they run)."""
    seen: list[str] = []

    def note(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(ctx.engine, "before_cursor_execute", note)
