"""Set-based bulk loader of stored clearance history (存量数据) for the growth benchmark, PostgreSQL.

Fills a migrated, zone-filed database with N complete, released sets as if the platform had cleared them:
N orders, payments, waybills and inventories (status 800, quota counted), N tax bills, N/2 arrival entries
(direct purchase), N/25 message records, and one quota account per five sets. Rows are made by the server
itself, ``INSERT … SELECT … FROM generate_series`` in batches (set-based SQL: no row crosses the network,
which is faster than COPY from a client), with the secondary indexes and unique constraints dropped during the
load and rebuilt afterwards, then ``VACUUM ANALYZE``.

Keys look like the real ones (order numbers, waybill numbers, 36-character guids, 18-character E-port and
inventory numbers, 64-character buyer keys) but never collide with the benchmark traffic. The encrypted payload
of a loaded row is a short placeholder, not a 1.5-3 KB ciphertext: the indexes the intake path searches are
full size, the table heaps are smaller than real ones (see docs/performance.md).

    .venv/bin/python -m bench.loader URL --sets 1000000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, create_engine, text

from bench.env import sqlalchemy_url

AT = "2025-11-11 02:00:00+00"
PAYLOAD = "k1:preloaded"
TABLES = (
    "import_order",
    "import_payment",
    "import_waybill",
    "import_inventory",
    "tax_bill",
    "import_arrival_parcel",
    "ceb_message",
    "quota_account",
    "trade_fact",
)
_GUID = "upper(md5('{kind}' || n)::uuid::text)"
_BUYER = "md5('buyer' || (n % CAST(:buyers AS bigint))) || md5('key' || (n % CAST(:buyers AS bigint)))"
INSERTS: dict[str, str] = {
    "import_order": f"""
        INSERT INTO import_order (guid, app_status, state, received_at, updated_at, payload, platform_code,
            order_no, ecommerce_code, payment_code, payment_transaction_id, buyer_key, actual_paid)
        SELECT {_GUID.format(kind="o")}, '2', 'accepted', '{AT}', '{AT}', '{PAYLOAD}', '4601960001',
            'GRW' || lpad(n::text, 12, '0'), '4601960002', '4601960003', 'GRWP' || lpad(n::text, 12, '0'),
            {_BUYER}, 606.00
        FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS n""",
    "import_payment": f"""
        INSERT INTO import_payment (guid, app_status, state, received_at, updated_at, payload, payment_code,
            payment_transaction_id, platform_code, order_no, amount_paid)
        SELECT {_GUID.format(kind="p")}, '2', 'accepted', '{AT}', '{AT}', '{PAYLOAD}', '4601960003',
            'GRWP' || lpad(n::text, 12, '0'), '4601960001', 'GRW' || lpad(n::text, 12, '0'), 606.00
        FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS n""",
    "import_waybill": f"""
        INSERT INTO import_waybill (guid, app_status, state, received_at, updated_at, payload, logistics_code,
            logistics_no, order_no, bill_no)
        SELECT {_GUID.format(kind="w")}, '2', 'accepted', '{AT}', '{AT}', '{PAYLOAD}', '4601960004',
            'GRWL' || lpad(n::text, 12, '0'), 'GRW' || lpad(n::text, 12, '0'),
            CASE WHEN n % 2 = 1 THEN 'GRW-' || (n / 50) ELSE NULL END
        FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS n""",
    "import_inventory": f"""
        INSERT INTO import_inventory (guid, app_status, state, received_at, updated_at, payload, platform_code,
            ecommerce_code, order_no, logistics_code, logistics_no, agent_code, customs_code, trade_mode,
            enterprise_ref_no, eport_no, inventory_no, bill_no, buyer_key, status, status_info, tax_path,
            dutiable_value, customs_duty, vat, consumption_tax, quota_year, declared_at, released_at)
        SELECT {_GUID.format(kind="i")}, '2', 'accepted', '{AT}', '{AT}', '{PAYLOAD}', '4601960001', '4601960002',
            'GRW' || lpad(n::text, 12, '0'), '4601960004', 'GRWL' || lpad(n::text, 12, '0'), '4601960005', '4601',
            CASE WHEN n % 2 = 1 THEN '9610' ELSE '1210' END, 'GRW' || lpad(n::text, 12, '0'),
            'G' || lpad(n::text, 17, '0'), '4601G' || lpad(n::text, 13, '0'),
            CASE WHEN n % 2 = 1 THEN 'GRW-' || (n / 50) ELSE NULL END, {_BUYER}, '800', '[Code:2600;Desc:放行]',
            'within_limit', 606.00, 0, 55.15, 0, 2025, '{AT}', '{AT}'
        FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS n""",
    "tax_bill": f"""
        INSERT INTO tax_bill (inventory_id, tax_no, guid, status, customs_duty, vat, consumption_tax, lines,
            returned_at)
        SELECT id, inventory_no || '01', upper(md5('t' || id)::uuid::text), '1', 0, 55.15, 0, '[]', '{AT}'
        FROM import_inventory WHERE id > CAST(:last_id AS bigint)""",
    "import_arrival_parcel": """
        INSERT INTO import_arrival_parcel (arrival_id, logistics_code, logistics_no, bill_no)
        SELECT n / 50, '4601960004', 'GRWL' || lpad(n::text, 12, '0'), 'GRW-' || (n / 50)
        FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS n WHERE n % 2 = 1""",
    "ceb_message": f"""
        INSERT INTO ceb_message (sha256, message_type, document_count, outcome, received_at)
        SELECT encode(sha256(('msg' || n)::bytea), 'hex'), 'CEB621Message', 100, 'processed', '{AT}'
        FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS n WHERE n % 25 = 0""",
    # One released import line per stored inventory (the facts the statistics and the intake's fact book read).
    "trade_fact": f"""
        INSERT INTO trade_fact (direction, mode, document_id, eport_no, inventory_no, order_no, line_no, hs_code,
            goods_name, origin_country, destination_country, quantity, unit, legal_quantity, legal_unit, currency,
            value, value_cny, value_usd, platform_code, ecommerce_code, logistics_code, payment_code, agent_code,
            customs_code, declared_at, declared_on, released_at, released_on, status, buyer_key, updated_at)
        SELECT 'I', trade_mode, id, eport_no, inventory_no, order_no, 1, '0402290000', 'bench goods', 'AUS',
            'CHN', 2, '122', 1.6, '035', '142', 606.00, 606.00, 84.28, platform_code, ecommerce_code,
            logistics_code, '4601960003', agent_code, customs_code, '{AT}', DATE '2025-11-11', '{AT}',
            DATE '2025-11-11', 'released', buyer_key, '{AT}'
        FROM import_inventory WHERE id > CAST(:last_id AS bigint)""",
    "quota_account": f"""
        INSERT INTO quota_account (buyer_key, year, used_fen)
        SELECT {_BUYER}, 2025, 303000
        FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS n WHERE n <= CAST(:buyers AS bigint)""",
}


@dataclass(slots=True)
class LoadReport:
    """What was loaded and how long it took."""

    sets: int
    seconds: float
    rows: dict[str, int]
    size: str


def _secondary(conn: Connection, table: str) -> tuple[list[str], list[str]]:
    """Return (drop statements, create statements) of a table's unique constraints and secondary indexes."""
    drops: list[str] = []
    creates: list[str] = []
    for name, definition in conn.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:t AS regclass) AND contype = 'u'"
        ),
        {"t": table},
    ):
        drops.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        creates.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in conn.execute(
        text(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = CAST(:t AS regclass) AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
        ),
        {"t": table},
    ):
        drops.append(f'DROP INDEX "{name}"')
        creates.append(definition)
    return drops, creates


def load(url: str, sets: int, *, batch: int = 1_000_000, say: Callable[[str], None] = print) -> LoadReport:
    """Load N stored sets into a migrated database and return what was loaded."""
    engine = create_engine(sqlalchemy_url(url))
    started = time.perf_counter()
    buyers = max(1, sets // 5)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
        rebuild: list[str] = []
        for table in TABLES:
            drops, creates = _secondary(conn, table)
            for statement in drops:
                conn.execute(text(statement))
            rebuild.extend(creates)
    for first in range(1, sets + 1, batch):
        last = min(sets, first + batch - 1)
        with engine.begin() as conn:
            last_id = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM import_inventory")).scalar_one())
            values = {"first": first, "last": last, "buyers": buyers, "last_id": last_id}
            for table in TABLES:
                conn.execute(text(INSERTS[table]), values)
        say(f"  loaded {last:,} / {sets:,} sets ({time.perf_counter() - started:,.0f} s)")
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
        for statement in rebuild:
            conn.execute(text(statement))
    say(f"  indexes rebuilt ({time.perf_counter() - started:,.0f} s)")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        rows = {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES}
        size = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    engine.dispose()
    return LoadReport(sets, time.perf_counter() - started, rows, f"{size / 1e9:,.1f} GB")


def main() -> None:
    """Load stored sets into the database at URL."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--sets", type=int, required=True)
    args = parser.parse_args()
    report = load(args.url, args.sets)
    print(f"loaded {report.sets:,} sets in {report.seconds:,.0f} s; rows {report.rows}; database {report.size}")


if __name__ == "__main__":
    main()
