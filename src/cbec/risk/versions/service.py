"""Ruleset versions (规则集版本管理): draft → shadow → published → retired, with maker-checker publication.

Each use case is one transaction. A version is data: its JSON body (checked by ``parse_ruleset``, every problem
listed with its rule id), the SHA-256 of the body (what every decision stores) and its state. Exactly one version
is published at a time; the shipped ``ruleset.json`` is the first, seeded on first use. The live risk consumer
reads the published version (``consumer_rulesets``) and, for each version in shadow, stores a phantom decision on
the same inputs (``record_phantoms``) — never a hold, never an alert. Publication needs a second person: the author
of a version may not publish it (``RSK-VERSION-SELF-APPROVAL``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from sqlalchemy.orm import Session

from cbec.common.errors import Conflict, NotFound
from cbec.risk.errors import problem
from cbec.risk.ml import cap_within, points_of
from cbec.risk.rules import Band, Ruleset, evaluate, parse_ruleset
from cbec.risk.versions import repository as repo
from cbec.risk.versions.models import RiskRulesetVersion, RiskShadowDecision
from cbec.risk.versions.schemas import ShadowReport, VersionRead, VolumeRow
from cbec.storage.context import Context

DRAFT, SHADOW, PUBLISHED, RETIRED = "draft", "shadow", "published", "retired"
STATES = (DRAFT, SHADOW, PUBLISHED, RETIRED)
SHIPPED_BY = "cbec (shipped)"
ALERT_BANDS = (Band.REVIEW.value, Band.HOLD.value, Band.REJECT.value)


def person(actor: str) -> str:
    """Return the account behind an actor name: an API key acts as ``username:prefix``, a session as ``username``
    (usernames hold no colon), so a second key of the author is still the author."""
    return actor.partition(":")[0]


PAST_SHIPPED = (
    "data/ruleset-2026.1.json",
    "data/ruleset-2026.2.json",
    "data/ruleset-2026.3.json",
    "data/ruleset-2026.4.json",
    "data/ruleset-2026.5.json",
)  # earlier shipped documents, kept byte for byte for replays


def shipped_text() -> str:
    """Return the shipped ruleset document (its digest is the one ``shipped_ruleset`` gives)."""
    return resources.files("cbec.risk").joinpath("data/ruleset.json").read_text(encoding="utf-8")


def past_shipped_texts() -> tuple[str, ...]:
    """Return the documents shipped before the current one (a decision they made replays without a stored row)."""
    return tuple(resources.files("cbec.risk").joinpath(p).read_text(encoding="utf-8") for p in PAST_SHIPPED)


@lru_cache(maxsize=64)
def ruleset_of(body: str) -> Ruleset:
    """Return the parsed ruleset of a stored body (parsed once per process)."""
    return parse_ruleset(body)


def _conflict(rule_id: str, field: str, zh: str, en: str, hint: str) -> Conflict:
    return Conflict(en, problems=[problem(rule_id, field, zh, en, hint)])


def _missing(version: str) -> NotFound:
    return NotFound(
        f"no ruleset version {version}",
        problems=[
            problem(
                "RSK-VERSION-UNKNOWN",
                "version",
                f"规则集版本 {version} 不存在",
                f"no ruleset version {version}",
                "List the versions with `cbec risk rules list`.",
            )
        ],
    )


def seed(session: Session, now: datetime) -> None:
    """Store the shipped ruleset as the published version when no version exists yet."""
    if repo.count(session):
        return
    body = shipped_text()
    ruleset = ruleset_of(body)
    session.add(
        RiskRulesetVersion(
            version=ruleset.version,
            body=body,
            sha256=ruleset.sha256,
            state=PUBLISHED,
            author=SHIPPED_BY,
            approver=SHIPPED_BY,
            created_at=now,
            published_at=now,
        )
    )
    session.flush()


def _read(row: RiskRulesetVersion, *, body: bool = False) -> VersionRead:
    return VersionRead(
        version=row.version,
        sha256=row.sha256,
        state=row.state,
        author=row.author,
        approver=row.approver,
        created_at=row.created_at,
        shadow_at=row.shadow_at,
        published_at=row.published_at,
        retired_at=row.retired_at,
        rules=len(ruleset_of(row.body).rules),
        body=row.body if body else None,
    )


def _get(session: Session, version: str) -> RiskRulesetVersion:
    row = repo.by_label(session, version)
    if row is None:
        raise _missing(version)
    return row


def _state(row: RiskRulesetVersion, allowed: Sequence[str], action: str) -> None:
    if row.state not in allowed:
        raise _conflict(
            "RSK-VERSION-STATE",
            "state",
            f"版本 {row.version} 处于 {row.state} 状态, 不能{action}",
            f"version {row.version} is {row.state}: it cannot be {action}",
            f"Only a version in {' or '.join(allowed)} can be {action}.",
        )


def draft(ctx: Context, text: str, *, actor: str) -> VersionRead:
    """Store a new version as a draft after checking it (every problem listed with its rule id)."""
    ruleset = parse_ruleset(text)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        seed(uow.session, now)
        if repo.by_label(uow.session, ruleset.version) is not None:
            raise _conflict(
                "RSK-VERSION-EXISTS",
                "version",
                f"版本 {ruleset.version} 已存在",
                f"version {ruleset.version} exists",
                "Give the new ruleset its own version label.",
            )
        row = RiskRulesetVersion(
            version=ruleset.version,
            body=text,
            sha256=ruleset.sha256,
            state=DRAFT,
            author=actor,
            created_at=now,
        )
        uow.session.add(row)
        uow.session.flush()
        read = _read(row)
        uow.commit()
    return read


def list_versions(ctx: Context) -> list[VersionRead]:
    """Return every version, newest first (seeding the shipped one on first use)."""
    with ctx.uow() as uow:
        seed(uow.session, ctx.clock.now())
        out = [_read(row) for row in repo.every(uow.session)]
        uow.commit()
    return out


def show(ctx: Context, version: str) -> VersionRead:
    """Return one version with its body."""
    with ctx.uow() as uow:
        seed(uow.session, ctx.clock.now())
        out = _read(_get(uow.session, version), body=True)
        uow.commit()
    return out


def to_shadow(ctx: Context, version: str, *, actor: str) -> VersionRead:
    """Put a draft in shadow: the live consumer evaluates it beside the published version from now on."""
    del actor  # any holder of risk.manage may start a shadow run; publication is the checked step
    with ctx.uow() as uow:
        row = _get(uow.session, version)
        _state(row, (DRAFT,), "put in shadow")
        row.state, row.shadow_at = SHADOW, ctx.clock.now()
        out = _read(row)
        uow.commit()
    return out


def publish(ctx: Context, version: str, *, actor: str) -> VersionRead:
    """Publish a version in shadow (a second person: never its author); the published one before it retires."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        seed(uow.session, now)
        row = _get(uow.session, version)
        _state(row, (SHADOW,), "published")
        if person(actor) == person(row.author):
            raise _conflict(
                "RSK-VERSION-SELF-APPROVAL",
                "approver",
                "起草人不得发布自己起草的版本(双人复核)",
                "the author of a version may not publish it (maker-checker)",
                "Ask a second officer holding risk.manage to publish it.",
            )
        for live in repo.in_state(uow.session, PUBLISHED):
            live.state, live.retired_at = RETIRED, now
        row.state, row.approver, row.published_at = PUBLISHED, actor, now
        out = _read(row)
        uow.commit()
    return out


def retire(ctx: Context, version: str, *, actor: str) -> VersionRead:
    """Retire a draft or a shadow version (the published one retires when another is published)."""
    del actor
    with ctx.uow() as uow:
        row = _get(uow.session, version)
        if row.state == PUBLISHED:
            raise _conflict(
                "RSK-VERSION-LIVE",
                "state",
                f"版本 {version} 正在使用, 发布新版本后自动停用",
                f"version {version} is live: it retires when another version is published",
                "Publish its successor instead.",
            )
        _state(row, (DRAFT, SHADOW), "retired")
        row.state, row.retired_at = RETIRED, ctx.clock.now()
        out = _read(row)
        uow.commit()
    return out


# --- the consumer's side ----------------------------------------------------------------------------------------


def consumer_rulesets(ctx: Context) -> tuple[Ruleset, tuple[Ruleset, ...]]:
    """Return the published ruleset and those in shadow (seeding the shipped one on first use)."""
    with ctx.uow() as uow:
        seed(uow.session, ctx.clock.now())
        published = repo.in_state(uow.session, PUBLISHED)
        shadows = tuple(ruleset_of(row.body) for row in repo.in_state(uow.session, SHADOW))
        live = ruleset_of(published[-1].body if published else shipped_text())
        uow.commit()
    return live, shadows


def ruleset_of_digest(session: Session, sha256: str) -> Ruleset | None:
    """Return the stored version whose body has this digest (for replaying a stored decision)."""
    for text in (shipped_text(), *past_shipped_texts()):
        if sha256 == ruleset_of(text).sha256:
            return ruleset_of(text)
    row = repo.by_digest(session, sha256)
    return ruleset_of(row.body) if row is not None else None


def record_phantoms(
    session: Session,
    *,
    live_decision_id: int,
    eport_no: str,
    inputs: Mapping[str, Decimal | None],
    shadows: Sequence[Ruleset],
    now: datetime,
    ml: tuple[Decimal, int] | None = None,
) -> None:
    """Store what each shadow version decides on the live decision's inputs (no hold, no alert).

    ``ml``: the live decision's ML term as (anomaly, the model's cap). The term depends on the inputs and the model
    only, so a shadow version takes the same anomaly (the same explanation, stored in the live trace), banded under
    the model's cap lowered to the version's own bound (``cbec.risk.ml.cap_within``), and adds it to its score as
    the live decision does; typologies and bands stay the rules'."""
    for ruleset in shadows:
        assessment = evaluate(ruleset, inputs)
        bonus = points_of(ml[0], cap_within(ml[1], ruleset)) if ml is not None else 0
        repo.add_phantom(
            session,
            RiskShadowDecision(
                eport_no=eport_no,
                version=ruleset.version,
                sha256=ruleset.sha256,
                live_decision_id=live_decision_id,
                score=assessment.score + bonus,
                band=assessment.band.value,
                typologies={s.typology.value: [s.score, s.band.value] for s in assessment.scores},
                decided_at=now,
            ),
        )


def shadow_report(
    ctx: Context, version: str, *, since: datetime | None = None, until: datetime | None = None
) -> ShadowReport:
    """Return, per typology and alert band, how many decisions the live and the shadow version reach over a period."""
    live: Counter[tuple[str, str]] = Counter()
    shadow: Counter[tuple[str, str]] = Counter()
    with ctx.uow() as uow:
        _get(uow.session, version)
        pairs = repo.phantoms(uow.session, version, since, until)
        for phantom, decision in pairs:
            for t in decision.trace.get("typologies", []):
                if t["band"] in ALERT_BANDS:
                    live[(t["typology"], t["band"])] += 1
            for typology, (_, band) in phantom.typologies.items():
                if band in ALERT_BANDS:
                    shadow[(typology, band)] += 1
        uow.commit()
    keys = sorted(set(live) | set(shadow), key=lambda k: (k[0], ALERT_BANDS.index(k[1])))
    rows = [
        VolumeRow(typology=t, band=b, live=live[(t, b)], shadow=shadow[(t, b)], delta=shadow[(t, b)] - live[(t, b)])
        for t, b in keys
    ]
    return ShadowReport(version=version, since=since, until=until, decisions=len(pairs), rows=rows)
