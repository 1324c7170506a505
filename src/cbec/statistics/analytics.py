"""Embedded analytics over snapshots of the trade facts (大数据分析): DuckDB on Parquet, one SQL for any engine.

The rollups answer the dashboard and the API; the heavy questions — a monthly cube over hundreds of millions of
goods lines, ad-hoc cuts the rollups do not keep — run here, away from the database that takes intake:

1. ``take_snapshot`` streams the non-personal columns of ``trade_fact`` (no subject keys, no names: what the
   rollups read, plus the line's country and HS chapter) into one Parquet file with a manifest (row count, last
   fact id, SHA-256 of the file, when). A snapshot is immutable; the next one goes to a new folder.
2. ``monthly_cube`` runs ``CUBE_SQL`` over a snapshot in DuckDB (in-process, every core): per release month,
   tenant, direction, mode, country and HS chapter, the inventories with a line in the cell, the lines and the
   value in integer fen — the same cells and the same counting as the goods rollup (cbec.statistics.rollup), so
   a test holds them equal.

``CUBE_SQL`` reads one relation named ``facts`` and uses nothing but ``SELECT … WHERE … GROUP BY … ORDER BY``,
``COUNT(*)`` and ``SUM`` (inventories are counted by grouping twice, which both engines run in parallel, rather than
by ``COUNT(DISTINCT)``, which is slow with millions of cells): the same text runs unchanged on ClickHouse (the engine
docs/scaling.md names for a national big-data centre), which a test checks in-process with chDB where installed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from cbec.common.errors import Problem
from cbec.common.money import fen_int
from cbec.facts import RELEASED_STATUSES, TradeFact
from cbec.statistics.errors import SnapshotInvalid
from cbec.storage.context import Context

FORMAT = "cbec-facts-snapshot/1"
DATA_FILE = "facts.parquet"
MANIFEST = "snapshot.json"
_RELEASED = frozenset(s.value for s in RELEASED_STATUSES)
NULL = r"\N"  # the staged CSV's null (an empty text is a value: the tenant of an enterprise with none)

# (name, DuckDB type): the snapshot's columns, all non-personal.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("direction", "VARCHAR"),
    ("mode", "VARCHAR"),
    ("eport_no", "VARCHAR"),
    ("inventory", "BIGINT"),  # the inventory's id × 2, + 1 for an export: a number to group by, faster than text
    ("line_no", "INTEGER"),
    ("tenant", "VARCHAR"),
    ("platform_code", "VARCHAR"),
    ("ecommerce_code", "VARCHAR"),
    ("country", "VARCHAR"),  # origin of an import line, destination of an export line
    ("hs_chapter", "VARCHAR"),
    ("declared_on", "DATE"),
    ("released_on", "DATE"),
    ("release_month", "VARCHAR"),  # YYYY-MM of released_on, '' when not released
    ("released", "INTEGER"),  # 1: counts as released (released, returned, closed)
    ("value_fen", "BIGINT"),  # value_cny in integer fen (0 without a customs rate)
    ("status", "VARCHAR"),
)

CUBE_SQL = """
SELECT month, tenant, direction, mode, country, hs_chapter,
       COUNT(*) AS inventories, CAST(SUM(lines) AS BIGINT) AS lines, CAST(SUM(value_fen) AS BIGINT) AS value_fen
FROM (
    SELECT release_month AS month, tenant, direction, mode, country, hs_chapter, inventory,
           COUNT(*) AS lines, SUM(value_fen) AS value_fen
    FROM facts
    WHERE released = 1
    GROUP BY release_month, tenant, direction, mode, country, hs_chapter, inventory
) AS per_inventory
GROUP BY month, tenant, direction, mode, country, hs_chapter
ORDER BY month, tenant, direction, mode, country, hs_chapter
"""
CUBE_COLUMNS = ("month", "tenant", "direction", "mode", "country", "hs_chapter", "inventories", "lines", "value_fen")

Progress = Callable[[int, int], None]  # (facts written, facts in all)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A snapshot's manifest."""

    format: str
    facts: int
    last_fact_id: int
    sha256: str
    taken_at: str
    columns: list[str]

    def as_dict(self) -> dict[str, Any]:
        """Return the manifest as written."""
        return asdict(self)


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise SnapshotInvalid(
            "DuckDB is not installed",
            problems=[Problem("STAT-SNAPSHOT-ENGINE", "engine", "未安装 DuckDB / DuckDB is missing",
                               "pip install duckdb (a dependency of cbec)")],
        ) from exc  # fmt: skip
    return duckdb


def _rows(ctx: Context, batch: int) -> Iterator[tuple[int, list[Any]]]:
    columns = (
        TradeFact.id,
        TradeFact.direction,
        TradeFact.mode,
        TradeFact.eport_no,
        TradeFact.document_id,
        TradeFact.line_no,
        TradeFact.tenant,
        TradeFact.platform_code,
        TradeFact.ecommerce_code,
        TradeFact.origin_country,
        TradeFact.destination_country,
        TradeFact.hs_code,
        TradeFact.declared_on,
        TradeFact.released_on,
        TradeFact.value_cny,
        TradeFact.status,
    )
    with ctx.uow() as uow:
        stmt = select(*columns).order_by(TradeFact.id).execution_options(yield_per=batch)
        for (ident, direction, mode, eport, document, line, tenant, platform, ecommerce, origin, destination, hs_code,
             declared_on, released_on, cny, status) in uow.session.execute(stmt):  # fmt: skip
            released = int(status in _RELEASED and released_on is not None)
            yield ident, [
                direction, mode, eport, document * 2 + (direction == "E"), line, tenant or "", platform, ecommerce,
                origin if direction == "I" else destination, hs_code[:2], declared_on, released_on or NULL,
                f"{released_on:%Y-%m}" if released else "", released, fen_int(cny) if cny is not None else 0, status,
            ]  # fmt: skip


def take_snapshot(ctx: Context, folder: Path, *, clock: Callable[[], datetime], progress: Progress | None = None,
                  batch: int = 50_000) -> Snapshot:  # fmt: skip
    """Write the trade facts' non-personal columns to ``folder/facts.parquet`` with its manifest; return it.

    ``folder`` must not hold a snapshot already (``STAT-SNAPSHOT-EXISTS``): a snapshot is never overwritten.
    """
    if (folder / MANIFEST).exists() or (folder / DATA_FILE).exists():
        raise SnapshotInvalid(
            "snapshot exists",
            problems=[Problem("STAT-SNAPSHOT-EXISTS", "out", f"目录已有快照 / {folder} holds a snapshot already",
                               "Give a new folder: a snapshot is immutable.")],
        )  # fmt: skip
    duckdb = _duckdb()
    folder.mkdir(parents=True, exist_ok=True)
    with ctx.uow() as uow:
        total = int(uow.session.scalar(select(func.count()).select_from(TradeFact)) or 0)
    written = last = 0
    with tempfile.TemporaryDirectory(dir=folder) as work:
        staged = Path(work) / "facts.csv"
        with staged.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            for ident, row in _rows(ctx, batch):
                writer.writerow(row)
                written, last = written + 1, ident
                if progress is not None and written % batch == 0:
                    progress(written, total)
        types = ", ".join(f"'{name}': '{kind}'" for name, kind in COLUMNS)
        target = folder / DATA_FILE
        connection = duckdb.connect()
        try:
            connection.execute(
                f"COPY (SELECT * FROM read_csv('{_quoted(staged)}', header = false, columns = {{{types}}}, "
                f"nullstr = '{NULL}')) TO '{_quoted(target)}' (FORMAT parquet, COMPRESSION zstd)"
            )
        finally:
            connection.close()
    if progress is not None:
        progress(written, total)
    digest = file_sha256(target)
    snapshot = Snapshot(FORMAT, written, last, digest, clock().isoformat(), [name for name, _ in COLUMNS])
    (folder / MANIFEST).write_text(json.dumps(snapshot.as_dict(), ensure_ascii=False, indent=1) + "\n", "utf-8")
    return snapshot


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file, read in blocks (a snapshot runs to gigabytes)."""
    with path.open("rb") as data:
        return hashlib.file_digest(data, "sha256").hexdigest()


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def read_snapshot(folder: Path, *, verify: bool = True) -> Snapshot:
    """Return a snapshot's manifest, its file checked against the SHA-256 it names (``STAT-SNAPSHOT-DIGEST``)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
        snapshot = Snapshot(**manifest)
    except (OSError, ValueError, TypeError) as exc:
        raise SnapshotInvalid(
            "no snapshot",
            problems=[Problem("STAT-SNAPSHOT-MISSING", "snapshot", f"不是快照目录 / {folder} holds no snapshot",
                               "Take one with `cbec stats snapshot --out DIR`.")],
        ) from exc  # fmt: skip
    if snapshot.format != FORMAT:
        raise SnapshotInvalid(
            "unknown snapshot format",
            problems=[Problem("STAT-SNAPSHOT-FORMAT", "format", f"快照格式未知 / format {snapshot.format!r}",
                               f"This version reads {FORMAT}.")],
        )  # fmt: skip
    if verify and file_sha256(folder / DATA_FILE) != snapshot.sha256:
        raise SnapshotInvalid(
            "snapshot altered",
            problems=[Problem("STAT-SNAPSHOT-DIGEST", DATA_FILE, "快照文件与清单摘要不符 / the file is not the one "
                               "the manifest names", "Take a new snapshot; do not edit one.")],
        )  # fmt: skip
    return snapshot


def run_sql(parquet: Path, sql: str, *, threads: int | None = None) -> list[tuple[Any, ...]]:
    """Run ``sql`` in DuckDB with ``facts`` the Parquet file(s) (a path or a glob); return the rows."""
    duckdb = _duckdb()
    connection = duckdb.connect()
    try:
        if threads is not None:
            connection.execute(f"SET threads = {int(threads)}")
        connection.execute(f"CREATE VIEW facts AS SELECT * FROM read_parquet('{_quoted(parquet)}')")
        return [tuple(row) for row in connection.execute(sql).fetchall()]
    finally:
        connection.close()


def write_cube(folder: Path, target: Path, *, verify: bool = True, threads: int | None = None) -> int:
    """Write the monthly cube of a snapshot to ``target`` (``.parquet``, else CSV with a header) inside DuckDB,
    without bringing the cells into Python; return the number of cells."""
    read_snapshot(folder, verify=verify)
    duckdb = _duckdb()
    parquet = target.suffix == ".parquet"
    kind = "(FORMAT parquet, COMPRESSION zstd)" if parquet else "(FORMAT csv, HEADER true)"
    connection = duckdb.connect()
    try:
        if threads is not None:
            connection.execute(f"SET threads = {int(threads)}")
        connection.execute(f"CREATE VIEW facts AS SELECT * FROM read_parquet('{_quoted(folder / DATA_FILE)}')")
        connection.execute(f"COPY ({CUBE_SQL}) TO '{_quoted(target)}' {kind}")
        reader = "read_parquet" if parquet else "read_csv"
        count = connection.execute(f"SELECT COUNT(*) FROM {reader}('{_quoted(target)}')").fetchone()
    finally:
        connection.close()
    return int(count[0]) if count else 0


def monthly_cube(folder: Path, *, verify: bool = True) -> list[dict[str, Any]]:
    """Return the monthly cube of a snapshot (``CUBE_SQL`` in DuckDB), one dict per cell."""
    read_snapshot(folder, verify=verify)
    return [dict(zip(CUBE_COLUMNS, row, strict=True)) for row in run_sql(folder / DATA_FILE, CUBE_SQL)]
