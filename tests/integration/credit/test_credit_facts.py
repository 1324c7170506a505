"""Agencies' facts imported (all or nothing, every problem), corrected, rated as of a day, as known at a time."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from cbec.common.ids import make_uscc
from cbec.credit import CreditConflict, CreditInvalid, CreditNotFound
from cbec.credit.models import CreditFact
from cbec.credit.schemas import FactIn
from cbec.credit.schemes import ConfigKind, shipped_documents
from cbec.credit.service import (
    import_facts,
    load_configuration,
    rate_subjects,
    record_fact,
    seed_configuration,
    set_override,
    show_subject,
    subject_facts,
)
from cbec.storage.context import Context

ACME = make_uscc("91460000MA5TCRD01")
BETA = make_uscc("91460000MA5TCRD02")
COLUMNS = [
    "subject",
    "fact_type",
    "source",
    "severity",
    "tier",
    "list_type",
    "decided_on",
    "valid_to",
    "document_no",
    "legal_basis",
]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(subject: str, fact_type: str, source: str, severity: str = "", **extra: str) -> dict[str, str]:
    values = {"subject": subject, "fact_type": fact_type, "source": source, "severity": severity}
    values.setdefault("decided_on", "2026-02-01")
    values.update(extra)
    return values


def fact_count(ctx: Context) -> int:
    with ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(CreditFact)) or 0)


def test_a_file_with_problems_records_nothing_and_names_every_problem(ctx: Context, tmp_path: Path) -> None:
    seed_configuration(ctx)
    rows = [
        row(ACME, "penalty", "customs", "general", document_no="海关罚字1号", legal_basis="海关行政处罚实施条例第15条"),
        row("91460000MA5TCRD0X", "penalty", "customs", "general", document_no="2", legal_basis="x"),  # bad check digit
        row(BETA, "customs_tier", "customs", tier="certified", document_no="3", decided_on="2026-03-01"),  # 251: none
        row(BETA, "penalty", "mars", "awful", decided_on="2026-13-01"),
        row(ACME, "penalty", "customs", "general", document_no="海关罚字1号", legal_basis="again"),  # same decision
        row(BETA, "platform_refusals", "customs", "minor", document_no="5"),
    ]
    path = write_csv(tmp_path / "facts.csv", rows)
    with pytest.raises(CreditInvalid) as caught:
        import_facts(ctx, path)
    found = {(p.field, p.rule_id) for p in caught.value.problems}
    assert found >= {
        ("row[3].subject", "CRD-SUBJECT"),
        ("row[4].tier", "CRD-TIER"),
        ("row[5].source", "CRD-SOURCE"),
        ("row[5].severity", "CRD-SEVERITY"),
        ("row[5].decided_on", "CRD-DATE"),
        ("row[6].document_no", "CRD-DUPLICATE-ROW"),
        ("row[7].fact_type", "CRD-PLATFORM-ONLY"),
    }
    fields = [p.field for p in caught.value.problems]
    assert fields == sorted(fields, key=lambda f: int(f[4 : f.index("]")]))  # by row
    assert fact_count(ctx) == 0


def test_import_then_rate_as_of_a_day_and_as_known_at_a_time(ctx: Context, tmp_path: Path) -> None:
    seed_configuration(ctx)
    rows = [
        row(ACME, "customs_tier", "customs", tier="advanced", decided_on="2025-06-01", document_no="AEO-1"),
        row(
            ACME, "penalty", "market", "general", decided_on="2026-02-01", document_no="市监罚1号", legal_basis="广告法"
        ),
        row(
            BETA,
            "list_entry",
            "court",
            "serious",
            list_type="court_dishonest",
            decided_on="2026-01-10",
            document_no="(2026)琼01执1号",
            legal_basis="最高法失信被执行人名单规定",
        ),
    ]
    report = import_facts(ctx, write_csv(tmp_path / "facts.csv", rows), actor="zone-office")
    assert (report.rows, report.recorded, report.subjects_created) == (3, 3, 2)
    with pytest.raises(CreditInvalid) as again:
        import_facts(ctx, write_csv(tmp_path / "again.csv", rows[:1]))
    assert [p.rule_id for p in again.value.problems] == ["CRD-DUPLICATE"]

    on_day = show_subject(ctx, ACME, on=date(2026, 3, 1))
    assert (on_day.score, on_day.level) == (95, "A")  # 100 + 10 − 15; the AEO floor is off while a negative counts
    assert [(c.modifier, c.counted) for c in on_day.contributions] == [("tier-advanced", 10), ("general", -15)]
    before_penalty = show_subject(ctx, ACME, on=date(2026, 1, 31))
    assert (before_penalty.score, before_penalty.floors[0].id) == (110, "customs-advanced")
    beta = show_subject(ctx, BETA, on=date(2026, 3, 1))
    assert (beta.score, beta.score_level, beta.level) == (60, "C", "D")

    # the market office withdraws its penalty: a new row, the old one stays
    penalty = next(f for f in subject_facts(ctx, ACME) if f.fact_type == "penalty")
    recorded_before = ctx.clock.now()
    ctx.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    withdrawal = FactIn(
        subject=ACME,
        fact_type="penalty",
        source="market",
        severity="general",
        decided_on="2026-02-01",
        document_no="市监罚1号-撤",
        legal_basis="行政复议决定",
        supersedes=penalty.id,
        retracted=True,
    )
    record_fact(ctx, withdrawal, actor="market-officer")
    assert show_subject(ctx, ACME, on=date(2026, 3, 1)).score == 110
    as_known = show_subject(ctx, ACME, on=date(2026, 3, 1), known_at=recorded_before)
    assert as_known.score == 95  # what the platform knew before the withdrawal
    assert [f.retracted for f in subject_facts(ctx, ACME)] == [False, False, True]


def test_facts_are_append_only_in_the_database(ctx: Context) -> None:
    seed_configuration(ctx)
    record_fact(
        ctx,
        FactIn(
            subject=ACME,
            fact_type="penalty",
            source="tax",
            severity="minor",
            decided_on="2026-02-01",
            document_no="税罚1号",
            legal_basis="税收征管法",
        ),
        actor="tax",
    )
    with pytest.raises(DatabaseError), ctx.engine.begin() as conn:
        conn.execute(text("UPDATE credit_fact SET severity = 'positive'"))


def test_the_251_to_282_change_is_a_data_load(ctx: Context) -> None:
    seed_configuration(ctx)
    certified = FactIn(
        subject=ACME,
        fact_type="customs_tier",
        source="customs",
        tier="certified",
        decided_on="2026-04-01",
        document_no="AEO-282-1",
    )
    ctx.clock.set(ctx.clock.now() + timedelta(days=60))  # type: ignore[attr-defined]
    read = record_fact(ctx, certified, actor="customs")
    assert (read.severity, read.publish_max_until) == ("positive", None)
    too_early = certified.model_copy(update={"decided_on": "2026-03-31", "document_no": "AEO-251-1"})
    with pytest.raises(CreditInvalid) as caught:
        record_fact(ctx, too_early, actor="customs")
    assert [p.rule_id for p in caught.value.problems] == ["CRD-TIER"]


def test_configuration_versions_never_change(ctx: Context) -> None:
    assert len(seed_configuration(ctx).loaded) == 12
    assert len(seed_configuration(ctx).unchanged) == 12
    ruleset = json.loads(json.dumps(next(v for k, v in shipped_documents() if k == ConfigKind.RULESET)))
    ruleset["base"] = 90
    with pytest.raises(CreditConflict) as caught:
        load_configuration(ctx, [(ConfigKind.RULESET, ruleset)], actor="zone-office")
    assert [p.rule_id for p in caught.value.problems] == ["CRD-CONFIG-CHANGED"]
    ruleset.update(version="2", effective_from="2026-03-01")
    assert load_configuration(ctx, [(ConfigKind.RULESET, ruleset)], actor="zone-office").loaded == ["ruleset:zone@2"]
    assert show_subject_or_none(ctx) is None
    record_fact(
        ctx,
        FactIn(
            subject=ACME,
            fact_type="penalty",
            source="tax",
            severity="minor",
            decided_on="2026-02-01",
            document_no="税罚2号",
            legal_basis="税收征管法",
        ),
        actor="tax",
    )
    assert show_subject(ctx, ACME, on=date(2026, 2, 28)).ruleset == "zone@1"
    assert (
        show_subject(ctx, ACME, on=date(2026, 3, 1)).ruleset,
        show_subject(ctx, ACME, on=date(2026, 3, 1)).score,
    ) == ("zone@2", 87)


def show_subject_or_none(ctx: Context) -> object:
    try:
        return show_subject(ctx, ACME)
    except CreditNotFound:
        return None


def test_rate_dry_run_publish_movers_and_overrides(ctx: Context) -> None:
    seed_configuration(ctx)
    for code, severity, number in ((ACME, "serious", "1"), (BETA, "minor", "2")):
        record_fact(
            ctx,
            FactIn(
                subject=code,
                fact_type="penalty",
                source="customs",
                severity=severity,
                decided_on="2026-02-01",
                document_no=number,
                legal_basis="条例",
            ),
            actor="customs",
        )
    dry = rate_subjects(ctx, dry_run=True)
    assert (dry.distribution, dry.stored, len(dry.movers)) == ({"A": 1, "B": 0, "C": 1, "D": 0}, 0, 2)
    published = rate_subjects(ctx, dry_run=False, actor="zone-office")
    assert published.stored == 2
    assert rate_subjects(ctx).movers == []  # nothing moved since the published run
    stricter = json.loads(json.dumps(next(v for k, v in shipped_documents() if k == ConfigKind.RULESET)))
    stricter["thresholds"][0]["min_score"] = 98
    tried = rate_subjects(ctx, candidate=stricter)
    assert [(m.subject, m.before, m.after) for m in tried.movers] == [(BETA, "A", "B")]
    until = date(2026, 3, 9)
    rating = set_override(
        ctx, ACME, level="B", reason="整改承诺已提交 / rectification committed", until=until, actor="zone-office"
    )
    assert (rating.level, rating.computed_level, rating.override and rating.override.actor) == ("B", "C", "zone-office")
    assert show_subject(ctx, ACME, on=until).level == "C"  # the override expired
    with pytest.raises(CreditInvalid) as caught:
        set_override(ctx, ACME, level="Z", reason="", until=date(2026, 3, 1), actor="x")
    assert {p.rule_id for p in caught.value.problems} == {"CRD-LEVEL", "CRD-OVERRIDE-EXPIRY", "CRD-OVERRIDE-REASON"}
