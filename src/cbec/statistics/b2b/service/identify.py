"""Identify B2B exports among the imported general-trade declarations: one stored, reproducible run.

The run reads the declarations of a tenant subtree, the filed platforms they cite (cbec.enterprises), the customs
rates (cbec.facts) and the channel list, scores each declaration with the method (pure rules) and stores the run
with its method, thresholds, input digest (everything read), result digest and counts, and one result row per
declaration. Running the same method on the same inputs gives the same two digests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from cbec.audit import record_audit
from cbec.common.money import fen_int
from cbec.enterprises import EnterpriseRole, has_role
from cbec.enterprises.lookups import find_active_by_code
from cbec.facts import customs_rates
from cbec.statistics.b2b import repository as repo
from cbec.statistics.b2b.errors import B2bInvalid
from cbec.statistics.b2b.models import B2bDeclaration, B2bRun
from cbec.statistics.b2b.rules import (
    B2bClass,
    ChannelList,
    Declaration,
    Method,
    default_channels,
    default_method,
    input_digest,
    parse_channels,
    parse_method,
    result_digest,
    score,
)
from cbec.storage.context import Context


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run found."""

    run_id: int
    tenant: str
    method_version: str
    method_digest: str
    identify_at: str
    reject_at: str
    input_digest: str
    result_digest: str
    declarations: int
    declared: int
    identified: int
    undecided: int
    general: int
    unconverted: int
    identified_value: Decimal

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "run_id": self.run_id,
            "tenant": self.tenant,
            "method_version": self.method_version,
            "method_digest": self.method_digest,
            "identify_at": self.identify_at,
            "reject_at": self.reject_at,
            "input_digest": self.input_digest,
            "result_digest": self.result_digest,
            "declarations": self.declarations,
            "declared": self.declared,
            "identified": self.identified,
            "undecided": self.undecided,
            "general": self.general,
            "unconverted": self.unconverted,
            "identified_value": format(self.identified_value, "f"),
        }


def load_method(path: Path | None = None, *, threshold: Decimal | None = None) -> Method:
    """Return a method from a JSON file (default: the shipped one), optionally with another identify threshold."""
    method = default_method()
    if path is not None:
        try:
            document = json.loads(path.read_text("utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise B2bInvalid(f"cannot read the method {path}: {exc}") from exc
        parsed, problems = parse_method(document if isinstance(document, dict) else {})
        if parsed is None:
            raise B2bInvalid(f"{path.name}: the method breaks {len(problems)} rule(s)", problems=problems)
        method = parsed
    if threshold is not None:
        parsed, problems = parse_method({**method.document(), "identify_at": str(threshold)})
        if parsed is None:
            raise B2bInvalid("the threshold breaks the method's rules", problems=problems)
        method = parsed
    return method


def load_channels(path: Path | None = None) -> ChannelList:
    """Return a channel list from a CSV file (default: the shipped one); a bad file raises ``B2bInvalid``."""
    if path is None:
        return default_channels()
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise B2bInvalid(f"cannot read the channel list {path}: {exc}") from exc
    channels, problems = parse_channels(text)
    if channels is None:
        raise B2bInvalid(f"{path.name}: {len(problems)} problem(s) in the channel list", problems=problems)
    return channels


def identify(
    ctx: Context, *, tenant: str, actor: str, method: Method | None = None, channels: ChannelList | None = None
) -> RunSummary:
    """Score every declaration of a tenant subtree and store the run with its results (one transaction)."""
    method = method or default_method()
    channels = channels or default_channels()
    now = ctx.clock.now()
    with ctx.uow() as uow:
        session = uow.session
        rows = repo.declarations_in(session, tenant)
        declarations = [_declaration(ctx, row) for row in rows]
        filed = _filed_platforms(session, {d.platform_code for d in declarations if d.platform_code})
        source = customs_rates(session)
        used: dict[str, str] = {}

        def rates(currency: str, on: date) -> Decimal | None:
            key = f"{currency}@{on.isoformat()}"
            if key not in used:
                value = source(currency, on)
                used[key] = "" if value is None else format(value.normalize(), "f")
            text = used[key]
            return Decimal(text) if text else None

        outcomes = [score(d, method, filed_platforms=filed, channels=channels, rates=rates) for d in declarations]
        counts = {k: sum(1 for o in outcomes if o.klass is k) for k in B2bClass}
        identified_value = sum(
            (o.value_cny for o in outcomes if o.klass is B2bClass.IDENTIFIED and o.value_cny is not None), Decimal(0)
        )
        run = B2bRun(
            tenant=tenant,
            method_version=method.version,
            method_digest=method.digest,
            method_document=json.dumps(method.document(), ensure_ascii=False, sort_keys=True),
            identify_at=format(method.identify_at, "f"),
            reject_at=format(method.reject_at, "f"),
            input_digest=input_digest(declarations, method, channels, sorted(filed), used),
            result_digest=result_digest(outcomes),
            declarations=len(outcomes),
            declared=counts[B2bClass.DECLARED],
            identified=counts[B2bClass.IDENTIFIED],
            undecided=counts[B2bClass.UNDECIDED],
            general=counts[B2bClass.GENERAL],
            unconverted=sum(1 for o in outcomes if o.value_cny is None),
            identified_fen=fen_int(identified_value),
            run_at=now,
            run_by=actor,
        )
        results = (
            {
                "declaration_no": o.declaration_no,
                "tenant": d.tenant,
                "declared_on": d.declared_on,
                "score": format(o.score, "f"),  # normalised: "0", "0.35", "1"
                "klass": o.klass.value,
                "reasons": ";".join(o.reasons),
                "value_fen": None if o.value_cny is None else int(o.value_cny.scaleb(2)),  # already to the fen
            }
            for d, o in zip(declarations, outcomes, strict=True)
        )
        repo.add_run(session, run, results)
        summary = _summary(run)
        record_audit(
            session,
            at=now,
            actor=actor,
            action="statistics.b2b.identified",
            entity_type="b2b_run",
            entity_key=str(run.id),
            after={k: v for k, v in summary.as_dict().items() if k != "run_id"},
        )
        uow.commit()
    return summary


def _summary(run: B2bRun) -> RunSummary:
    return RunSummary(
        run_id=run.id,
        tenant=run.tenant,
        method_version=run.method_version,
        method_digest=run.method_digest,
        identify_at=run.identify_at,
        reject_at=run.reject_at,
        input_digest=run.input_digest,
        result_digest=run.result_digest,
        declarations=run.declarations,
        declared=run.declared,
        identified=run.identified,
        undecided=run.undecided,
        general=run.general,
        unconverted=run.unconverted,
        identified_value=Decimal(run.identified_fen).scaleb(-2),
    )


def _declaration(ctx: Context, row: B2bDeclaration) -> Declaration:
    return Declaration(
        declaration_no=row.declaration_no,
        tenant=row.tenant,
        declared_on=row.declared_on,
        consignee_name=ctx.cipher.decrypt(row.consignee_name),
        consignee_country=row.consignee_country,
        currency=row.currency,
        amount=row.amount,
        platform_code=row.platform_code,
        order_no=row.order_no,
        waybill_no=row.waybill_no,
        departed_on=row.departed_on,
        destination_country=row.destination_country,
        payment_channel=row.payment_channel,
        received_amount=row.received_amount,
        received_currency=row.received_currency,
        received_on=row.received_on,
        trade_mode=row.trade_mode,
    )


def _filed_platforms(session: Any, codes: set[str]) -> frozenset[str]:
    """Return the cited codes that name an approved enterprise filed as an e-commerce platform."""
    filed = set()
    for code in sorted(codes):
        ref = find_active_by_code(session, code)
        if ref is not None and has_role(ref, EnterpriseRole.ECOMMERCE_PLATFORM):
            filed.add(code)
    return frozenset(filed)
