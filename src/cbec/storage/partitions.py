"""Monthly partitions of the history tables on PostgreSQL (历史表分区), and retention by detaching them.

The issued receipts and the outbox events only ever grow. At a national zone's volume an operator turns them
into tables partitioned by month (``cbec db partitions --convert``, once, in a maintenance window: it copies the
rows), keeps partitions created a few months ahead (``cbec db partitions``, daily), and retires old months by
detaching them (``--detach-before 2025-01``): a detached month is an ordinary table again, to be archived with
``pg_dump`` and dropped, and a query of the live table no longer reads it. Months are business months (Asia/
Shanghai). Rows of a month without a partition land in the table's default partition.

What changes on conversion: the primary key becomes (id, the partition column), and a unique index becomes a
plain index (PostgreSQL enforces uniqueness on a partitioned table only together with the partition column) —
the outbox's positions stay unique because they are handed out under the journal head's lock. Tables whose rows
are looked up by a unique business key (the message log's digest, the facts' line keys) are not partitioned.
SQLite has no partitioning: the embedded platform keeps plain tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

from cbec.common.clock import SHANGHAI, add_months
from cbec.common.errors import DomainError, ErrorCode, Problem

# The history tables that may be partitioned, with the column (UTC timestamp) their month is read from.
HISTORY = {"issued_receipt": "returned_at", "sharing_event": "occurred_at"}
_PARTITION = re.compile(r"^(?P<table>[a-z_]+)_p(?P<month>\d{6})$")


class PartitionsRefused(DomainError):
    """The partitions cannot be changed as asked (the problem says why)."""

    code = ErrorCode.CONFLICT


@dataclass(slots=True)
class PartitionReport:
    """What one run did, per table."""

    converted: dict[str, int] = field(default_factory=dict)  # table: rows copied
    created: list[str] = field(default_factory=list)
    detached: list[str] = field(default_factory=list)
    partitions: dict[str, list[str]] = field(default_factory=dict)  # table: its monthly partitions after the run


def _refuse(rule: str, field_name: str, message: str, hint: str) -> PartitionsRefused:
    return PartitionsRefused(message, problems=[Problem(rule, field_name, message, hint)])


def _months(first: date, last: date) -> list[date]:
    """Return the first days of the months from first to last, both included."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def _bound(month: date) -> str:
    """Return the start of a business month as a PostgreSQL timestamptz literal (Asia/Shanghai)."""
    return f"{month.isoformat()} 00:00:00+08"


def is_partitioned(connection: Connection, table: str) -> bool:
    """Tell whether a table is partitioned."""
    found = connection.execute(
        text("SELECT c.relkind FROM pg_class c WHERE c.relname = :t AND c.relnamespace = 'public'::regnamespace"),
        {"t": table},
    ).scalar()
    return found == "p"


def monthly_partitions(connection: Connection, table: str) -> list[str]:
    """Return the names of a partitioned table's monthly partitions, oldest first."""
    rows = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :t ORDER BY c.relname"
        ),
        {"t": table},
    )
    return [name for (name,) in rows if _PARTITION.match(name)]


def _create(connection: Connection, table: str, month: date) -> str:
    name = f"{table}_p{month:%Y%m}"
    connection.execute(
        text(
            f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{table}" '
            f"FOR VALUES FROM ('{_bound(month)}') TO ('{_bound(add_months(month, 1))}')"
        )
    )
    return name


def _convert(connection: Connection, table: str, column: str, today: date, ahead: int) -> int:
    """Turn a plain table into one partitioned by month, rows, defaults, sequence and indexes kept."""
    triggers = connection.execute(
        text("SELECT count(*) FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal"),
        {"t": table},
    ).scalar()
    if triggers:
        raise _refuse(
            "DB-PARTITION-TRIGGERS", "table", f"{table} has triggers", "Partition it by hand, keeping its triggers."
        )
    indexes = connection.execute(
        text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = :t"),
        {"t": table},
    ).all()
    pk_name = connection.execute(
        text("SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) AND contype = 'p'"),
        {"t": table},
    ).scalar_one()
    first = connection.execute(text(f'SELECT min("{column}") FROM "{table}"')).scalar()
    old = f"{table}_unpartitioned"
    connection.execute(text(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE'))
    connection.execute(text(f'ALTER TABLE "{table}" RENAME TO "{old}"'))
    connection.execute(
        text(
            f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS) '
            f'PARTITION BY RANGE ("{column}")'
        )
    )
    connection.execute(text(f'CREATE TABLE "{table}_default" PARTITION OF "{table}" DEFAULT'))
    start = first.astimezone(SHANGHAI).date() if first is not None else today
    for month in _months(start, add_months(today.replace(day=1), ahead)):
        _create(connection, table, month)
    copied = connection.execute(text(f'INSERT INTO "{table}" SELECT * FROM "{old}"')).rowcount
    sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": old}).scalar()
    if sequence:
        connection.execute(text(f'ALTER SEQUENCE {sequence} OWNED BY "{table}".id'))
    connection.execute(text(f'DROP TABLE "{old}"'))
    connection.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{pk_name}" PRIMARY KEY (id, "{column}")'))
    for name, definition in indexes:
        if name == pk_name:
            continue
        # A unique index cannot hold across partitions without the partition column: it becomes a plain one.
        connection.execute(text(definition.replace("CREATE UNIQUE INDEX", "CREATE INDEX", 1)))
    return int(copied or 0)


def maintain(
    engine: Engine,
    today: date,
    *,
    tables: list[str] | None = None,
    convert: bool = False,
    ahead: int = 3,
    detach_before: date | None = None,
) -> PartitionReport:
    """Convert (when asked), create partitions ``ahead`` months ahead, and detach months before a month."""
    if engine.dialect.name != "postgresql":
        raise _refuse(
            "DB-PARTITION-SQLITE",
            "database",
            "分区仅用于 PostgreSQL / partitioning is a PostgreSQL feature; SQLite keeps plain tables",
            "Run this against the PostgreSQL store (CBEC_DATABASE_URL).",
        )
    chosen = tables or list(HISTORY)
    unknown = [t for t in chosen if t not in HISTORY]
    if unknown:
        raise _refuse(
            "DB-PARTITION-TABLE",
            "table",
            f"not a history table: {', '.join(unknown)}",
            f"Choose among {', '.join(HISTORY)}.",
        )
    if detach_before is not None and detach_before > today.replace(day=1):
        raise _refuse(
            "DB-PARTITION-DETACH",
            "detach_before",
            f"{detach_before:%Y-%m} is not in the past",
            "Detach only months that have ended; the current month keeps taking rows.",
        )
    report = PartitionReport()
    with engine.begin() as connection:
        for table in chosen:
            column = HISTORY[table]
            if not is_partitioned(connection, table):
                if not convert:
                    continue
                report.converted[table] = _convert(connection, table, column, today, ahead)
            existing = set(monthly_partitions(connection, table))
            for month in _months(today, add_months(today.replace(day=1), ahead)):
                name = f"{table}_p{month:%Y%m}"
                if name not in existing:
                    _default_clear(connection, table, column, month)
                    report.created.append(_create(connection, table, month))
            if detach_before is not None:
                for name in monthly_partitions(connection, table):
                    held = _PARTITION.match(name)
                    assert held is not None
                    if held["month"] < f"{detach_before:%Y%m}":
                        connection.execute(text(f'ALTER TABLE "{table}" DETACH PARTITION "{name}"'))
                        report.detached.append(name)
            report.partitions[table] = monthly_partitions(connection, table)
    return report


def _default_clear(connection: Connection, table: str, column: str, month: date) -> None:
    """Refuse to create a month whose rows already sit in the default partition (they would have to move)."""
    stranded = connection.execute(
        text(f'SELECT count(*) FROM "{table}_default" WHERE "{column}" >= :a AND "{column}" < :b'),
        {"a": _bound(month), "b": _bound(add_months(month, 1))},
    ).scalar()
    if stranded:
        raise _refuse(
            "DB-PARTITION-DEFAULT",
            "ahead",
            f"{stranded} rows of {table} for {month:%Y-%m} are in its default partition",
            "Keep partitions created ahead (run `cbec db partitions` daily); to repair, detach the default "
            "partition, create the month, move its rows and attach the default again.",
        )
