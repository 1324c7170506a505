"""Use cases of the zone rating (信用评级): a subject's level on a day and why, a rating run, a dry run, overrides."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.scope import EVERYTHING, Scope, require_whole
from cbec.credit import repository as repo
from cbec.credit.errors import CreditInvalid, CreditNotFound, problem
from cbec.credit.models import CreditOverride, CreditSubject
from cbec.credit.rating import FactView, Override, Rating, Ruleset, parse_ruleset, rate
from cbec.credit.schemas import (
    ContributionRead,
    FactRead,
    FloorRead,
    Mover,
    OverrideRead,
    RateReport,
    RatingRead,
)
from cbec.credit.service.config import configuration, missing
from cbec.credit.service.facts import fact_read, subject_label
from cbec.credit.service.supervision import publish_supervision
from cbec.storage.context import Context


def override_of(row: CreditOverride) -> Override:
    """Return the rating's view of an override."""
    return Override(row.id, row.level, row.reason, row.actor, row.valid_from, row.valid_until)


def rating_read(
    subject: CreditSubject | repo.SubjectRow, rating: Rating, facts: Sequence[FactView], known_at: datetime | None
) -> RatingRead:
    """Return the output shape of a rating, each contribution with its fact's document and window."""
    by_id = {f.id: f for f in facts}
    contributions = []
    for c in rating.contributions:
        fact = by_id.get(c.fact_id)
        contributions.append(
            ContributionRead(
                fact_id=c.fact_id,
                fact_type=c.fact_type,
                severity=c.severity,
                modifier=c.modifier,
                points=c.points,
                counted=c.counted,
                document_no=fact.document_no if fact else None,
                decided_on=fact.decided_on if fact else None,
                publish_max_until=fact.publish_max_until if fact else None,
            )
        )
    o = rating.override
    return RatingRead(
        subject=subject_label(subject),
        kind=subject.kind,
        name=subject.name,
        on=rating.on,
        known_at=known_at,
        ruleset=rating.ruleset,
        level=rating.level,
        score=rating.score,
        computed_level=rating.computed_level,
        score_level=rating.score_level,
        floors=[
            FloorRead(
                id=f.id,
                bound=f.bound,
                level=f.level,
                fact_ids=list(f.fact_ids),
                changed=f.changed,
                description=f.description,
            )
            for f in rating.floors
        ],
        contributions=contributions,
        override=OverrideRead(
            id=o.id, level=o.level, reason=o.reason, actor=o.actor, valid_from=o.valid_from, valid_until=o.valid_until
        )
        if o
        else None,
    )


def subject_in_scope(
    session: Session, code: str, scope: Scope, cipher: Any = None, person_id: str | None = None
) -> CreditSubject:
    if person_id is not None:
        subject = repo.subject_by_person_key(session, cipher.blind_index(person_id)) if scope.unrestricted else None
    else:
        subject = repo.subject_by_code(session, code)
    if subject is None or not repo.admits(scope, subject):
        raise CreditNotFound(
            f"no credit subject {code or 'person'}",
            problems=[
                problem(
                    "CRD-SUBJECT-UNKNOWN",
                    "subject",
                    "无此信用主体",
                    "no such credit subject",
                    "Check the code; subjects are made by filings and facts.",
                )
            ],
        )
    return subject


def ruleset_on(session: Session, on: date, candidate: Mapping[str, Any] | None = None) -> Ruleset:
    if candidate is not None:
        ruleset, problems = parse_ruleset(candidate)
        if ruleset is None:
            raise CreditInvalid("the ruleset breaks the rules", problems=problems)
        return ruleset
    found = configuration(session).ruleset_on(on)
    if found is None:
        raise missing("ruleset")
    return found


def show_subject(
    ctx: Context,
    code: str,
    *,
    on: date | None = None,
    known_at: datetime | None = None,
    scope: Scope = EVERYTHING,
    person_id: str | None = None,
) -> RatingRead:
    """Answer "what was this subject's level on day D, and why" — with the facts as known at ``known_at`` (default:
    as known now), the ruleset in force on D, every contribution and floor, and the override in force."""
    day = on or business_date(ctx.clock.now())
    with ctx.uow() as uow:
        session = uow.session
        subject = subject_in_scope(session, code, scope, ctx.cipher, person_id)
        ruleset = ruleset_on(session, day)
        views = repo.fact_views_known(session, known_at, subject.id).get(subject.id, [])
        overrides = repo.overrides_known(session, [subject.id], known_at).get(subject.id, [])
        rating = rate(views, ruleset, day, [override_of(o) for o in overrides])
        return rating_read(subject, rating, views, known_at)


def subject_facts(
    ctx: Context, code: str, *, scope: Scope = EVERYTHING, person_id: str | None = None
) -> list[FactRead]:
    """Return every row recorded about a subject, corrections and withdrawals included."""
    with ctx.uow() as uow:
        subject = subject_in_scope(uow.session, code, scope, ctx.cipher, person_id)
        return [fact_read(f, subject) for f in repo.history(uow.session, subject.id)]


def rate_subjects(
    ctx: Context,
    *,
    on: date | None = None,
    candidate: Mapping[str, Any] | None = None,
    dry_run: bool = True,
    actor: str = "cli",
    scope: Scope = EVERYTHING,
) -> RateReport:
    """Rate every subject on a day. Dry: write nothing, show the level distribution and the movers against each
    subject's last stored level. Not dry: store each rating (``credit_score``), which others read as data.

    ``candidate``: a ruleset document to try instead of the one in force (dry runs only).
    """
    require_whole(scope, "全区信用评级", "rating every subject")
    if candidate is not None and not dry_run:
        raise CreditInvalid(
            "a candidate ruleset is tried dry",
            problems=[
                problem(
                    "CRD-RULESET-DRY",
                    "dry_run",
                    "未发布的规则集只能试算",
                    "a ruleset not loaded is tried dry only",
                    "Load it (cbec credit config load) with an effective date, then rate.",
                )
            ],
        )
    now = ctx.clock.now()
    day = on or business_date(now)
    with ctx.uow() as uow:
        session = uow.session
        ruleset = ruleset_on(session, day, candidate)
        everyone = repo.subject_rows(session)
        facts = repo.fact_views_known(session, None)
        overrides = repo.overrides_known(session, None, None)
        before = repo.latest_levels(session)
        distribution: Counter[str] = Counter({level: 0 for level in ruleset.levels})
        levels: dict[int, str] = {}
        movers: list[Mover] = []
        rows: list[dict[str, Any]] = []
        for subject in everyone:
            own = facts.get(subject.id, [])
            rating = rate(own, ruleset, day, [override_of(o) for o in overrides.get(subject.id, [])])
            distribution[rating.level] += 1
            levels[subject.id] = rating.level
            if before.get(subject.id) != rating.level:
                movers.append(
                    Mover(
                        subject=subject_label(subject),
                        before=before.get(subject.id),
                        after=rating.level,
                        score=rating.score,
                    )
                )
            if dry_run:
                continue
            rows.append(
                {
                    "subject_id": subject.id,
                    "on_date": day,
                    "ruleset": rating.ruleset,
                    "level": rating.level,
                    "score": rating.score,
                    "computed_at": now,
                    "computed_by": actor,
                    "detail": rating_read(subject, rating, own, None).model_dump(
                        mode="json", include={"floors", "contributions"}
                    ),
                }
            )
        stored = measures = 0
        if not dry_run:
            stored = repo.add_scores(session, rows)
            measures = publish_supervision(session, everyone, levels, day, now, ruleset, actor)
            record_audit(
                session,
                at=now,
                actor=actor,
                action="credit.ratings.published",
                entity_type="credit_rating",
                entity_key=f"{ruleset.code}@{ruleset.version}/{day.isoformat()}",
                after={"subjects": stored, "distribution": dict(distribution), "measures_changed": measures},
            )
            uow.commit()
    return RateReport(
        on=day,
        ruleset=f"{ruleset.code}@{ruleset.version}",
        dry_run=dry_run,
        subjects=len(everyone),
        distribution=dict(distribution),
        movers=movers,
        stored=stored,
        measures_changed=measures,
    )


def set_override(
    ctx: Context,
    code: str,
    *,
    level: str,
    reason: str,
    until: date,
    actor: str,
    valid_from: date | None = None,
    scope: Scope = EVERYTHING,
) -> RatingRead:
    """Set a subject's level by hand until a day (exclusive), with a reason; returns the rating with it."""
    now = ctx.clock.now()
    start = valid_from or business_date(now)
    with ctx.uow() as uow:
        session = uow.session
        subject = subject_in_scope(session, code, scope)
        ruleset = ruleset_on(session, start)
        problems = check_override(ruleset, level, reason, start, until)
        if problems:
            raise CreditInvalid("the override breaks the rules", problems=problems)
        row = repo.add_override(
            session,
            subject_id=subject.id,
            level=level,
            reason=reason.strip(),
            actor=actor,
            valid_from=start,
            valid_until=until,
            recorded_at=now,
        )
        record_audit(
            session,
            at=now,
            actor=actor,
            action="credit.override.set",
            entity_type="credit_subject",
            entity_key=subject_label(subject),
            reason=reason.strip(),
            after={"override": row.id, "level": level, "from": start.isoformat(), "until": until.isoformat()},
        )
        uow.commit()
    return show_subject(ctx, code, on=start, scope=scope)


def check_override(ruleset: Ruleset, level: str, reason: str, start: date, until: date) -> list[Problem]:
    """Return the problems of an override: a level of the ruleset, an expiry after its first day, a reason."""
    problems = []
    if level not in ruleset.levels:
        problems.append(
            problem(
                "CRD-LEVEL",
                "level",
                f"等级未知: {level}",
                f"unknown level {level!r}",
                f"Use one of: {', '.join(ruleset.levels)}.",
            )
        )
    if until <= start:
        problems.append(
            problem(
                "CRD-OVERRIDE-EXPIRY",
                "until",
                "调整须有晚于起始日的截止日",
                "an override needs an expiry after its first day",
                "Give a later day.",
            )
        )
    if not reason.strip():
        problems.append(
            problem(
                "CRD-OVERRIDE-REASON",
                "reason",
                "须说明理由",
                "a reason is required",
                "Say why the level is set by hand.",
            )
        )
    return problems
