"""Autovacuum's ANALYZE rule, run by the benchmark where the server has autovacuum turned off (统计信息维护).

PostgreSQL keeps planner statistics fresh with autovacuum, on by default and in any production set-up: a table
is analyzed once the rows changed since its last ANALYZE exceed 50 + 10 % of its rows
(``autovacuum_analyze_threshold`` and ``autovacuum_analyze_scale_factor``), checked every minute
(``autovacuum_naptime``). This machine's server has autovacuum off (a CI setting in its conf.d). Without
statistics a table that grew from empty is planned as if it were tiny: a look-up of 100 orders by (platform,
number) scanned all 48,000 stored orders (72 ms) instead of probing the unique index (0.5 ms), and intake fell
from 70 to 33 sets/s within 50,000 sets. So, where autovacuum is off, each benchmark database gets a thread
that applies the same rule; it works through the server like autovacuum's workers would. Where autovacuum is
on, nothing is done.

    .venv/bin/python -m bench.autoanalyze postgresql://postgres@127.0.0.1:5432/cbec_bench_…   # by hand
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

NAPTIME = 60.0  # seconds between checks, autovacuum_naptime's default
STALE = """
SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0) ORDER BY s.relname
"""


def autovacuum_on(url: str) -> bool:
    """Tell whether the server runs autovacuum."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW autovacuum")).scalar_one()) == "on"
    finally:
        engine.dispose()


def analyze_stale(url: str) -> list[str]:
    """ANALYZE every table of the database that autovacuum would analyze now; return their names."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            tables = [str(name) for name in conn.execute(text(STALE)).scalars()]
            for table in tables:
                conn.execute(text(f'ANALYZE "{table}"'))
        return tables
    finally:
        engine.dispose()


@contextmanager
def keeping_statistics(url: str, *, every: float = NAPTIME) -> Iterator[None]:
    """Apply autovacuum's ANALYZE rule to the database every minute while the block runs (if autovacuum is off)."""
    if autovacuum_on(url):
        yield
        return
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                analyze_stale(url)
            except Exception as exc:  # a benchmark database being dropped at the end, or the server restarting
                print(f"  (autoanalyze: {type(exc).__name__}: {exc})", file=sys.stderr, flush=True)

    worker = threading.Thread(target=loop, name="autoanalyze", daemon=True)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(timeout=30)


def main() -> None:
    """Apply the rule to one database every minute until interrupted."""
    from bench.env import sqlalchemy_url  # bench.env imports this module

    url = sqlalchemy_url(sys.argv[1])
    try:
        while True:
            analyzed = analyze_stale(url)
            if analyzed:
                print(f"analyzed {', '.join(analyzed)}", flush=True)
            time.sleep(NAPTIME)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
