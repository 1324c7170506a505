"""A columnar snapshot of stored decisions' inputs (决策输入快照) and the vectorised backtest over it.

``take_snapshot`` (``cbec risk snapshot --out DIR``) writes, for every stored decision, what a backtest reads and
nothing personal (no subject keys, no document numbers): ``id``, ``decided_at`` (µs since the epoch, UTC),
``business_day``, ``outcome`` (the review's label, where the column exists), the live band of each typology of the
vocabulary (``live_<typology>``: 0 none … 3 reject) and every input any stored or shipped ruleset version reads, as
``DOUBLE`` (NULL where the trace held none). One Parquet part file per export (zstd) and a manifest ``snapshot.json``
with per part the count, first and last id, SHA-256 and the inputs the part's first trace holds. A snapshot is
never overwritten: the next export into the same folder appends a part with the decisions after the last id.

``scan_snapshot`` scores the parts with the numpy-compiled candidate (``cbec.risk.versions.vector``): DuckDB reads
only the candidate's input columns and the live bands, in id ranges (row groups are skipped by their id
statistics), each worker process over its own part of the id range with one DuckDB thread. It counts exactly what
the row-by-row scan of ``cbec.risk.versions.backtest`` counts, so the report is the same (tests hold them equal).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select, text

from cbec.risk.errors import invalid
from cbec.risk.models import RiskDecision
from cbec.risk.rules import Typology
from cbec.risk.versions import repository as repo
from cbec.risk.versions.backtest import BAND_NAMES, FALSE_OUTCOMES, TRUE_OUTCOMES, Tally, has_labels
from cbec.risk.versions.service import past_shipped_texts, ruleset_of, shipped_text
from cbec.risk.versions.vector import vectorise
from cbec.storage.context import Context

FORMAT = "cbec-risk-snapshot/1"
MANIFEST = "snapshot.json"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
VOCABULARY = tuple(t.value for t in Typology)
CHUNK = 1_000_000  # ids a worker reads from DuckDB at a time
_RANK = {name: k for k, name in enumerate(BAND_NAMES)}


def micros(moment: datetime) -> int:
    """Return a moment as µs since the epoch (naive moments are UTC, as the database returns them)."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file, read in blocks."""
    with path.open("rb") as data:
        return hashlib.file_digest(data, "sha256").hexdigest()


def _problem(rule_id: str, zh: str, en: str, fix: str) -> Exception:
    return invalid(rule_id, "snapshot", zh, en, fix)


def read_manifest(folder: Path, *, verify: bool = True) -> dict[str, Any]:
    """Return a snapshot's manifest, each part checked against its SHA-256 (``RSK-SNAPSHOT-DIGEST``)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise _problem(
            "RSK-SNAPSHOT-MISSING",
            f"{folder} 不是决策快照目录",
            f"{folder} holds no decision snapshot",
            "Take one with `cbec risk snapshot --out DIR`.",
        ) from exc
    if manifest.get("format") != FORMAT:
        raise _problem(
            "RSK-SNAPSHOT-FORMAT",
            "快照格式未知",
            f"unknown snapshot format {manifest.get('format')!r}",
            f"This version reads {FORMAT}.",
        )
    for part in manifest["parts"] if verify else ():
        if file_sha256(folder / part["file"]) != part["sha256"]:
            raise _problem(
                "RSK-SNAPSHOT-DIGEST",
                f"快照文件 {part['file']} 与清单摘要不符",
                f"{part['file']} is not the file the manifest names",
                "Take a new snapshot; do not edit one.",
            )
    return manifest


def snapshot_inputs(ctx: Context) -> tuple[str, ...]:
    """Return every input a stored or shipped ruleset version reads (the snapshot's input columns)."""
    bodies = [shipped_text(), *past_shipped_texts()]
    with ctx.uow() as uow:
        bodies += [row.body for row in repo.every(uow.session)]
        uow.commit()
    return tuple(sorted({n for body in bodies for rule in ruleset_of(body).rules for n in rule.inputs}))


def _query(last: int, labels: bool, batch: int) -> Any:
    # the inputs and the typologies of each trace as two JSON values (never the rules list, most of a trace's
    # bytes): PostgreSQL's json type parses the text again for every path taken, so two paths, not one per input
    trace = RiskDecision.trace
    columns: list[Any] = [RiskDecision.id, RiskDecision.decided_at, RiskDecision.business_day]
    columns += [trace["inputs"], trace["typologies"]]
    if labels:
        columns.append(text("outcome"))
    return select(*columns).where(RiskDecision.id > last).order_by(RiskDecision.id).limit(batch)


def _query_paths(names: tuple[str, ...], last: int, labels: bool, batch: int) -> Any:
    trace = RiskDecision.trace
    columns: list[Any] = [RiskDecision.id, RiskDecision.decided_at, RiskDecision.business_day]
    columns += [trace[("inputs", name)].as_string() for name in names]
    for k in range(len(VOCABULARY)):
        columns += [trace[("typologies", k, "typology")].as_string(), trace[("typologies", k, "band")].as_string()]
    if labels:
        columns.append(text("outcome"))
    return select(*columns).where(RiskDecision.id > last).order_by(RiskDecision.id).limit(batch)


def _present(ctx: Context, after: int) -> list[str]:
    with ctx.uow() as uow:
        row = uow.session.execute(
            select(RiskDecision.trace["inputs"]).where(RiskDecision.id > after).order_by(RiskDecision.id).limit(1)
        ).first()
        uow.commit()
    return sorted(row[0]) if row is not None and row[0] else []


def _batch_columns(rows: Sequence[Any], names: tuple[str, ...], labels: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": np.array([r[0] for r in rows], dtype=np.int64),
        "decided_at": np.array([micros(r[1]) for r in rows], dtype=np.int64),
        "business_day": np.array([str(r[2]) for r in rows], dtype=object),
        "outcome": np.array([r[5] if labels else None for r in rows], dtype=object),
    }
    bands = np.zeros((len(VOCABULARY), len(rows)), dtype=np.int8)
    slot = {t: k for k, t in enumerate(VOCABULARY)}
    for j, r in enumerate(rows):
        for entry in r[4] or ():
            if entry.get("typology") in slot:
                bands[slot[entry["typology"]], j] = _RANK[entry["band"]]
    for k, t in enumerate(VOCABULARY):
        out[f"live_{t}"] = bands[k]
    values = np.full((len(names), len(rows)), np.nan)
    index = {name: i for i, name in enumerate(names)}
    for j, r in enumerate(rows):
        for name, v in (r[3] or {}).items():
            i = index.get(name)
            if i is not None and v is not None:
                values[i, j] = float(v)
    for i, name in enumerate(names):
        out[name] = values[i]
    return out


def _columns_of_paths(rows: Sequence[Any], names: tuple[str, ...], labels: bool) -> dict[str, Any]:
    width = len(names)
    out: dict[str, Any] = {
        "id": np.array([r[0] for r in rows], dtype=np.int64),
        "decided_at": np.array([micros(r[1]) for r in rows], dtype=np.int64),
        "business_day": np.array([str(r[2]) for r in rows], dtype=object),
        "outcome": np.array([r[3 + width + 2 * len(VOCABULARY)] if labels else None for r in rows], dtype=object),
    }
    bands = np.zeros((len(VOCABULARY), len(rows)), dtype=np.int8)
    slot = {t: k for k, t in enumerate(VOCABULARY)}
    for j, r in enumerate(rows):
        pairs = r[3 + width : 3 + width + 2 * len(VOCABULARY)]
        for k in range(0, len(pairs), 2):
            if pairs[k] is not None and pairs[k] in slot:
                bands[slot[pairs[k]], j] = _RANK[pairs[k + 1]]
    for k, t in enumerate(VOCABULARY):
        out[f"live_{t}"] = bands[k]
    for i, name in enumerate(names):
        out[name] = np.array([float(v) if (v := r[3 + i]) is not None else np.nan for r in rows], dtype=np.float64)
    return out


def take_snapshot(
    ctx: Context, folder: Path, *, batch: int = 20_000, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Write the stored decisions after the folder's last snapshotted id to a new part; return the manifest."""
    import duckdb

    manifest: dict[str, Any] = (
        read_manifest(folder, verify=False)
        if (folder / MANIFEST).exists()
        else {"format": FORMAT, "decisions": 0, "last_id": 0, "labels": has_labels(ctx.engine), "parts": []}
    )
    number = len(manifest["parts"]) + 1
    target = folder / f"part-{number:05d}.parquet"
    if target.exists():
        raise _problem(
            "RSK-SNAPSHOT-EXISTS",
            f"{target.name} 已存在",
            f"{target} exists: a snapshot is never overwritten",
            "Export into a new folder, or leave the folder's files as the manifest names them.",
        )
    folder.mkdir(parents=True, exist_ok=True)
    names = snapshot_inputs(ctx)
    labels = bool(manifest["labels"])
    first_id = last = int(manifest["last_id"])
    present = _present(ctx, last)
    # PostgreSQL (json type): two JSON values a row, parsed in Python; SQLite: json_extract of each input, cheaper
    # there than deserialising the inputs object (55 against 46 CPU s for 1,000,000 decisions)
    whole = ctx.engine.dialect.name == "postgresql"
    written = 0
    with tempfile.TemporaryDirectory(dir=folder) as work:
        connection = duckdb.connect(str(Path(work) / "staged.duckdb"))
        try:
            connection.execute("SET enable_progress_bar = false")
            while True:
                with ctx.engine.connect() as conn:
                    query = _query(last, labels, batch) if whole else _query_paths(names, last, labels, batch)
                    rows = conn.execute(query).all()
                    conn.rollback()
                if not rows:
                    break
                columns = _batch_columns(rows, names, labels) if whole else _columns_of_paths(rows, names, labels)
                connection.register("batch", columns)
                typed = (
                    "SELECT * REPLACE (CAST(business_day AS DATE) AS business_day, "
                    "CAST(outcome AS VARCHAR) AS outcome) FROM batch"
                )
                if written == 0:
                    connection.execute(f"CREATE TABLE staged AS {typed}")
                else:
                    connection.execute(f"INSERT INTO staged BY NAME {typed}")
                connection.unregister("batch")
                first_id = int(rows[0][0]) if written == 0 else first_id
                written, last = written + len(rows), int(rows[-1][0])
                if progress is not None:
                    progress(written)
            if written:
                connection.execute(
                    f"COPY (SELECT * FROM staged ORDER BY id) TO '{_quoted(target)}' (FORMAT parquet, COMPRESSION zstd)"
                )
        finally:
            connection.close()
    if not written:
        return manifest
    manifest["parts"].append(
        {
            "file": target.name,
            "decisions": written,
            "first_id": first_id,
            "last_id": last,
            "sha256": file_sha256(target),
            "taken_at": ctx.clock.now().isoformat(),
            "inputs": list(names),
            "present": present,
        }
    )
    manifest["decisions"] += written
    manifest["last_id"] = last
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return manifest


# --- the vectorised backtest ------------------------------------------------------------------------------------


def tally_arrays(tally: Tally, body: str, columns: dict[str, Any], n: int, outcome: Any) -> None:
    """Add the counts of n stored decisions (inputs and ``live_<typology>`` bands as arrays) to a tally."""
    vector = vectorise(ruleset_of(body))
    _, bands = vector.decide(columns, n)
    candidate_names = [t.value for t in vector.typologies]
    worst_live = np.zeros(n, dtype=np.int8)
    true = np.isin(outcome, list(TRUE_OUTCOMES)) if outcome is not None else None
    known = (true | np.isin(outcome, list(FALSE_OUTCOMES))) if true is not None else None
    for t in VOCABULARY:
        live = columns.get(f"live_{t}")
        if live is None:
            continue
        np.maximum(worst_live, live, out=worst_live)
        alerted = int(np.count_nonzero(live))
        if alerted:
            tally.live[t] += alerted
        if t not in candidate_names:  # a typology the candidate no longer has: every live band becomes none
            for rank, count in enumerate(np.bincount(live, minlength=4).tolist()):
                if rank and count:
                    tally.changes[(t, BAND_NAMES[rank], "none")] += count
    for k, t in enumerate(candidate_names):
        cand = bands[k]
        was = columns.get(f"live_{t}", np.zeros(n, dtype=np.int8))
        alerts = cand > 0
        count = int(np.count_nonzero(alerts))
        if count:
            tally.candidate[t] += count
        if known is not None and true is not None:
            labelled = int(np.count_nonzero(alerts & known))
            if labelled:
                tally.labelled[t] += labelled
                tally.confirmed[t] += int(np.count_nonzero(alerts & true))
        pairs = np.bincount(was.astype(np.int64) * 4 + cand, minlength=16).tolist()
        for code, number in enumerate(pairs):
            if number and code // 4 != code % 4:
                tally.changes[(t, BAND_NAMES[code // 4], BAND_NAMES[code % 4])] += number
    worst_candidate = bands.max(axis=0) if len(candidate_names) else np.zeros(n, dtype=np.int8)
    tally.changed += int(np.count_nonzero(worst_live != worst_candidate))
    tally.decisions += n


def _scan_part(
    folder: str,
    files: list[str],
    columns: list[str],
    body: str,
    lo: int,
    hi: int,
    window: tuple[int | None, int | None],
    labels: bool,
) -> Tally:
    import duckdb

    started = time.process_time()
    tally = Tally()
    connection = duckdb.connect()
    try:
        connection.execute("SET threads = 1")
        connection.execute("SET enable_progress_bar = false")
        paths = ", ".join(f"'{_quoted(Path(folder) / f)}'" for f in files)
        wanted = list(columns)
        select_list = ", ".join(_ident(c) for c in wanted) + (", outcome" if labels else "")
        since, until = window
        where = "".join(
            [
                f" AND decided_at >= {int(since)}" if since is not None else "",
                f" AND decided_at < {int(until)}" if until is not None else "",
            ]
        )
        for a in range(lo, hi, CHUNK):
            b = min(hi, a + CHUNK)
            data = connection.execute(
                f"SELECT {select_list} FROM read_parquet([{paths}], union_by_name = true) "
                f"WHERE id > {a} AND id <= {b}{where}"
            ).fetchnumpy()
            n = len(data[wanted[0]]) if wanted else 0
            if not n:
                continue
            arrays: dict[str, Any] = {}
            for c in wanted:
                raw = data[c]
                fill = 0 if c.startswith("live_") else np.nan
                array = raw.filled(fill) if isinstance(raw, np.ma.MaskedArray) else raw
                arrays[c] = array.astype(np.int8 if c.startswith("live_") else np.float64, copy=False)
            outcome = None
            if labels:
                raw = data["outcome"]
                outcome = raw.filled(None) if isinstance(raw, np.ma.MaskedArray) else raw
                outcome = np.asarray(outcome, dtype=object)
            tally_arrays(tally, body, arrays, n, outcome)
    finally:
        connection.close()
    tally.cpu = time.process_time() - started
    return tally


def scan_snapshot(
    folder: Path, body: str, *, since: datetime | None, until: datetime | None, workers: int, verify: bool = True
) -> tuple[Tally, bool]:
    """Score every snapshotted decision in [since, until) through the candidate body; return the tally and whether
    the snapshot carries labels."""
    manifest = read_manifest(folder, verify=verify)
    parts = manifest["parts"]
    names = vectorise(ruleset_of(body)).inputs
    held = set().union(*(set(p["inputs"]) for p in parts)) if parts else set()
    present = set().union(*(set(p["present"]) for p in parts)) if parts else set()
    columns = [f"live_{t}" for t in VOCABULARY] + [n for n in names if n in held]
    window = (micros(since) if since else None, micros(until) if until else None)
    labels = bool(manifest["labels"])
    tally = Tally()
    if parts:
        lo, hi = parts[0]["first_id"] - 1, parts[-1]["last_id"]
        count = max(1, min(workers, hi - lo))
        step = -(-(hi - lo) // count)
        bounds = [(lo + k * step, min(hi, lo + (k + 1) * step)) for k in range(count)]
        files = [p["file"] for p in parts]
        jobs = [(str(folder), files, columns, body, a, b, window, labels) for a, b in bounds]
        if count == 1:
            tallies = [_scan_part(*jobs[0])]
        else:
            with multiprocessing.get_context("spawn").Pool(count) as pool:
                tallies = pool.starmap(_scan_part, jobs)
        for k, part in enumerate(tallies):
            tally.merge(part, k == 0)
    tally.unseen = set(names) - present
    return tally, labels
