"""Use cases of rating rulesets with maker-checker (评级规则集双人发布) and the zone's published method.

An officer **proposes** a ruleset document (the shape ``cbec credit config load --kind ruleset`` takes): it is
checked, must not start before today (a published past never changes), must be a new version, and is **dry-run**
at once — the level distribution and the movers on its first day, by ``rate_subjects`` with the candidate — and the
dry run is kept with the proposal. **Another account** publishes it (the document becomes a ``credit_config`` row
in the same transaction) or rejects it with a note; maker-checker compares the accounts, not the names, so one
officer's second API key cannot publish their own proposal. The method page and ``GET /api/v1/credit/method``
publish the ruleset in force as dimensions, indicators and weights (``cbec.credit.method``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from cbec.audit import record_audit
from cbec.common.clock import business_date
from cbec.common.errors import Problem
from cbec.common.scope import EVERYTHING, Scope, require_whole
from cbec.credit import repository as repo
from cbec.credit.errors import CreditConflict, CreditForbidden, CreditInvalid, CreditNotFound, problem
from cbec.credit.method import method_document
from cbec.credit.models import CreditRulesetProposal
from cbec.credit.rating import parse_ruleset
from cbec.credit.repair import check_note, maker_checker
from cbec.credit.schemas import DecisionIn, RateReport, RulesetProposalRead
from cbec.credit.schemes import ConfigKind, document_of
from cbec.credit.service.config import configuration, digest_of, missing, store_document
from cbec.credit.service.rating import rate_subjects
from cbec.credit.service.repair import bad_action, refuse_status
from cbec.storage.context import Context

MOVERS_KEPT = 200  # movers kept with a proposal (all are counted); the dry run itself lists them all


def proposal_read(row: CreditRulesetProposal) -> RulesetProposalRead:
    """Return the output shape of a ruleset proposal."""
    return RulesetProposalRead(
        id=row.id,
        ruleset=f"{row.code}@{row.version}",
        effective_from=row.effective_from,
        digest=row.digest,
        status=row.status,
        dry_run=row.dry_run,
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
    )


def _checked(document: Mapping[str, Any], today: date) -> tuple[str, str, date]:
    ruleset, problems = parse_ruleset(document)
    if ruleset is None:
        raise CreditInvalid("the ruleset breaks the rules", problems=problems)
    if ruleset.effective_from < today:
        raise CreditInvalid(
            "a ruleset starts today or later",
            problems=[
                problem(
                    "CRD-RULESET-PAST",
                    "effective_from",
                    "规则集生效日不得早于今天",
                    f"effective_from {ruleset.effective_from} is before today ({today})",
                    "Past ratings never change: give today or a later day.",
                )
            ],
        )
    return ruleset.code, ruleset.version, ruleset.effective_from


def _taken(what: str) -> CreditConflict:
    return CreditConflict(
        f"{what} is taken",
        problems=[
            problem(
                "CRD-RULESET-VERSION",
                "version",
                f"规则集版本已存在或待发布: {what}",
                f"{what} is loaded or proposed already",
                "Give the ruleset a new version.",
            )
        ],
    )


def propose_ruleset(
    ctx: Context,
    document: Mapping[str, Any],
    *,
    actor: str,
    account: int | None = None,
    scope: Scope = EVERYTHING,
) -> RulesetProposalRead:
    """Propose a ruleset: check it, dry-run it on its first day, keep both (another account publishes it)."""
    require_whole(scope, "评级规则集", "a rating ruleset")
    now = ctx.clock.now()
    code, version, start = _checked(document, business_date(now))
    report = rate_subjects(ctx, on=start, candidate=document, dry_run=True, actor=actor, scope=scope)
    with ctx.uow() as uow:
        session = uow.session
        pending = repo.ruleset_proposals(session, ["pending"])
        if repo.config_document(session, ConfigKind.RULESET, code, version) is not None or any(
            p.code == code and p.version == version for p in pending
        ):
            raise _taken(f"{code}@{version}")
        dry = report.model_dump(mode="json", exclude={"movers"})
        dry["movers"] = [m.model_dump(mode="json") for m in report.movers[:MOVERS_KEPT]]
        dry["movers_total"] = len(report.movers)
        row = repo.add_row(
            session,
            CreditRulesetProposal(
                code=code,
                version=version,
                effective_from=start,
                document=dict(document),
                digest=digest_of(dict(document)),
                status="pending",
                dry_run=dry,
                proposed_by=actor,
                proposed_by_account=account,
                proposed_at=now,
            ),
        )
        record_audit(
            session,
            at=now,
            actor=actor,
            action="credit.ruleset.proposed",
            entity_type="credit_config",
            entity_key=f"ruleset:{code}@{version}",
            after={"proposal": row.id, "digest": row.digest, "distribution": report.distribution},
        )
        result = proposal_read(row)
        uow.commit()
    return result


def list_ruleset_proposals(
    ctx: Context, *, status: str | None = None, scope: Scope = EVERYTHING
) -> list[RulesetProposalRead]:
    """Return the ruleset proposals, newest first (zone-wide configuration: the same for every caller)."""
    with ctx.uow() as uow:
        return [proposal_read(r) for r in repo.ruleset_proposals(uow.session, [status] if status else None)]


def dry_run_proposal(ctx: Context, proposal_id: int, *, actor: str, scope: Scope = EVERYTHING) -> RateReport:
    """Dry-run a proposal again now (the facts may have changed since it was proposed): distribution and movers."""
    require_whole(scope, "评级规则集", "a rating ruleset")
    with ctx.uow() as uow:
        row = uow.session.get(CreditRulesetProposal, proposal_id)
        if row is None:
            raise CreditNotFound(f"no ruleset proposal {proposal_id}")
        document, start = dict(row.document), row.effective_from
    today = business_date(ctx.clock.now())
    return rate_subjects(ctx, on=max(start, today), candidate=document, dry_run=True, actor=actor, scope=scope)


def decide_ruleset(
    ctx: Context,
    proposal_id: int,
    decision: DecisionIn,
    *,
    actor: str,
    account: int | None = None,
    scope: Scope = EVERYTHING,
) -> RulesetProposalRead:
    """``publish`` (another account than the proposer's: the ruleset is loaded) or ``reject`` (with a note)."""
    require_whole(scope, "评级规则集", "a rating ruleset")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        row = session.get(CreditRulesetProposal, proposal_id)
        if row is None:
            raise CreditNotFound(f"no ruleset proposal {proposal_id}")
        if decision.action not in ("publish", "reject"):
            raise bad_action(decision.action, ("publish", "reject"))
        if row.status != "pending":
            raise refuse_status("ruleset proposal", row.status, "pending")
        problems: list[Problem] = check_note(decision.note, required=decision.action == "reject")
        if problems:
            raise CreditInvalid("the decision breaks the rules", problems=problems)
        if decision.action == "publish":
            checker = maker_checker(
                actor,
                applicant=None,
                maker=row.proposed_by,
                what="ruleset",
                account=account,
                maker_account=row.proposed_by_account,
            )
            if checker:
                raise CreditForbidden("maker-checker: another officer publishes", problems=checker)
            _checked(row.document, business_date(now))
            document, found = document_of(ConfigKind.RULESET, row.document)
            if document is None:
                raise CreditInvalid("the ruleset breaks the rules", problems=found)
            stored = store_document(session, document, actor=actor, now=now)
            if stored is None:
                raise _taken(f"{row.code}@{row.version}")
            row.config_id = stored.id
        row.status = "published" if decision.action == "publish" else "rejected"
        row.decided_by, row.decided_at = actor, now
        row.decision_note = (decision.note or "").strip() or None
        session.flush()
        record_audit(
            session,
            at=now,
            actor=actor,
            action=f"credit.ruleset.{row.status}",
            entity_type="credit_config",
            entity_key=f"ruleset:{row.code}@{row.version}",
            reason=row.decision_note,
            after={"proposal": row.id, "proposed_by": row.proposed_by, "config": row.config_id},
        )
        result = proposal_read(row)
        uow.commit()
    return result


def zone_method(ctx: Context, *, on: date | None = None) -> dict[str, Any]:
    """Return the zone's rating method in force on a day (default today), with the agencies' grade mapping."""
    day = on or business_date(ctx.clock.now())
    with ctx.uow() as uow:
        config = configuration(uow.session)
    ruleset = config.ruleset_on(day)
    if ruleset is None:
        raise missing("ruleset")
    agencies = config.agencies_on(day)
    document = method_document(ruleset, agencies.grade_levels if agencies else None)
    document["on"] = day.isoformat()
    return document
