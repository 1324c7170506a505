"""Seeded random fact histories against the database: whatever the order of facts, applications, officers' steps
and daily runs, no fact is counted (nor left published) past its maximum window unless a second officer confirmed it
uncorrected (and then not past the flag's end), and no repair is granted before its minimum window."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from cbec.common.clock import SHANGHAI, FixedClock, business_date
from cbec.common.errors import DomainError
from cbec.common.ids import make_uscc
from cbec.credit.models import CreditFact, CreditPublicationEnd, CreditRepair, CreditSubject, CreditUncorrected
from cbec.credit.schemas import DecisionIn, FactIn, RepairIn, UncorrectedIn
from cbec.credit.service import (
    apply_repair,
    decide_repair,
    decide_uncorrected,
    flag_uncorrected,
    list_repairs,
    list_uncorrected,
    record_fact,
    run_daily,
    seed_configuration,
    show_subject,
)
from cbec.storage.context import Context

SUBJECTS = [make_uscc(f"91460000MA5THKT{n:02d}") for n in range(4)]
SEVERITIES = ("minor", "general", "serious")


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


@pytest.mark.parametrize("seed", [1, 6, 7, 9])
def test_random_histories_keep_the_windows(ctx: Context, clock: FixedClock, seed: int) -> None:
    rng = random.Random(seed)
    seed_configuration(ctx)
    day = date(2026, 3, 2)
    facts: list[int] = []
    for step in range(100):
        clock.set(_at(day))
        move = rng.random()
        try:
            if move < 0.3 or not facts:
                decided = day - timedelta(days=rng.choice([rng.randint(0, 90), rng.randint(0, 900)]))
                made = record_fact(
                    ctx,
                    FactIn(
                        subject=rng.choice(SUBJECTS),
                        fact_type="penalty",
                        source="customs",
                        severity=rng.choice(SEVERITIES),
                        decided_on=decided.isoformat(),
                        document_no=f"S{seed}-{step}",
                        legal_basis="海关行政处罚实施条例",
                    ),
                    actor="customs",
                )
                facts.append(made.id)
            elif move < 0.55:
                body = RepairIn(
                    fact_id=rng.choice(facts),
                    evidence_sha256="cd" * 32,
                    description="整改完成",
                    commitment="承诺",
                    training="培训",
                )
                apply_repair(ctx, body, actor="enterprise")
            elif move < 0.8:
                open_ = list_repairs(ctx, status="open")
                if open_:
                    chosen = rng.choice(open_)
                    action = "approve" if chosen.status == "proposed" else rng.choice(["propose", "reject"])
                    officer = rng.choice(["officer-1", "officer-2"])
                    decide_repair(ctx, chosen.id, DecisionIn(action=action, note="n"), actor=officer)
            else:
                run_daily(ctx)
        except DomainError:
            pass  # refusals are part of the history; the invariants below must hold whatever was refused
        day += timedelta(days=rng.randint(0, 20))

    with ctx.uow() as uow:
        session = uow.session
        session.expire_on_commit = False
        rows = {f.id: f for f in session.scalars(select(CreditFact))}
        granted = list(session.scalars(select(CreditRepair).where(CreditRepair.status == "approved")))
        for repair in granted:
            assert repair.decided_at is not None and repair.reviewed_by not in (None, repair.decided_by)
            assert business_date(repair.decided_at) >= rows[repair.fact_id].publish_min_until
            successor = rows[repair.result_fact_id or 0]
            assert successor.supersedes_id == repair.fact_id
            assert successor.publish_max_until == business_date(repair.decided_at)
        session.expunge_all()
    assert len(granted) >= 1  # seeds chosen so that each history grants a repair and, with the minimum-window
    # check removed from cbec.credit.repair, grants one too early (the test was seen to fail so)
    clock.set(_at(day))
    run_daily(ctx)
    with ctx.uow() as uow:
        ends = {e.fact_id: e for e in uow.session.scalars(select(CreditPublicationEnd))}
        superseded = {f.supersedes_id for f in rows.values() if f.supersedes_id}
    for fact in rows.values():
        if fact.id not in superseded and fact.publish_max_until is not None and fact.publish_max_until <= day:
            assert fact.id in ends  # the daily job ended every publication past its maximum
    for subject in SUBJECTS:
        for probe in (day - timedelta(days=rng.randint(0, 1200)) for _ in range(8)):
            try:
                rating = show_subject(ctx, subject, on=probe)
            except DomainError:
                continue  # a subject no fact was recorded about
            for contribution in rating.contributions:
                counted = rows[contribution.fact_id]
                assert counted.publish_max_until is None or probe < counted.publish_max_until


def _chain(rows: dict[int, CreditFact], fact: CreditFact) -> list[CreditFact]:
    """Return a row and the rows it supersedes, newest first, down to the fact as first recorded."""
    found = [fact]
    while found[-1].supersedes_id is not None:
        found.append(rows[found[-1].supersedes_id])
    return found


@pytest.mark.parametrize("seed", [1, 3, 4])
def test_random_histories_publish_past_the_maximum_only_when_flagged(
    ctx: Context, clock: FixedClock, seed: int
) -> None:
    rng = random.Random(seed)
    seed_configuration(ctx)
    day = date(2026, 3, 2)
    facts: list[int] = []
    for step in range(80):
        clock.set(_at(day))
        move = rng.random()
        try:
            if move < 0.3 or not facts:
                decided = day - timedelta(days=rng.randint(0, 80))
                made = record_fact(
                    ctx,
                    FactIn(
                        subject=rng.choice(SUBJECTS),
                        fact_type="penalty",
                        source="customs",
                        severity=rng.choice(SEVERITIES),
                        decided_on=decided.isoformat(),
                        document_no=f"U{seed}-{step}",
                        legal_basis="海关行政处罚实施条例",
                    ),
                    actor="customs",
                )
                facts.append(made.id)
            elif move < 0.55:
                until = rng.choice([None, day + timedelta(days=rng.randint(60, 900))])
                body = UncorrectedIn(fact_id=rng.choice(facts), legal_basis="行业规定", reason="未整改", until=until)
                flag_uncorrected(ctx, body, actor=rng.choice(["officer-1", "officer-2"]))
            elif move < 0.8:
                pending = list_uncorrected(ctx, status="pending")
                if pending:
                    chosen = rng.choice(pending)
                    action = rng.choice(["confirm", "confirm", "reject"])
                    officer = rng.choice(["officer-1", "officer-2"])
                    decide_uncorrected(ctx, chosen.id, DecisionIn(action=action, note="n"), actor=officer)
            else:
                run_daily(ctx)
        except DomainError:
            pass  # refusals are part of the history
        day += timedelta(days=rng.randint(0, 15))

    with ctx.uow() as uow:
        session = uow.session
        session.expire_on_commit = False
        rows = {f.id: f for f in session.scalars(select(CreditFact))}
        flags = list(session.scalars(select(CreditUncorrected)))
        session.expunge_all()
    continuing = {f.result_fact_id: f for f in flags if f.status == "confirmed"}
    for flag in continuing.values():
        assert flag.decided_by not in (None, flag.flagged_by)  # another officer confirmed
        assert flag.decided_at is not None and business_date(flag.decided_at) < flag.window_max
    assert len(continuing) >= 2  # seeds chosen so that flags are confirmed and probed past their maximum
    probes = [
        (rows[f].subject_id, flag.window_max + timedelta(days=rng.randint(0, 60))) for f, flag in continuing.items()
    ]
    with ctx.uow() as uow:
        codes = {s.id: s.uscc for s in uow.session.scalars(select(CreditSubject))}
    probes += [(s, day - timedelta(days=rng.randint(0, 300))) for s in codes for _ in range(6)]
    past = 0
    for subject_id, probe in probes:
        try:
            rating = show_subject(ctx, codes[subject_id] or "", on=probe)
        except DomainError:
            continue
        for contribution in rating.contributions:
            chain = _chain(rows, rows[contribution.fact_id])
            window_max = chain[-1].publish_max_until
            assert window_max is not None  # penalties have a maximum
            if probe < window_max:
                continue
            past += 1
            flagged = [continuing[r.id] for r in chain if r.id in continuing]
            assert flagged, f"fact {chain[-1].id} counted on {probe} past its maximum {window_max} without a flag"
            assert flagged[0].until is None or probe < flagged[0].until
    assert past >= 1  # some probe lies past a maximum a flag continued; with the flag's end ignored on confirmation
    # (the continued row published with no end) each of these seeds fails (seen so)
