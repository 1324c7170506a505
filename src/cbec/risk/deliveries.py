"""Delivery after release (放行后投递, six-systems T2 R2.4): parcels signed for impossibly soon and far away, and
sellers whose parcels are not signed for at all.

An import parcel is assessed a second time, after release, at the **delivery** stage (``risk_decision.stage``;
its entry decision stays as it was), on delivery inputs only:

* **Signed** — the consumer reads the data event of each accepted waybill status (CEB513: logistics code and
  number, the signing time), finds the parcel's trade facts by its waybill (``cbec.facts.queries``, one query per
  batch), keeps the first signing (``risk_signing``, whichever ruleset is live) and, when the live ruleset reads
  delivery inputs, decides it: ``doc.sign_hours`` (release to signing, negative when signed "before" release)
  and ``doc.sign_km`` (the seat of the release customs — the direct customs of the inventory's customs code — to
  the seat of the consignee's prefecture, ``cbec.reference.geography``). Rule D1: under 2 hours over more than
  500 km: no parcel travels that fast, so the signing record is false (an empty parcel, a brushed order, goods
  diverted after release).
* **Never signed** — ``sweep_deliveries`` (``cbec risk sweep-deliveries``) takes each release day whose parcels
  are ``unsigned_days`` (15) old, once (``risk_sweep``): it counts every parcel released that day in its seller's
  and its logistics enterprise's ``released`` bucket, the ones still out (not returned or cancelled) with no
  signing in their ``unsigned`` bucket, and decides each unsigned parcel with ``doc.unsigned`` 1,
  ``doc.unsigned_share`` (its seller's unsigned / released parcels of the 30 days to its release day; None under
  ``unsigned_min_parcels``) and ``doc.carrier_unsigned_share`` (the same for its logistics enterprise). Rule D2:
  a seller with 20 % or more of its parcels never signed, while its carrier reports signings for most of its
  parcels (a carrier that reports none is a reporting gap, not the seller's fake orders).

Release days before the day risk recorded its first signing are not swept: parcels released earlier may have been
signed before risk kept signings. A delivery decision carries no entry inputs, so an entry alert is never repeated; its
alerts are the seller's (``cbec.risk.cases.rules.RULE_PIVOTS``). Released parcels are not recalled: alerts, no hold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cbec.common.clock import business_date
from cbec.facts.queries import Parcel, parcels_of_waybills, released_parcels
from cbec.reference.geography import customs_place, distance_km, place
from cbec.risk import repository as repo
from cbec.risk.models import RiskDecision, RiskSigning, RiskSweep, decision_of
from cbec.risk.rules import Band, CounterRef, Ruleset, SubjectKind, evaluate
from cbec.risk.schemas import DeliverySweepReport
from cbec.sharing.catalogue import AnyEvent, DataEvent
from cbec.storage.context import Context

STAGE = "delivery"
SWEEP = "delivery"
SHARE_DAYS = 30
STILL_OUT = frozenset({"released", "closed"})  # a returned or cancelled parcel is not counted as never delivered
SIGNED_INPUTS = ("doc.sign_hours", "doc.sign_km")
UNSIGNED_INPUTS = ("doc.unsigned", "doc.unsigned_share", "doc.carrier_unsigned_share")


@dataclass(frozen=True, slots=True)
class Signing:
    """A parcel signed for (CEB513), as its data event tells it."""

    logistics_code: str
    logistics_no: str
    signed_at: datetime
    position: int


def reads_deliveries(ruleset: Ruleset) -> bool:
    """Tell whether a ruleset decides deliveries (a rule reads a delivery input)."""
    return any(name in (*SIGNED_INPUTS, *UNSIGNED_INPUTS) for rule in ruleset.rules for name in rule.inputs)


def signing_of(event: AnyEvent) -> Signing | None:
    """Return the signing a waybill status data event tells (accepted ones only have one), else None."""
    if not isinstance(event, DataEvent) or event.payload.document_kind != "waybill_status":
        return None
    doc = event.payload.document
    code, number, at = doc.get("logistics_code"), doc.get("logistics_no"), doc.get("status_time")
    if not code or not number or not at or doc.get("logistics_status") != "S":
        return None
    try:
        signed_at = datetime.fromisoformat(str(at))
    except ValueError:
        return None
    return Signing(str(code), str(number), signed_at, event.position) if signed_at.tzinfo else None


def hours_between(released_at: datetime, signed_at: datetime) -> Decimal:
    """Return the hours from release to signing in hundredths, rounded down (negative when signed before release):
    1 h 59 min 42 s is 1.99, so a band's edge on the hundredths (``< 2``) holds exactly."""
    seconds = Decimal(int((signed_at - released_at).total_seconds()))
    return (seconds / 3600).quantize(Decimal("0.01"), ROUND_FLOOR)


def release_km(parcel: Parcel) -> Decimal | None:
    """Return the km from the seat of the parcel's release customs to the seat of its consignee's prefecture."""
    origin, destination = customs_place(parcel.customs_code), place(parcel.consignee_region)
    return distance_km(origin, destination) if origin is not None and destination is not None else None


def signed_fields(parcel: Parcel, signed_at: datetime) -> dict[str, Decimal | None]:
    """Return the delivery inputs of a signed parcel (None where the release or a place is unknown)."""
    hours = hours_between(parcel.released_at, signed_at) if parcel.released_at is not None else None
    return {"doc.sign_hours": hours, "doc.sign_km": release_km(parcel)}


def share(unsigned: Decimal | None, released: Decimal | None, least: Decimal) -> Decimal | None:
    """Return unsigned / released to 4 places, None under ``least`` released parcels (too few to judge)."""
    if unsigned is None or released is None or released < max(least, Decimal(1)):
        return None
    return (unsigned / released).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _decide(
    session: Session,
    parcel: Parcel,
    inputs: dict[str, Decimal | None],
    ruleset: Ruleset,
    *,
    day: date,
    position: int,
    now: datetime,
) -> RiskDecision:

    assessment = evaluate(ruleset, inputs)
    decision = decision_of(
        assessment,
        ruleset,
        eport_no=parcel.eport_no,
        stage=STAGE,
        order_no=parcel.order_no,
        inventory_no=parcel.inventory_no,
        tenant=parcel.tenant,
        parties=sorted({parcel.platform_code, parcel.ecommerce_code, parcel.logistics_code, parcel.agent_code}),
        business_day=day,
        subjects={
            SubjectKind.ENTERPRISE.value: parcel.ecommerce_code,
            SubjectKind.PLATFORM.value: parcel.platform_code,
        },
        event_position=position,
        decided_at=now,
    )
    session.add(decision)
    return decision


@dataclass(slots=True)
class DeliveryCount:
    """What a batch of signings or a sweep decided."""

    signed: int = 0  # signings kept (first per parcel)
    assessed: int = 0
    alerts: int = 0


def keep_signings(
    session: Session, signings: Sequence[Signing], ruleset: Ruleset | None, *, now: datetime
) -> DeliveryCount:
    """Keep the first signing of each parcel the facts know; decide it when ``ruleset`` reads delivery inputs."""
    done = DeliveryCount()
    if not signings:
        return done
    parcels = parcels_of_waybills(session, [(s.logistics_code, s.logistics_no) for s in signings])
    names = [p.eport_no for p in parcels.values()]
    kept = set(session.scalars(select(RiskSigning.eport_no).where(RiskSigning.eport_no.in_(names)))) if names else set()
    decided = repo.decided_of(session, names, STAGE)
    deciding = ruleset is not None and reads_deliveries(ruleset)
    for signing in signings:
        parcel = parcels.get((signing.logistics_code, signing.logistics_no))
        if parcel is None or parcel.eport_no in kept:
            continue
        kept.add(parcel.eport_no)
        session.add(
            RiskSigning(
                eport_no=parcel.eport_no, signed_at=signing.signed_at, position=signing.position, recorded_at=now
            )
        )
        done.signed += 1
        if not deciding or parcel.eport_no in decided:
            continue
        assert ruleset is not None
        decision = _decide(
            session,
            parcel,
            signed_fields(parcel, signing.signed_at),
            ruleset,
            day=business_date(signing.signed_at),
            position=signing.position,
            now=now,
        )
        done.assessed += 1
        done.alerts += decision.band != Band.NONE.value
    session.flush()
    return done


def _shares(session: Session, codes: set[str], day: date, least: Decimal) -> dict[str, Decimal | None]:
    refs = [CounterRef(SubjectKind.ENTERPRISE, f, SHARE_DAYS) for f in ("released", "unsigned")]
    found = {}
    for code in sorted(codes):
        sums = repo.windows(session, refs, {SubjectKind.ENTERPRISE: code}, day)
        found[code] = share(sums[refs[1].name], sums[refs[0].name], least)
    return found


def sweep_day(session: Session, day: date, ruleset: Ruleset, *, now: datetime) -> tuple[int, int, int]:
    """Count one release day's parcels and decide its unsigned ones (D2); return (parcels, unsigned, alerts)."""
    parcels = [p for p in released_parcels(session, day) if p.logistics_no]
    names = [p.eport_no for p in parcels]
    signed: set[str] = set()
    for start in range(0, len(names), 500):
        part = names[start : start + 500]
        signed.update(session.scalars(select(RiskSigning.eport_no).where(RiskSigning.eport_no.in_(part))))
    decided = repo.decided_of(session, names, STAGE)
    out = [p for p in parcels if p.eport_no not in signed and p.status in STILL_OUT]
    released: Counter[str] = Counter()
    unsigned: Counter[str] = Counter()
    for p in parcels:  # the seller's parcels and the carrier's: one each, once when they are the same enterprise
        released.update({p.ecommerce_code, p.logistics_code})
    for p in out:
        unsigned.update({p.ecommerce_code, p.logistics_code})
    for code, n in sorted(released.items()):
        repo.add(session, SubjectKind.ENTERPRISE, code, "released", day, n)
    for code, n in sorted(unsigned.items()):
        repo.add(session, SubjectKind.ENTERPRISE, code, "unsigned", day, n)
    session.flush()
    least = ruleset.parameter("unsigned_min_parcels")
    shares = _shares(session, set(unsigned), day, least)
    deadline = day + timedelta(days=int(ruleset.parameter("unsigned_days")))
    alerts = 0
    for p in out:
        if p.eport_no in decided:
            continue
        inputs: dict[str, Decimal | None] = {
            "doc.unsigned": Decimal(1),
            "doc.unsigned_share": shares[p.ecommerce_code],
            "doc.carrier_unsigned_share": shares[p.logistics_code],
        }
        decision = _decide(session, p, inputs, ruleset, day=deadline, position=0, now=now)
        alerts += decision.band != Band.NONE.value
    session.add(RiskSweep(kind=SWEEP, day=day, parcels=len(parcels), unsigned=len(out), swept_at=now))
    session.flush()
    return len(parcels), len(out), alerts


def sweep_deliveries(ctx: Context, *, ruleset: Ruleset | None = None, days: int | None = None) -> DeliverySweepReport:
    """Sweep every release day whose parcels are ``unsigned_days`` old, not swept yet, within the last ``days``
    (the ruleset's ``delivery_sweep_days``) and not before the first signing risk recorded (R2.4, rule D2); one
    transaction; then file the alerts into cases. Run it after ``cbec risk consume`` (signings first)."""
    from cbec.risk.cases.filing import gather
    from cbec.risk.versions import consumer_rulesets

    rules = ruleset or consumer_rulesets(ctx)[0]
    now = ctx.clock.now()
    until = business_date(now) - timedelta(days=int(rules.parameter("unsigned_days")))
    span = days if days is not None else int(rules.parameter("delivery_sweep_days"))
    swept: list[date] = []
    parcels = unsigned = alerts = 0
    with ctx.uow() as uow:
        session = uow.session
        first = session.scalar(select(func.min(RiskSigning.recorded_at)))
        if reads_deliveries(rules) and first is not None:
            start = max(until - timedelta(days=span - 1), business_date(first))
            done = set(session.scalars(select(RiskSweep.day).where(RiskSweep.kind == SWEEP, RiskSweep.day >= start)))
            day = start
            while day <= until:
                if day not in done:
                    found, out, alerted = sweep_day(session, day, rules, now=now)
                    swept.append(day)
                    parcels, unsigned, alerts = parcels + found, unsigned + out, alerts + alerted
                day += timedelta(days=1)
        uow.commit()
    gather(ctx)
    return DeliverySweepReport(
        released_until=until,
        days=swept,
        parcels=parcels,
        unsigned=unsigned,
        alerts=alerts,
        ruleset_version=rules.version,
    )
