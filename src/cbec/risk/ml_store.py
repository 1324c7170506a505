"""The ML term's models in the database (``risk_ml_model``): trained from stored decisions, read by the consumer.

``train_model`` fits the forest (``cbec.risk.ml``) on the inputs of the latest decisions of the live ruleset
version, in id order, and stores it by its digest with that version; the consumer scores every new decision with
the latest model of its version (``model_for``) and keeps the term in the trace; ``replay_decision`` re-scores a
stored trace with the model whose digest the trace names. A stored body is unpickled only after its digest checks
(the platform writes these rows; nothing else does). Without scikit-learn nothing is trained or scored.
"""

from __future__ import annotations

import base64
import hashlib
import pickle
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cbec.risk.ml import FEATURES, MlModel, MlOff, MlPolicy, MlTerm, available, train
from cbec.risk.models import RiskDecision, RiskMlModel
from cbec.risk.rules import Ruleset
from cbec.storage.context import Context


@dataclass(frozen=True, slots=True)
class MlTrainReport:
    """What one training did: the model's digest, or why the term is off."""

    rows: int
    digest: str | None
    reason: str = ""


def train_model(ctx: Context, *, policy: MlPolicy | None = None, limit: int = 20_000) -> MlTrainReport:
    """Fit the term on the latest ``limit`` decisions of the live ruleset version and store it (one transaction)."""
    from cbec.risk.versions import consumer_rulesets

    ruleset = consumer_rulesets(ctx)[0]
    policy = policy or MlPolicy()
    with ctx.uow() as uow:
        session = uow.session
        stmt = (
            select(RiskDecision.trace)
            .where(RiskDecision.ruleset_sha256 == ruleset.sha256, RiskDecision.stage == "entry")  # imports at entry
            .order_by(RiskDecision.id.desc())
            .limit(limit)
        )
        rows = [trace.get("inputs", {}) for trace in session.scalars(stmt)][::-1]
        model = train(rows, ruleset, policy)
        if isinstance(model, MlOff):
            return MlTrainReport(len(rows), None, model.reason)
        if session.get(RiskMlModel, model.digest) is None:
            session.add(
                RiskMlModel(
                    digest=model.digest,
                    ruleset_version=ruleset.version,
                    ruleset_sha256=ruleset.sha256,
                    seed=policy.seed,
                    cap=model.cap,
                    rows=len(rows),
                    body=base64.b64encode(pickle.dumps(model.forest, protocol=5)).decode(),
                    centres=list(model.centres),
                    spreads=list(model.spreads),
                    trained_at=ctx.clock.now(),
                )
            )
        uow.commit()
    return MlTrainReport(len(rows), model.digest)


def _model(row: RiskMlModel) -> MlModel | None:
    body = base64.b64decode(row.body)
    head = f"{row.ruleset_version}|{row.seed}|{','.join(FEATURES)}|".encode()
    if hashlib.sha256(head + body).hexdigest() != row.digest:
        return None  # not the model the digest names: never unpickled
    forest = pickle.loads(body)  # a body whose digest the platform itself recorded, checked above
    return MlModel(
        forest,
        row.digest,
        row.ruleset_version,
        row.cap,
        tuple(row.centres),
        tuple(row.spreads),
        MlPolicy(seed=row.seed),
    )


def model_for(session: Session, ruleset: Ruleset) -> MlModel | None:
    """Return the latest model trained for a ruleset version (None: none, or scikit-learn absent)."""
    if not available()[0]:
        return None
    stmt = select(RiskMlModel).where(RiskMlModel.ruleset_sha256 == ruleset.sha256)
    row = session.scalars(stmt.order_by(RiskMlModel.trained_at.desc(), RiskMlModel.digest).limit(1)).first()
    return _model(row) if row is not None else None


def model_of_digest(session: Session, digest: str) -> MlModel | None:
    """Return the stored model a trace names (None: unknown, or scikit-learn absent)."""
    row = session.get(RiskMlModel, digest) if available()[0] else None
    return _model(row) if row is not None else None


def trace_of_term(found: MlTerm) -> dict[str, object]:
    """Return the term as the decision's trace keeps it (points, anomaly, model digest, deviations in words)."""
    return {
        "digest": found.digest,
        "points": found.points,
        "anomaly": format(found.anomaly, "f"),
        "deviations": [[name, format(value, "f"), format(dev, "f")] for name, value, dev in found.deviations],
    }
