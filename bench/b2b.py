"""Benchmark of B2B-export identification (B2B出口识别): generate → import → identify on a labelled synthetic set.

    .venv/bin/python -m bench.b2b [--declarations 100000] [--db sqlite|postgres] [--seed 1] [--no-record]

``cbec.statistics.b2b.synthetic.generate`` makes N general-trade (0110) declarations, 10 % of them disguised B2B
(truth label; 15 % of those lack one evidence item, 15 % of the others carry one spurious item and 1 % two), plus
5 % × N 9710/9810 declarations. They are written as one JSON-lines file, imported through
``import_declarations`` (validation, encryption of the consignee name, idempotence check) into a fresh database
with the reference data, one filed platform and USD/EUR customs rates, then ``identify`` scores them with the
shipped method (b2b-1) and stores the run. Printed: precision and recall of ``identified`` against the truth,
the undecided share of the 0110 set, and the import and identification times.
Targets (issue 19): precision ≥ 0.95, recall ≥ 0.90, undecided ≤ 5 %.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench.env import fmt, fresh_database, print_header, record
from cbec.bootstrap import build_context
from cbec.common.ids import make_uscc
from cbec.config import Settings
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import approve_enterprise, file_enterprise
from cbec.exports.service.reference import load_export_rates
from cbec.reference.service import seed_builtin
from cbec.statistics.b2b import identify, import_declarations
from cbec.statistics.b2b.models import B2bResult
from cbec.statistics.b2b.synthetic import CURRENCIES, FILED_PLATFORM, generate, quality
from cbec.storage.migrate import upgrade

RATE_DAYS = ("2025-12-17", "2026-01-21", "2026-02-18")  # third Wednesdays: the customs-rate days of Jan–Mar
CODES = {"USD": "502", "EUR": "300"}


def prepare(ctx: object, folder: Path) -> None:
    """Reference data, the platform the orders cite, and test customs rates (not official values)."""
    seed_builtin(ctx)  # type: ignore[arg-type]
    create = EnterpriseCreate(
        uscc=make_uscc("91460100MA5TPLAT0"),
        customs_code=FILED_PLATFORM,
        name="海南跨境B2B平台有限公司",
        roles=["ecommerce_platform"],
    )
    file_enterprise(ctx, create)  # type: ignore[arg-type]
    approve_enterprise(ctx, FILED_PLATFORM, reason="bench", actor="bench")  # type: ignore[arg-type]
    rates = folder / "rates.csv"
    lines = ["currency,rate_date,cny_per_unit,source"]
    lines += [f"{CODES[c]},{day},{CURRENCIES[c]},bench value (not official)" for c in CODES for day in RATE_DAYS]
    rates.write_text("\n".join(lines) + "\n", "utf-8")
    load_export_rates(ctx, rates, "exchange")  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--declarations", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-record", action="store_true", help="Print only; do not append to docs/performance.md.")
    args = parser.parse_args()
    machine = print_header("B2B identification")
    with tempfile.TemporaryDirectory() as folder, fresh_database(args.db) as url:
        upgrade(url)
        ctx = build_context(Settings(data_dir=Path(folder), database_url=url))
        prepare(ctx, Path(folder))
        began = time.perf_counter()
        labelled = generate(args.declarations, args.seed)
        text = "\n".join(json.dumps(row, ensure_ascii=False) for row in labelled.rows)
        generated = time.perf_counter() - began
        print(f"generated {len(labelled.rows):,} declarations in {generated:.1f} s")

        began = time.perf_counter()
        report = import_declarations(ctx, text, json_format=True, tenant="hub", actor="bench", source="bench.jsonl")
        imported = time.perf_counter() - began
        print(f"imported {report.imported:,} (rejected {report.rejected}) in {imported:.1f} s")

        began = time.perf_counter()
        run = identify(ctx, tenant="hub", actor="bench")
        identified = time.perf_counter() - began
        print(f"identified in {identified:.1f} s: {run.as_dict()}")

        with ctx.uow() as uow:
            rows = uow.session.execute(
                select(B2bResult.declaration_no, B2bResult.klass).where(B2bResult.run_id == run.run_id)
            )
            classes = {number: klass for number, klass in rows}
        q = quality(labelled.truth, classes)
        results = [
            f"precision {q['precision']:.4f} (target ≥ 0.95), recall {q['recall']:.4f} (target ≥ 0.90), "
            f"undecided {q['undecided_share']:.2%} of the 0110 set (target ≤ 5 %)",
            f"tp {q['true_positive']:,}, fp {q['false_positive']:,}, fn {q['false_negative']:,}, "
            f"undecided {q['undecided']:,}; run: {run.declared:,} 9710/9810, {run.identified:,} identified, "
            f"{run.undecided:,} undecided, {run.general:,} general",
            f"generate {fmt(generated)} s, import {fmt(imported)} s "
            f"({len(labelled.rows) / imported:,.0f} rows/s), identify {fmt(identified)} s "
            f"({len(labelled.rows) / identified:,.0f} declarations/s)",
            f"digests: input {run.input_digest[:16]}…, result {run.result_digest[:16]}…",
        ]
    record(
        f"B2B identification ({args.db})",
        machine,
        f"{args.declarations:,} general-trade declarations (10 % disguised B2B) + {labelled.declared:,} 9710/9810, "
        f"seed {args.seed}, method b2b-1",
        results,
        enabled=not args.no_record,
    )


if __name__ == "__main__":
    main()
