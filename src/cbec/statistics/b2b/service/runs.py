"""Read identification runs: the list of a tenant's runs, and one run with its per-declaration results."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cbec.common.errors import Problem
from cbec.statistics.b2b import repository as repo
from cbec.statistics.b2b.errors import B2bRunNotFound
from cbec.statistics.b2b.service.identify import RunSummary, _summary
from cbec.storage.context import Context

RESULT_COLUMNS = ("declaration_no", "tenant", "declared_on", "score", "class", "reasons", "value_cny")


@dataclass(frozen=True, slots=True)
class RunDetail:
    """A run, the method it used, and its results within the caller's tenant."""

    summary: RunSummary
    method: str  # the method document as JSON
    run_at: str
    run_by: str
    results: list[dict[str, Any]]

    @property
    def reason_counts(self) -> dict[str, int]:
        """How many results carry each reason code (the evidence match rates of the run), by code."""
        counts = Counter(code for row in self.results for code in row["reasons"])
        return dict(sorted(counts.items()))

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            **self.summary.as_dict(),
            "reason_counts": self.reason_counts,
            "method": self.method,
            "run_at": self.run_at,
            "run_by": self.run_by,
            "results": self.results,
        }

    def csv(self) -> str:
        """Return the results as CSV (UTF-8 with a BOM, for Excel)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(RESULT_COLUMNS)
        for row in self.results:
            cells = {**row, "reasons": ";".join(row["reasons"])}
            writer.writerow(["" if cells[k] is None else cells[k] for k in RESULT_COLUMNS])
        return "\ufeff" + out.getvalue()


def list_runs(ctx: Context, *, tenant: str | None) -> list[RunSummary]:
    """Return the runs over a tenant subtree (None: every run), newest first."""
    with ctx.uow() as uow:
        return [_summary(run) for run in repo.runs(uow.session, tenant)]


def show_run(ctx: Context, run_id: int, *, tenant: str | None) -> RunDetail:
    """Return one run with its results; a run outside the tenant subtree is not found (``B2B-RUN``)."""
    with ctx.uow() as uow:
        run = repo.run(uow.session, run_id)
        if run is None or (tenant is not None and run.tenant != tenant and not run.tenant.startswith(tenant + "/")):
            raise B2bRunNotFound(
                f"no identification run {run_id} in tenant {tenant or 'hub'}",
                problems=[
                    Problem(
                        "B2B-RUN",
                        "run",
                        f"无此识别批次 / no identification run {run_id} in your tenant",
                        "List the runs with `cbec b2b runs` or GET /api/v1/statistics/b2b/runs.",
                    )
                ],
            )
        results = [
            {
                "declaration_no": r.declaration_no,
                "tenant": r.tenant,
                "declared_on": r.declared_on.isoformat(),
                "score": r.score,
                "class": r.klass,
                "reasons": r.reasons.split(";"),
                "value_cny": None if r.value_fen is None else format(Decimal(r.value_fen).scaleb(-2), "f"),
            }
            for r in repo.results(uow.session, run.id, tenant)
        ]
        return RunDetail(_summary(run), run.method_document, run.run_at.isoformat(), run.run_by, results)
