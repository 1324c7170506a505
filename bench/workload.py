"""Realistic import traffic for the benchmarks (压测报文): order, payment, waybill and inventory sets as CEB XML.

Reuses the demo: Faker zh_CN buyers with valid resident ID numbers (``cbec.demo.people``), the demo's plan of
a day (baskets from the zone's filed goods, quota stories, labelled faults) and its builders. The demo makes
about 10 % of orders faulty; the benchmark keeps only ``fault_rate`` of all orders faulty (3 % by default),
dropping the rest of the faulty ones, so the faults stay the demo's realistic ones: a payment that differs from
the order, a relative paying, another consignee phone, a renamed line, over the single or the annual limit, goods
not on the positive list, bonded-only fruit by direct purchase, a mistyped ID number, an unsigned inventory, a
reused order number, too much sugar, a payment that never comes, a luxury watch held for review.

Traffic is cut into rounds of 1 to 100 orders (most full, some small), each round sent as one CEB311, one
CEB411 and one CEB511 in DxpMsg envelopes, one signed CEB621 (inventories that overtook their orders go first)
and one CEB711 listing the round's direct-purchase (9610) parcels under the round's master bill. Sets are
partitioned by buyer (a buyer's sets, and an order number reused by mistake, stay in one partition), so several
processes can ingest partitions side by side as independent intake processes would.

    .venv/bin/python -m bench.workload --sets 2000 --out var/bench/sample   # writes the messages as files
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.env import CACHE
from cbec.common.clock import SHANGHAI
from cbec.demo.builders import DocumentSet, Party, build_arrival, build_message
from cbec.demo.generator import documents_for
from cbec.demo.people import make_buyers
from cbec.demo.plan import Fault, PlannedOrder, Scenario, plan_day
from cbec.demo.zone import BY_KEY, parties
from cbec.messages import ImportDocument, render_message, seal_envelope
from cbec.messages.signature import sign_document
from cbec.messages.signature_signers import SignatureAlgorithm, Signer, generate_test_identity

DEMO_FAULT_SHARE = 0.1  # cbec.demo.plan.fault_counts makes about this share of orders faulty
LATE = (Fault.OVER_ANNUAL_LIMIT, Fault.DUPLICATE_ORDER)


@dataclass(frozen=True, slots=True)
class WorkloadSpec:
    """What to generate."""

    sets: int
    seed: int = 20260302
    fault_rate: float = 0.03
    partitions: int = 1
    business_day: str = "2026-03-02"
    tag: str = ""  # extra order-number prefix, so several workloads can go to one database
    envelopes: bool = True
    algorithm: str = "rsa"  # rsa (RSA-SHA1) or sm2 (SM2-SM3, much slower to generate)
    single: bool = False  # one document per message (the latency benchmark's traffic)
    version: int = 5  # bump when the generator changes, so cached workloads are made again

    @property
    def day(self) -> date:
        """Return the business day the orders are placed on."""
        return date.fromisoformat(self.business_day)

    def key(self) -> str:
        """Return a short digest naming this workload in the cache."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]

    def noun(self) -> str:
        """Return what one set of this traffic is called in the record."""
        return "order sets"


@dataclass(slots=True)
class Message:
    """One message on the wire."""

    message_type: str
    documents: int
    raw: bytes
    sender: str = ""  # customs code of the sending enterprise (BaseTransfer copCode)


@dataclass(slots=True)
class Partition:
    """The messages one intake process sends, in order."""

    messages: list[Message] = field(default_factory=list)
    sets: int = 0

    @property
    def documents(self) -> int:
        """Return how many documents the partition carries."""
        return sum(m.documents for m in self.messages)


@dataclass(slots=True)
class Workload:
    """Generated traffic: partitions of messages and what they contain."""

    spec: WorkloadSpec
    partitions: list[Partition]
    faults: Counter[str]
    generated_in: float = 0.0
    certificates: dict[str, bytes] = field(default_factory=dict)  # sender code -> certificate (DER) to register

    @property
    def sets(self) -> int:
        """Return the number of order sets (complete or faulty) in the traffic."""
        return sum(p.sets for p in self.partitions)

    @property
    def messages(self) -> list[Message]:
        """Return every message of every partition."""
        return [m for p in self.partitions for m in p.messages]

    @property
    def documents(self) -> int:
        """Return how many documents the traffic carries."""
        return sum(p.documents for p in self.partitions)

    def describe(self) -> str:
        """Return a one-line description of the traffic for the record."""
        messages = self.messages
        kinds = Counter(m.message_type for m in messages)
        size = sum(len(m.raw) for m in messages)
        faulty = sum(self.faults.values())
        mix = ", ".join(f"{k.removeprefix('CEB').removesuffix('Message')}×{v}" for k, v in sorted(kinds.items()))
        return (
            f"{self.sets:,} {self.spec.noun()} ({faulty:,} faulty = {faulty / max(self.sets, 1):.1%}), "
            f"{self.documents:,} documents in {len(messages):,} messages "
            f"({mix}; "
            f"{size / 1e6:,.1f} MB, 1-100 documents each), {len(self.partitions)} partition(s), "
            f"seed {self.spec.seed}, {self.spec.algorithm.upper()} signatures"
        )


def round_sizes(rng: random.Random, total: int, *, single: bool = False) -> Iterator[int]:
    """Yield message sizes adding up to total: 60 % full (100), 25 % 20-99, 15 % 1-19 documents (or all 1)."""
    if single:
        yield from [1] * total
        return
    left = total
    while left > 0:
        draw = rng.random()
        size = 100 if draw < 0.6 else (rng.randint(20, 99) if draw < 0.85 else rng.randint(1, 19))
        size = min(size, left)
        left -= size
        yield size


class Senders:
    """Renders, signs and envelopes messages like the zone's enterprises would."""

    def __init__(self, spec: WorkloadSpec, at: datetime) -> None:
        self.spec = spec
        self.at = at
        self.algorithm = SignatureAlgorithm.SM2_SM3 if spec.algorithm == "sm2" else SignatureAlgorithm.RSA_SHA1
        self.signers: dict[str, Signer] = {}
        self.certificates: dict[str, bytes] = {}

    def signer(self, party: Party) -> Signer:
        """Return the party's throw-away signing identity."""
        if party.code not in self.signers:
            not_before = self.at - timedelta(days=1)
            self.signers[party.code], self.certificates[party.code] = generate_test_identity(
                self.algorithm, party.name, not_before=not_before
            )
        return self.signers[party.code]

    def message(
        self, documents: list[ImportDocument], sender: Party, *, sign: bool = True, envelope: bool = False
    ) -> Message:
        """Return one rendered message."""
        message = build_message(documents, sender)
        raw = render_message(message)
        if sign:
            raw = sign_document(raw, self.signer(sender))
        if envelope and self.spec.envelopes:
            raw = seal_envelope(
                raw,
                message_type=message.message_type.value,
                sender_id=sender.dxp_id,
                message_id=message.guid,
                created_at=self.at,
            )
        return Message(message.message_type.value, len(documents), raw, sender.code)


def _partition_of(order: PlannedOrder, partitions: int, owner: dict[str, int]) -> int:
    if order.fault == Fault.DUPLICATE_ORDER and order.order_no in owner:
        return owner[order.order_no]
    digest = hashlib.blake2b(order.buyer.id_number.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % partitions


def plan_orders(spec: WorkloadSpec) -> tuple[list[PlannedOrder], Counter[str]]:
    """Plan the orders with the demo's planner and keep only fault_rate of them faulty."""
    rng = random.Random(spec.seed)
    wanted = max(20, round(spec.sets / (1 - DEMO_FAULT_SHARE + spec.fault_rate)))
    buyers = make_buyers(max(40, wanted // 3), seed=spec.seed, today=spec.day)
    plan = plan_day(buyers, wanted, seed=spec.seed, day_tag=f"{spec.day:%y%m%d}{spec.tag}", with_review=True)
    faulty = [o for o in plan.orders if o.fault is not None]
    keep = min(1.0, spec.fault_rate * len(plan.orders) / max(1, len(faulty)))
    kept: list[PlannedOrder] = []
    faults: Counter[str] = Counter()
    for order in plan.orders:
        if order.fault is not None:
            if rng.random() >= keep:
                continue
            faults[str(order.fault)] += 1
        # Cancels and returns are not part of the throughput traffic; those orders clear normally.
        if order.scenario in (Scenario.CANCEL_BEFORE_ARRIVAL, Scenario.CANCEL_AFTER_RELEASE, Scenario.PARTIAL_RETURN):
            order.scenario = None
        kept.append(order)
    return kept, faults


def identities(spec: WorkloadSpec) -> Senders:
    """Return the zone's senders with their signing identities made (their certificates are to be registered)."""
    at = datetime.combine(spec.day, datetime.min.time(), SHANGHAI) + timedelta(hours=9)
    senders = Senders(spec, at)
    for key in ("agent", "platform", "payment", "logistics", "site"):
        senders.signer(BY_KEY[key].party())
    return senders


def generate(spec: WorkloadSpec, senders: Senders | None = None) -> Workload:
    """Generate the traffic of a spec (signed by the given senders, or by new ones)."""
    started = time.perf_counter()
    orders, faults = plan_orders(spec)
    sender = senders or identities(spec)
    owner: dict[str, int] = {}
    buckets: list[list[PlannedOrder]] = [[] for _ in range(spec.partitions)]
    for order in orders:
        number = _partition_of(order, spec.partitions, owner)
        if order.fault != Fault.DUPLICATE_ORDER:
            owner.setdefault(order.order_no, number)
        buckets[number].append(order)
    partitions = [
        _partition(spec, number, bucket, sender, random.Random(spec.seed * 31 + number))
        for number, bucket in enumerate(buckets)
    ]
    return Workload(spec, partitions, faults, time.perf_counter() - started, dict(sender.certificates))


def _partition(
    spec: WorkloadSpec, number: int, orders: list[PlannedOrder], sender: Senders, rng: random.Random
) -> Partition:
    """Return one partition's messages: regular rounds first, then the late ones (reused numbers, quota stories)."""
    partition = Partition(sets=len(orders))
    regular = [o for o in orders if o.fault not in LATE]
    late = [o for o in orders if o.fault in LATE]
    for label, group in (("", regular), ("L", late)):
        start = 0
        for index, size in enumerate(round_sizes(rng, len(group), single=spec.single)):
            _round(spec, partition, f"{number:02d}{label}{index:06d}", group[start : start + size], sender)
            start += size
    return partition


def _round(spec: WorkloadSpec, partition: Partition, name: str, orders: list[PlannedOrder], sender: Senders) -> None:
    """Append one round's messages to a partition."""
    if not orders:
        return
    bill_no = f"781-{spec.tag}{name}"
    for order in orders:
        if not order.bonded:
            order.bill_no = bill_no
    sets: dict[int, DocumentSet] = {o.index: documents_for(o, sender.at) for o in orders}
    agent, platform = BY_KEY["agent"].party(), BY_KEY["platform"].party()
    payer, carrier, site = BY_KEY["payment"].party(), BY_KEY["logistics"].party(), BY_KEY["site"].party()
    out = partition.messages
    early = [sets[o.index].inventory for o in orders if o.scenario == Scenario.INVENTORY_FIRST]
    if early:
        out.append(sender.message(list(early), agent))
    out.append(sender.message([sets[o.index].order for o in orders], platform))
    sendable = [o for o in orders if o.fault != Fault.DUPLICATE_ORDER]
    payments = [sets[o.index].payment for o in sendable if o.fault != Fault.NO_PAYMENT]
    if payments:
        out.append(sender.message(list(payments), payer, envelope=True))
    if sendable:
        out.append(sender.message([sets[o.index].waybill for o in sendable], carrier, envelope=True))
    declared = [o for o in sendable if o.scenario != Scenario.INVENTORY_FIRST]
    signed = [sets[o.index].inventory for o in declared if o.fault != Fault.UNSIGNED]
    if signed:
        out.append(sender.message(list(signed), agent))
    unsigned = [sets[o.index].inventory for o in declared if o.fault == Fault.UNSIGNED]
    if unsigned:
        out.append(sender.message(list(unsigned), agent, sign=False))
    parcels = [o.logistics_no for o in sendable if not o.bonded]
    if parcels:
        arrival = build_arrival(parties("shop_a", bonded=False), parcels, bill_no=bill_no, at=sender.at)
        out.append(sender.message([arrival], site, envelope=True))


def _freeze(workload: Workload) -> dict[str, object]:
    """Return the workload as plain data (safe to unpickle whichever module runs)."""
    return {
        "partitions": [
            (p.sets, [(m.message_type, m.documents, m.raw, m.sender) for m in p.messages]) for p in workload.partitions
        ],
        "faults": dict(workload.faults),
        "generated_in": workload.generated_in,
        "certificates": workload.certificates,
    }


def _thaw(spec: WorkloadSpec, data: dict[str, Any]) -> Workload:
    """Return a workload from its plain data."""
    partitions = [Partition([Message(*m) for m in messages], sets) for sets, messages in data["partitions"]]
    return Workload(spec, partitions, Counter(data["faults"]), data["generated_in"], data["certificates"])


def load_or_generate(
    spec: WorkloadSpec, *, say: bool = True, make: Callable[[WorkloadSpec], Workload] | None = None
) -> Workload:
    """Return the workload of a spec from the cache under var/bench, generating it the first time (``make``: the
    generator, import traffic by default)."""
    path = CACHE / "workloads" / f"{spec.key()}.pickle"
    shown = path.relative_to(CACHE.parent.parent)
    if path.exists():
        with path.open("rb") as handle:
            workload = _thaw(spec, pickle.load(handle))
        if say:
            print(f"workload: cached {shown} (generated in {workload.generated_in:.1f} s)")
        return workload
    if say:
        print(f"workload: generating {spec.sets:,} sets ...", flush=True)
    workload = (make or generate)(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        pickle.dump(_freeze(workload), handle, protocol=pickle.HIGHEST_PROTOCOL)
    if say:
        print(f"workload: generated in {workload.generated_in:.1f} s, cached in {shown}")
    return workload


def main() -> None:
    """Generate a workload and write its messages as files, one folder per partition."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--fault-rate", type=float, default=0.03)
    parser.add_argument("--partitions", type=int, default=1)
    parser.add_argument("--algorithm", choices=("rsa", "sm2"), default="rsa")
    parser.add_argument("--out", type=Path, required=True, help="folder for the message files")
    args = parser.parse_args()
    spec = WorkloadSpec(
        sets=args.sets,
        seed=args.seed,
        fault_rate=args.fault_rate,
        partitions=args.partitions,
        algorithm=args.algorithm,
    )
    workload = load_or_generate(spec)
    for number, partition in enumerate(workload.partitions):
        folder = args.out / f"p{number:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for index, message in enumerate(partition.messages, start=1):
            (folder / f"{index:06d}_{message.message_type}.xml").write_bytes(message.raw)
    print(workload.describe())
    print(f"faults: {dict(sorted(workload.faults.items()))}")
    print(f"written to {args.out} (cbec ingest {args.out}/p00 processes them in order)")


if __name__ == "__main__":
    main()
