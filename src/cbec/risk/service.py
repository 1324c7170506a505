"""Risk use cases (风险防控): consume events into counters and decisions, refresh bands, list alerts and rules.

Each use case is one transaction (``consume`` is one per batch of events, with the consumer's position). The risk
system never imports the clearance pipeline: it reads the outbox through ``cbec.sharing.consumers.consume`` and the
goods lines with their subject keys through ``cbec.facts.queries``. An import inventory is assessed once, at the
first of (a) its data event when its facts already carry the matched partners' keys, (b) its 120 receipt (海关入库:
order, payment and waybill matched, so payer and phone keys are on its facts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from cbec.common.scope import Scope
from cbec.facts.queries import InventoryLine, inventory_lines_of
from cbec.facts.rules import Direction
from cbec.products import FiledGoods, filed_goods, weights
from cbec.risk import repository as repo
from cbec.risk.bands import filed_brand
from cbec.risk.bands import refresh_bands as refresh_bands  # the use case, on this surface for transports
from cbec.risk.book import CounterBook, Link
from cbec.risk.conditions.reports import block_reported_buyer
from cbec.risk.deliveries import Signing, keep_signings, signing_of
from cbec.risk.exports import assess_export, reads_exports, ready, remember
from cbec.risk.items import item_values, repeat_fields, weight_fields, weight_keys
from cbec.risk.lane_measures import LaneKeeper, policy_of
from cbec.risk.lane_measures import day_lanes as day_lanes  # the batch view of a day (moved beside LaneKeeper)
from cbec.risk.lanes import LanePolicy, check_policy
from cbec.risk.lists import GoodsLine, ListEntry, screen
from cbec.risk.lists import repository as lists_repo
from cbec.risk.ml import MlModel, term
from cbec.risk.ml_store import model_for, model_of_digest, trace_of_term
from cbec.risk.models import RiskBand, RiskDecision, RiskHold, decision_of
from cbec.risk.parties import ContactBook, party_consignee
from cbec.risk.patterns import below_limit, pattern_fields
from cbec.risk.rules import (
    Band,
    Ruleset,
    SubjectKind,
    evaluate,
    replay,
    shipped_ruleset,
    trace_of,
)
from cbec.risk.schemas import AlertRead, ConsumeReport, ContributionRead, RuleRead
from cbec.risk.undos import count_quick_undos, undone_of
from cbec.risk.valuation import value_fields
from cbec.risk.versions import consumer_rulesets, record_phantoms, ruleset_of_digest
from cbec.sharing.catalogue import AnyEvent, DataEvent, InspectionEvent, ReceiptEvent, ReportEvent
from cbec.sharing.consumers import consume
from cbec.sharing.rules import EventKind
from cbec.storage.context import Context
from cbec.supervision import MeasureKind, MeasureSpec, add_measure
from cbec.supervision import SubjectKind as MeasureSubject

CONSUMER = "risk"
KINDS = (EventKind.DATA, EventKind.RECEIPT, EventKind.REPORT, EventKind.INSPECTION)
ACCEPTED = "120"  # 海关入库 (cbec.clearance.codes.ReturnStatus.ACCEPTED; read as data, not imported)
FEN = Decimal("0.01")
PAIRS = (  # (subject, other, feature): distinct partners counted
    (SubjectKind.BUYER, SubjectKind.PAYER, "payers"),
    (SubjectKind.BUYER, SubjectKind.PHONE, "phones"),
    (SubjectKind.BUYER, SubjectKind.ADDRESS, "addresses"),
    (SubjectKind.PAYER, SubjectKind.BUYER, "buyers"),
    (SubjectKind.PHONE, SubjectKind.BUYER, "buyers"),
    (SubjectKind.ADDRESS, SubjectKind.BUYER, "buyers"),
    (SubjectKind.PAYER, SubjectKind.ENTERPRISE, "enterprises"),
    (SubjectKind.ENTERPRISE, SubjectKind.PAYER, "payers"),
)


def _fen(value: Decimal) -> int:
    return int((value * 100).to_integral_value(ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class Observation:
    """What one inventory adds to the counters and gives the rules as document fields."""

    eport_no: str
    day: date
    subjects: dict[SubjectKind, str]
    total: Decimal
    near_limit: bool
    round_value: bool
    hs6_values: tuple[tuple[str, Decimal], ...]
    below_limit: bool = False  # total in [4,000, 4,500): the platform's R1.5 denominator (cbec.risk.patterns)
    items: tuple[tuple[str, Decimal], ...] = ()  # (buyer × item key, value): R1.2 (cbec.risk.items)


def observe(lines: Sequence[InventoryLine], ruleset: Ruleset) -> Observation:
    """Return an inventory's subjects, total value in CNY and whether it sits just under the single limit."""
    first = lines[0]
    keys = {
        SubjectKind.BUYER: first.buyer_key,
        SubjectKind.PAYER: first.payer_key,
        SubjectKind.PHONE: first.phone_key,
        SubjectKind.ADDRESS: first.address_key,
        SubjectKind.ENTERPRISE: first.ecommerce_code,
        SubjectKind.PLATFORM: first.platform_code,
    }
    total = sum((line.value_cny or Decimal(0) for line in lines), Decimal(0))
    near = ruleset.parameter("near_limit_lower") <= total <= ruleset.parameter("near_limit_upper")
    unit, least = ruleset.parameters.get("round_unit"), ruleset.parameters.get("round_min")
    whole = unit is not None and least is not None and total >= least and total % unit == 0
    return Observation(
        first.eport_no,
        first.declared_on,
        {kind: key for kind, key in keys.items() if key},
        total,
        near,
        whole,
        tuple((line.hs_code[:6], line.value_cny or Decimal(0)) for line in lines),
        below_limit(total, ruleset),
        item_values(lines),
    )


def counted_subjects(seen: Observation) -> list[tuple[SubjectKind, str]]:
    """Return the subjects whose buckets an inventory adds to (its parties' keys, its lines' HS6, its buyer's items)."""
    hs6 = ((SubjectKind.HS6, hs6) for hs6, _ in seen.hs6_values)
    return [*seen.subjects.items(), *hs6, *((SubjectKind.BUYER_ITEM, key) for key, _ in seen.items)]


def met_links(seen: Observation) -> list[Link]:
    """Return the partner links an inventory meets (``PAIRS`` of its subjects)."""
    return [
        (subject.value, seen.subjects[subject], other.value, seen.subjects[other])
        for subject, other, _ in PAIRS
        if subject in seen.subjects and other in seen.subjects
    ]


def count(book: CounterBook, seen: Observation) -> None:
    """Add an inventory to the counters of its day (once per inventory; the caller guarantees it), in the batch's
    book (``CounterBook``: loaded with the inventory's subjects and links, written at the end of the batch)."""
    for kind, key in seen.subjects.items():
        book.add(kind, key, "inventories", seen.day, 1)
        book.add(kind, key, "value", seen.day, _fen(seen.total))
        if seen.near_limit:
            book.add(kind, key, "near_limit", seen.day, 1)
        if seen.round_value:
            book.add(kind, key, "round", seen.day, 1)
        if seen.below_limit and kind is SubjectKind.PLATFORM:
            book.add(kind, key, "below_limit", seen.day, 1)
    for hs6, value in seen.hs6_values:
        book.add(SubjectKind.HS6, hs6, "lines", seen.day, 1)
        book.add(SubjectKind.HS6, hs6, "value", seen.day, _fen(value))
    for key, value in seen.items:  # R1.2: one inventory holding the buyer's item, and the item's value
        book.add(SubjectKind.BUYER_ITEM, key, "inventories", seen.day, 1)
        book.add(SubjectKind.BUYER_ITEM, key, "value", seen.day, _fen(value))
    for subject, other, feature in PAIRS:
        if subject in seen.subjects and other in seen.subjects:
            book.see_pair((subject, seen.subjects[subject]), (other, seen.subjects[other]), feature, seen.day)


@dataclass(slots=True)
class _Handler:
    ruleset: Ruleset
    now: datetime
    shadows: tuple[Ruleset, ...] = ()  # versions in shadow: phantom decisions on the same inputs, no hold or alert
    lanes: LaneKeeper | None = None  # the lane of each decision as a supervision measure (a lane policy is set)
    ml: MlModel | None = None  # the bounded ML term's model for this ruleset version (optional)
    report_block_days: int = 180  # a confirmed consumer report's block on the buyer key (cbec.risk.conditions.reports)
    assessed: int = 0
    alerts: int = 0
    holds: int = 0
    blocks: int = 0  # buyer keys blocked by confirmed consumer reports
    _done: set[str] = field(default_factory=set)
    _lists: list[ListEntry] | None = None  # the external lists' entries, read once per batch
    _pending: list[tuple[str, bool, int]] = field(default_factory=list)  # (E-port number, needs partners, position)
    _undone: list[tuple[str, datetime]] = field(default_factory=list)  # cancels and returns accepted (R2.5)
    _signings: list[Signing] = field(default_factory=list)  # parcels signed for (CEB513, R2.4)

    def __call__(self, session: Session, event: AnyEvent) -> None:
        if isinstance(event, ReportEvent):  # a consumer report reviewed: confirmed ones block the buyer key
            self.blocks += block_reported_buyer(session, event.payload, at=self.now, days=self.report_block_days)
            return
        if isinstance(event, InspectionEvent):  # R7.2: a failed inspection counts against its e-commerce enterprise
            p = event.payload
            if p.outcome == "failed" and p.ecommerce_code:
                on = date.fromisoformat(p.on)
                repo.add(session, SubjectKind.ENTERPRISE, p.ecommerce_code, "inspect_failed", on, 1)
            return
        export = remember(session, event)  # an export's declared value, release or receipt of payment
        if export is not None:
            if reads_exports(self.ruleset) and ready(export):
                decided = assess_export(session, export, self.ruleset, now=self.now)
                self.assessed += decided is not None
                self.alerts += decided is not None and decided.band != Band.NONE.value
            return
        undone = undone_of(event) if isinstance(event, ReceiptEvent) else None
        if undone is not None:
            self._undone.append(undone)
            return
        signing = signing_of(event)
        if signing is not None:
            self._signings.append(signing)
            return
        if isinstance(event, DataEvent) and event.payload.document_kind == "inventory":
            eport_no, need_partners = event.business_key.removeprefix("inventory:"), True
        elif (
            isinstance(event, ReceiptEvent)
            and event.payload.document_kind == "inventory"
            and event.payload.status == ACCEPTED
        ):
            eport_no, need_partners = str(event.payload.keys.get("eport_no") or ""), False
        else:
            return
        if eport_no and eport_no not in self._done:
            self._pending.append((eport_no, need_partners, event.position))

    def finish(self, session: Session) -> None:
        """Assess the batch's inventories in event order: their lines, the decided ones, the bands, the counters and
        links of their subjects read once each; the counters written once at the end."""
        pending, self._pending = self._pending, []
        undone, self._undone = self._undone, []
        signings, self._signings = self._signings, []
        count_quick_undos(session, undone, self.ruleset)  # before the book loads the sellers' buckets
        delivered = keep_signings(session, signings, self.ruleset, now=self.now)  # R2.4: the delivery stage
        self.assessed, self.alerts = self.assessed + delivered.assessed, self.alerts + delivered.alerts
        if not pending:
            return
        names = [eport_no for eport_no, _, _ in pending]
        lines_of = inventory_lines_of(session, Direction.IMPORT, names)
        decided = repo.decided_of(session, names)
        chosen: list[tuple[list[InventoryLine], int]] = []
        for eport_no, need_partners, position in pending:
            lines = lines_of.get(eport_no)
            if eport_no in self._done or eport_no in decided or not lines:
                continue
            if need_partners and lines[0].payer_key is None:
                continue
            self._done.add(eport_no)
            chosen.append((lines, position))
        if not chosen:
            return
        seen = [observe(lines, self.ruleset) for lines, _ in chosen]
        book = CounterBook(session)
        book.load(
            (s for one in seen for s in counted_subjects(one)),
            (link for one in seen for link in met_links(one)),
            min(one.day for one in seen),
        )
        bands = repo.bands(session, (hs6 for one in seen for hs6, _ in one.hs6_values))
        # the batch's filings, read once: the brands of the bands by brand (R4.1) and the parcel weights (R2.3)
        filed = filed_goods(session, {key for lines, _ in chosen for key in weight_keys(lines)})
        weighed, contacts = weights(filed), ContactBook(session)
        for (lines, position), one in zip(chosen, seen, strict=True):
            self.assess(session, lines, position, one, book, bands, filed, weighed, contacts)
        book.write()

    def assess(
        self,
        session: Session,
        lines: Sequence[InventoryLine],
        position: int,
        seen: Observation,
        book: CounterBook,
        bands: Mapping[str, RiskBand],
        filed: Mapping[tuple[str, str], FiledGoods],
        weighed: Mapping[tuple[str, str], Decimal],
        contacts: ContactBook,
    ) -> None:
        count(book, seen)
        inputs = book.windows(self.ruleset.counters(), seen.subjects, seen.day)
        inputs.update(pattern_fields(book, seen.subjects, seen.day, self.ruleset))  # R1.5, R2.5
        inputs.update(repeat_fields(book, seen.items, seen.day))  # R1.2
        inputs.update(weight_fields(lines, weighed, self.ruleset))  # R2.3
        first = lines[0]
        z_min, ratio_min, chance, revenue = value_fields(
            lines, bands, self.ruleset, lambda line: filed_brand(filed, line.ecommerce_code, line.item_no)
        )
        differs = None
        if first.payer_key and first.buyer_key:
            differs = Decimal(int(first.payer_key != first.buyer_key))
        if self._lists is None:
            self._lists = lists_repo.entries(session)
        inputs.update(
            screen(
                self._lists,
                [GoodsLine(line.hs_code, line.goods_name) for line in lines],
                seller=first.ecommerce_code,
                parties=(first.platform_code, first.ecommerce_code, first.logistics_code, first.agent_code),
                day=seen.day,
                subjects={kind.value: key for kind, key in seen.subjects.items()},  # a case's watch entry on a key
            )
        )
        inputs.update(
            {
                "doc.value_cny": seen.total,
                "doc.lines": Decimal(len(lines)),
                "doc.near_limit": Decimal(int(seen.near_limit)),
                "doc.payer_differs": differs,
                "doc.robust_z_min": z_min,
                "doc.value_ratio_min": ratio_min,
                "doc.illicit_chance": chance,
                "doc.round_value": Decimal(int(seen.round_value)),
                "doc.party_consignee": party_consignee(
                    first.phone_key, (contacts.key(first.ecommerce_code), contacts.key(first.platform_code))
                ),
            }
        )
        assessment = evaluate(self.ruleset, inputs)
        trace = trace_of(assessment, self.ruleset)
        bonus = term(self.ml, inputs) if self.ml is not None else None  # never the review band alone
        if bonus is not None:
            trace["ml"] = trace_of_term(bonus)
        under = next((s for s in assessment.scores if s.typology.value == "undervaluation"), None)
        decision = decision_of(
            assessment,
            self.ruleset,
            trace=trace,
            extra_points=bonus.points if bonus is not None else 0,
            expected_revenue=revenue if under is not None and under.band is not Band.NONE else Decimal(0),
            eport_no=first.eport_no,
            order_no=first.order_no,
            inventory_no=first.inventory_no,
            tenant=first.tenant,
            parties=sorted({first.platform_code, first.ecommerce_code, first.logistics_code, first.agent_code}),
            business_day=seen.day,
            subjects={kind.value: key for kind, key in seen.subjects.items()},
            event_position=position,
            decided_at=self.now,
        )
        session.add(decision)
        session.flush()
        if self.shadows:
            record_phantoms(
                session,
                live_decision_id=decision.id,
                eport_no=first.eport_no,
                inputs=inputs,
                shadows=self.shadows,
                now=self.now,
                ml=(bonus.anomaly, self.ml.cap) if bonus is not None and self.ml is not None else None,
            )
        self.assessed += 1
        days = int(self.ruleset.parameter("hold_days"))
        for score in assessment.scores:
            if score.band is Band.NONE:
                continue
            self.alerts += 1
            if score.band.rank >= Band.HOLD.rank:
                reasons = "; ".join(c.reason_zh for c in score.contributions)
                repo.add_hold(
                    session,
                    RiskHold(
                        eport_no=first.eport_no,
                        typology=score.typology.value,
                        band=score.band.value,
                        reason=f"{score.typology.value} {score.score}: {reasons}"[:500],
                        decision_id=decision.id,
                        created_at=self.now,
                        expires_at=self.now + timedelta(days=days),
                    ),
                )
                # The hold as data the pipeline reads (cbec.supervision): an inventory still waiting for its
                # partners is sent to manual review when it is decided, with this reason on the dossier.
                add_measure(
                    session,
                    source="risk",
                    subject=(MeasureSubject.INVENTORY, first.eport_no),
                    spec=MeasureSpec(
                        MeasureKind.HOLD,
                        f"risk decision {decision.id} {score.typology.value} {score.band.value}",
                        f"风险布控 / risk: {score.typology.value} {score.score}: {reasons}"[:1000],
                        self.now,
                        self.now + timedelta(days=days),
                    ),
                    at=self.now,
                    actor="risk",
                )
                self.holds += 1
        if self.lanes is not None:
            self.lanes.decide(session, decision, first)


def apply_events(
    ctx: Context,
    *,
    limit: int = 500,
    ruleset: Ruleset | None = None,
    lanes: LanePolicy | None = None,
    ml: bool = True,
) -> ConsumeReport:
    """Apply every new event: update counters and assess inventories, batch by batch (each one transaction); then
    file the new alerts into their pivots' cases (cbec.risk.cases.filing).

    The rules are the published ruleset version (``cbec.risk.versions``), and every version in shadow is evaluated
    beside it; a ``ruleset`` given here replaces both (no shadow). The lanes follow ``lanes`` or else the settings'
    lane policy (``cbec.risk.lane_measures``); without either no lane is decided. With ``ml`` (and scikit-learn)
    the latest ML model trained for the ruleset version adds its bounded term to each import decision's score.
    """
    from cbec.risk.cases.filing import gather  # the cases read decisions; this module is below them

    rules, shadows = (ruleset, ()) if ruleset is not None else consumer_rulesets(ctx)
    policy = lanes if lanes is not None else policy_of(ctx.settings)
    if policy is not None:
        check_policy(policy)
    model = None
    if ml:
        with ctx.uow() as uow:
            model = model_for(uow.session, rules)
            uow.commit()
    handled = assessed = alerts = holds = blocks = 0
    decided: dict[str, int] = {}
    position = -1
    while True:
        now = ctx.clock.now()
        keeper = LaneKeeper(policy, now, int(rules.parameter("hold_days"))) if policy is not None else None
        handler = _Handler(
            rules, now, shadows, lanes=keeper, ml=model, report_block_days=ctx.settings.risk_report_block_days
        )
        batch = consume(ctx, CONSUMER, handler, kinds=KINDS, limit=limit)
        handled += batch.handled
        assessed, alerts, holds = assessed + handler.assessed, alerts + handler.alerts, holds + handler.holds
        blocks += handler.blocks
        for lane, n in (keeper.decided if keeper is not None else {}).items():
            decided[lane] = decided.get(lane, 0) + n
        if batch.position == position:
            break
        position = batch.position
    gather(ctx)
    return ConsumeReport(
        handled=handled,
        assessed=assessed,
        alerts=alerts,
        holds=holds,
        blocks=blocks,
        position=position,
        lanes=dict(sorted(decided.items())),
    )


def alerts_of(
    decision: RiskDecision,
    outcomes: Mapping[tuple[int, str], str] | None = None,
    ruleset: Ruleset | None = None,
) -> list[AlertRead]:
    """Return one alert per typology of a decision at review or above (reasons from the ruleset that decided);
    ``outcomes`` gives each alert's label by (decision, typology) — confirmed, valuable, false_positive, snoozed —
    else it is open."""
    trace = decision.trace
    inputs: dict[str, str | None] = trace.get("inputs", {})
    if ruleset is None and trace.get("ruleset") == shipped_ruleset().version:
        ruleset = shipped_ruleset()
    rules = {r.id: r for r in ruleset.rules} if ruleset is not None else {}
    out = []
    for t in trace.get("typologies", []):
        if t["band"] == Band.NONE.value:
            continue
        contributions = []
        for r in trace.get("rules", []):
            if r["typology"] != t["typology"] or r["status"] != "fired" or not r["weight"]:
                continue
            rule = rules.get(r["rule"])
            contributions.append(
                ContributionRead(
                    rule=r["rule"],
                    weight=r["weight"],
                    value=r["value"],
                    band=r["band"] or [None, None],
                    inputs={name: inputs.get(name) for name in (rule.inputs if rule else ())},
                    reason_zh=rule.reason_zh if rule else "",
                    reason_en=rule.reason_en if rule else "",
                )
            )
        out.append(
            AlertRead(
                decision_id=decision.id,
                typology=t["typology"],
                eport_no=decision.eport_no,
                inventory_no=decision.inventory_no,
                order_no=decision.order_no,
                business_day=decision.business_day,
                decided_at=decision.decided_at,
                subjects=dict(decision.subjects),
                score=t["score"],
                band=t["band"],
                outcome=(outcomes or {}).get((decision.id, t["typology"]), "open"),
                ruleset_version=decision.ruleset_version,
                expected_revenue=decision.expected_revenue if t["typology"] == "undervaluation" else Decimal(0),
                contributions=contributions,
            )
        )
    return out


def list_alerts(
    ctx: Context,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    typology: str | None = None,
    scope: Scope | None = None,
    limit: int = 10_000,
) -> list[AlertRead]:
    """Return the alerts decided in [since, until) within the scope; under-valuation ranked by revenue expected lost."""
    from cbec.risk.cases.repository import labels  # the disposal tables, read for the alerts' outcomes

    with ctx.uow() as uow:
        decisions = repo.alerting(uow.session, since, until, scope, limit)
        outcomes = {
            key: row.outcome or ("snoozed" if row.snoozed else "open")
            for key, row in labels(uow.session, (d.id for d in decisions)).items()
        }
        rulesets = {sha: ruleset_of_digest(uow.session, sha) for sha in {d.ruleset_sha256 for d in decisions}}
        alerts = [
            a
            for d in decisions
            for a in alerts_of(d, outcomes, rulesets[d.ruleset_sha256])
            if typology is None or a.typology == typology
        ]
    if typology == "undervaluation":
        alerts.sort(key=lambda a: (-a.expected_revenue, a.decision_id))
    return alerts


def replay_decision(
    ctx: Context, eport_no: str, ruleset: Ruleset | None = None, *, stage: str = repo.ENTRY
) -> tuple[int, int]:
    """Return an inventory's stored score and the score its stored trace gives through the ruleset again (by
    default the version whose digest the decision stored), plus its ML term re-scored by the stored model (the
    stored points when the model cannot be loaded: scikit-learn absent). ``stage``: entry, or delivery (R2.4)."""
    with ctx.uow() as uow:
        decision = uow.session.query(RiskDecision).filter_by(eport_no=eport_no, stage=stage).one()
        rules = ruleset or ruleset_of_digest(uow.session, decision.ruleset_sha256) or shipped_ruleset()
        inputs = decision.trace["inputs"]
        stored = decision.trace.get("ml")  # the ML term, re-scored by the model its digest names
        model = model_of_digest(uow.session, stored["digest"]) if stored else None
        bonus = term(model, inputs).points if model is not None else int(stored["points"]) if stored else 0
        return decision.score, replay(rules, inputs).score + bonus


def list_rules(ruleset: Ruleset | None = None) -> list[RuleRead]:
    """Return the loaded rules."""
    rules = ruleset or shipped_ruleset()
    return [
        RuleRead(
            id=r.id,
            typology=r.typology.value,
            input=r.input,
            guards=[f"{g.input} {g.op} {g.value}" for g in r.guards],
            bands=[
                f"[{b.lower if b.lower is not None else '-∞'}, {b.upper if b.upper is not None else '∞'}) → {b.weight}"
                for b in r.bands
            ],
            reason_zh=r.reason_zh,
            reason_en=r.reason_en,
        )
        for r in rules.rules
    ]
