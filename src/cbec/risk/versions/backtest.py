"""Backtest (回测): a candidate ruleset version evaluated over the inputs of stored decisions.

A stored decision's trace holds every input the live rules read, so a backtest re-evaluates those inputs — it
never scans raw history. Rows are read in id order in batches (keyset pages, so both databases stream without a
server-side cursor); the database extracts from each trace only the candidate's inputs and the live typologies'
bands (never the rules list, most of a trace's bytes); the inputs become floats, scored by the compiled candidate
(``cbec.risk.versions.compile``: closures, floats — the same answers as the decimal interpreter for inputs of at
most 15 significant digits). With ``workers`` > 1 the id range is split and each part is scanned by its own process
with its own connection. The report gives per typology the alerts (review or above) live and candidate, the band
changes, and — where the decisions carry an ``outcome`` column (labels of the review) — the precision of the
candidate's alerts; without labels it only counts.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import Engine

from cbec.risk.ml import cap_within, points_of
from cbec.risk.models import RiskDecision, RiskMlModel
from cbec.risk.rules import Ruleset
from cbec.risk.versions import repository as repo
from cbec.risk.versions.compile import BANDS, compile_ruleset
from cbec.risk.versions.models import RiskBacktest
from cbec.risk.versions.schemas import BacktestReport, BacktestTypology
from cbec.risk.versions.service import _get, ruleset_of
from cbec.storage.context import Context
from cbec.storage.engine import make_engine

TRUE_OUTCOMES = frozenset({"confirmed", "valuable"})
FALSE_OUTCOMES = frozenset({"false_positive"})
BAND_NAMES = tuple(b.value for b in BANDS)


@dataclass(slots=True)
class Tally:
    """What one scan counted (merged across workers)."""

    decisions: int = 0
    changed: int = 0
    live: Counter[str] = field(default_factory=Counter)
    candidate: Counter[str] = field(default_factory=Counter)
    changes: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    labelled: Counter[str] = field(default_factory=Counter)
    confirmed: Counter[str] = field(default_factory=Counter)
    unseen: set[str] = field(default_factory=set)
    ml_terms: int = 0  # decisions whose trace carries the ML term
    score_changed: int = 0  # decisions whose score (rules + ML term: what the lanes rank) differs
    cpu: float = 0.0  # CPU seconds of the scanning process (SQLite's work included: it runs in the process)

    def merge(self, other: Tally, first: bool) -> None:
        """Add another scan's counts."""
        self.decisions += other.decisions
        self.changed += other.changed
        self.ml_terms += other.ml_terms
        self.score_changed += other.score_changed
        for mine, theirs in (
            (self.live, other.live),
            (self.candidate, other.candidate),
            (self.labelled, other.labelled),
            (self.confirmed, other.confirmed),
        ):
            mine.update(theirs)
        self.changes.update(other.changes)
        self.cpu += other.cpu
        self.unseen = set(other.unseen) if first else self.unseen & other.unseen


VOCABULARY = 7  # typologies a stored trace can list (cbec.risk.rules.Typology)


def _query(names: tuple[str, ...], lo: int, hi: int, window: tuple[Any, Any], labels: bool, batch: int) -> Any:
    # only the values a backtest reads, extracted by the database as text: each input the candidate reads, and
    # each live typology with its band (a trace's rules list, most of its bytes, is never read)
    trace = RiskDecision.trace
    columns: list[Any] = [RiskDecision.id]
    columns += [trace[("inputs", name)].as_string() for name in names]
    for k in range(VOCABULARY):
        columns += [trace[("typologies", k, "typology")].as_string(), trace[("typologies", k, "band")].as_string()]
    # the ML term's anomaly and model (the term depends on the inputs and the model only) and the stored score
    columns += [trace[("ml", "anomaly")].as_string(), trace[("ml", "digest")].as_string(), RiskDecision.score]
    if labels:
        columns.append(text("outcome"))
    since, until = window
    query = select(*columns).where(RiskDecision.id > lo, RiskDecision.id <= hi)
    if since is not None:
        query = query.where(RiskDecision.decided_at >= since)
    if until is not None:
        query = query.where(RiskDecision.decided_at < until)
    return query.order_by(RiskDecision.id).limit(batch)


def _present(engine: Engine, names: tuple[str, ...], lo: int, hi: int) -> set[str]:
    """Return the candidate's inputs that the first stored trace in the range holds (the others: insufficient)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(RiskDecision.trace["inputs"]).where(RiskDecision.id > lo, RiskDecision.id <= hi).limit(1)
        ).first()
        conn.rollback()
    return set(row[0]) & set(names) if row is not None and row[0] else set()


def ml_caps(engine: Engine, ruleset: Ruleset) -> dict[str, int]:
    """Return each stored ML model's cap as it applies under a candidate version (``cap_within``), by digest."""
    with engine.connect() as conn:
        rows = conn.execute(select(RiskMlModel.digest, RiskMlModel.cap)).all()
        conn.rollback()
    return {digest: cap_within(cap, ruleset) for digest, cap in rows}


def scan(engine: Engine, body: str, lo: int, hi: int, window: tuple[Any, Any], labels: bool, batch: int) -> Tally:
    """Score every stored decision with ``lo < id ≤ hi`` decided in the window through the candidate body.

    A decision whose trace carries the ML term keeps it: its anomaly banded under the model's cap lowered to the
    candidate's bound (``cap_within``) is added to the candidate's score, as the live consumer added it to the
    stored score; the term moves the score (what the lanes rank), never a typology's band."""
    candidate_rules = ruleset_of(body)
    compiled = compile_ruleset(candidate_rules, float)
    caps = ml_caps(engine, candidate_rules)
    points_cache: dict[tuple[str, str], int] = {}
    names = compiled.inputs
    width = len(names)
    typologies = tuple(t.value for t in compiled.typologies)
    scores_of, band_fns = compiled.scores, compiled.bands
    rank = {name: k for k, name in enumerate(BAND_NAMES)}
    started = time.process_time()
    tally = Tally(unseen=set(names) - _present(engine, names, lo, hi))
    last = lo
    while True:
        with engine.connect() as conn:
            rows = conn.execute(_query(names, last, hi, window, labels, batch)).all()
            conn.rollback()
        if not rows:
            break
        last = rows[-1][0]
        for row in rows:
            inputs = {name: float(v) for name, v in zip(names, row[1 : 1 + width], strict=True) if v is not None}
            scores = scores_of(inputs)
            pairs = row[1 + width : 1 + width + 2 * VOCABULARY]
            live = {pairs[k]: pairs[k + 1] for k in range(0, 2 * VOCABULARY, 2) if pairs[k] is not None}
            anomaly, digest, stored_score = row[1 + width + 2 * VOCABULARY : 4 + width + 2 * VOCABULARY]
            outcome = row[4 + width + 2 * VOCABULARY] if labels else None
            bonus = 0
            if anomaly is not None:
                tally.ml_terms += 1
                found = points_cache.get((anomaly, digest))
                if found is None:  # a model no longer stored: its cap is unknown, the term counts 0
                    found = points_of(Decimal(anomaly), caps[digest]) if digest in caps else 0
                    points_cache[(anomaly, digest)] = found
                bonus = found
            tally.score_changed += max(scores, default=0) + bonus != stored_score
            worst_live = worst_candidate = 0
            for typology, score, band_fn in zip(typologies, scores, band_fns, strict=True):
                candidate = band_fn(score)
                was = live.get(typology, "none")
                was_rank = rank[was]
                worst_live = max(worst_live, was_rank)
                worst_candidate = max(worst_candidate, candidate)
                if was_rank:
                    tally.live[typology] += 1
                if candidate:
                    tally.candidate[typology] += 1
                    if outcome in TRUE_OUTCOMES or outcome in FALSE_OUTCOMES:
                        tally.labelled[typology] += 1
                        tally.confirmed[typology] += outcome in TRUE_OUTCOMES
                if candidate != was_rank:
                    tally.changes[(typology, was, BAND_NAMES[candidate])] += 1
            for typology, band in live.items():  # typologies the candidate no longer has
                if typology not in typologies and band != "none":
                    tally.live[typology] += 1
                    tally.changes[(typology, band, "none")] += 1
                    worst_live = max(worst_live, rank[band])
            tally.decisions += 1
            tally.changed += worst_live != worst_candidate
    tally.cpu = time.process_time() - started
    return tally


def _scan_url(url: str, body: str, lo: int, hi: int, window: tuple[Any, Any], labels: bool, batch: int) -> Tally:
    # SQLite: a plain engine, whose reads take no write lock (make_engine begins every transaction IMMEDIATE, which
    # would make the workers' pages wait for each other)
    engine = create_engine(url) if url.startswith("sqlite") else make_engine(url)
    try:
        return scan(engine, body, lo, hi, window, labels, batch)
    finally:
        engine.dispose()


def has_labels(engine: Engine) -> bool:
    """Tell whether stored decisions carry an ``outcome`` column (the review's labels)."""
    return any(c["name"] == "outcome" for c in inspect(engine).get_columns("risk_decision"))


def run_backtest(
    ctx: Context,
    version: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    workers: int = 1,
    batch: int = 5_000,
    actor: str = "cli",
    snapshot: Path | None = None,
) -> BacktestReport:
    """Backtest a version over the stored decisions of [since, until) — read from the database, or from a columnar
    snapshot of them (``cbec.risk.versions.snapshot``: vectorised, the same report); store and return the report."""
    started = time.perf_counter()
    with ctx.uow() as uow:
        row = _get(uow.session, version)
        body, sha256 = row.body, row.sha256
        lo, hi = uow.session.execute(select(func.min(RiskDecision.id), func.max(RiskDecision.id))).one()
        uow.commit()
    window = (since, until)
    tally = Tally()
    if snapshot is not None:
        from cbec.risk.versions.snapshot import scan_snapshot  # it builds on this module's tally

        tally, labels = scan_snapshot(snapshot, body, since=since, until=until, workers=workers)
    else:
        labels = has_labels(ctx.engine)
    if snapshot is None and lo is not None:
        lo -= 1
        parts = max(1, min(workers, hi - lo))
        step = -(-(hi - lo) // parts)
        bounds = [(lo + k * step, min(hi, lo + (k + 1) * step)) for k in range(parts)]
        if parts == 1:
            tallies = [scan(ctx.engine, body, lo, hi, window, labels, batch)]
        else:
            url = ctx.engine.url.render_as_string(hide_password=False)
            with multiprocessing.get_context("spawn").Pool(parts) as pool:
                tallies = pool.starmap(_scan_url, [(url, body, a, b, window, labels, batch) for a, b in bounds])
        for k, part in enumerate(tallies):
            tally.merge(part, k == 0)
    compiled_typologies = [t.value for t in ruleset_of(body).typologies]
    names = sorted(set(compiled_typologies) | set(tally.live))
    typologies = [
        BacktestTypology(
            typology=t,
            live_alerts=tally.live[t],
            candidate_alerts=tally.candidate[t],
            band_changes={f"{a}→{b}": n for (u, a, b), n in sorted(tally.changes.items()) if u == t},
            labelled=tally.labelled[t],
            precision=(tally.confirmed[t] / tally.labelled[t]) if tally.labelled[t] else None,
        )
        for t in names
    ]
    report = BacktestReport(
        version=version,
        sha256=sha256,
        since=since,
        until=until,
        decisions=tally.decisions,
        changed=tally.changed,
        missing_inputs=sorted(tally.unseen) if tally.decisions else [],
        labels=labels,
        seconds=round(time.perf_counter() - started, 3),
        cpu_seconds=round(tally.cpu, 3),
        workers=workers,
        typologies=typologies,
        ml_terms=None if snapshot is not None else tally.ml_terms,
        score_changed=None if snapshot is not None else tally.score_changed,
    )
    with ctx.uow() as uow:
        repo.save_backtest(
            uow.session,
            RiskBacktest(version=version, report=report.as_json(), run_by=actor, run_at=ctx.clock.now()),
        )
        uow.commit()
    return report


def last_report(ctx: Context, version: str) -> BacktestReport | None:
    """Return a version's latest stored backtest report."""
    with ctx.uow() as uow:
        row = repo.last_backtest(uow.session, version)
        report = BacktestReport.model_validate(row.report) if row is not None else None
        uow.commit()
    return report
