"""Realistic retail-export traffic (9610 出口压测报文) for the benchmarks: complete export sets as CEB XML.

An export set is what the platform needs to clear one parcel and see it leave: the order (CEB303), the receipt
of payment (CEB403, optional since 2024-12-15 — ``payment_receipt_required`` — so only ``receipt_share`` of the
orders carry one), the waybill (CEB505) and the inventory (CEB603), then the parcel's arrival at the supervised
site (CEB507, releases the inventory 120 → 399 → 800), its master bill (CEB607, bill of lading and flight) and
its departure (CEB509, closes the inventory: 899 结关). A set is complete when its inventory is closed (899).

Goods, destinations and the zone's enterprises are the export demo's (``cbec.demo.export_month``,
``cbec.demo.zone``), the documents its builders' (``cbec.demo.exports``). Traffic is cut into rounds of 1 to 100
sets like the import workload (``bench.workload.round_sizes``); a round is sent as one message per document
type: the inventories that overtake their orders (``early_share``), the orders (platform, signed), the receipts
(payment company, DxpMsg envelope), the waybills (logistics company, envelope), the inventories (declaring agent,
signed), one arrival listing the round's parcels (site operator, envelope), one master bill (agent, signed) and
one departure (logistics company, envelope) listing the parcels that were released. Signed as the import
workload (the same throw-away identities, whose certificates the benchmark registers).

``fault_rate`` of the sets are faulty, the kinds taking turns: an inventory whose line differs from the order
(refused at matching, 100), an inventory whose gross weight is below its net weight (refused on its own, not
stored), a waybill that never comes (the inventory waits, 2), a parcel that never reaches the site (accepted,
waits, 120). The carrier does not list faulty parcels on the master bill or the departure.

    .venv/bin/python -m bench.export_workload --sets 2000 --out var/bench/export-sample
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from bench.workload import (
    Message,
    Partition,
    Senders,
    Workload,
    WorkloadSpec,
    identities,
    load_or_generate,
    round_sizes,
)
from cbec.common.clock import SHANGHAI
from cbec.demo.export_month import CATALOGUE, COUNTRIES
from cbec.demo.exports import (
    ExportParties,
    ExportParty,
    ExportSet,
    build_departure,
    build_export_arrival,
    build_export_message,
    build_export_set,
    build_master_bill,
)
from cbec.demo.zone import BY_KEY
from cbec.messages import render_message, seal_envelope
from cbec.messages.export_documents import ExportDocument, ExportInventory
from cbec.messages.signature import sign_document

CLOSED = "899"  # the inventory's status once its parcel has left (结关): the set is complete


class ExportFault(StrEnum):
    """What can go wrong with an export set in the benchmark traffic, and where the inventory ends up."""

    LINE_MISMATCH = "line_mismatch"  # inventory quantity differs from the order: refused at matching (E1) → 100
    GROSS_UNDER_NET = "gross_under_net"  # gross weight below net weight: refused on its own (R9), not stored
    NO_WAYBILL = "no_waybill"  # the waybill never comes: the inventory waits for it → 2
    NOT_ARRIVED = "not_arrived"  # the parcel never reaches the site: accepted, waits for arrival → 120


# Where each kind of set's inventory ends up (None: refused before it is stored).
FINAL_STATUS: dict[ExportFault | None, str | None] = {
    None: CLOSED,
    ExportFault.LINE_MISMATCH: "100",
    ExportFault.GROSS_UNDER_NET: None,
    ExportFault.NO_WAYBILL: "2",
    ExportFault.NOT_ARRIVED: "120",
}


@dataclass(frozen=True, slots=True)
class ExportSpec(WorkloadSpec):
    """What export traffic to generate (the import spec's fields, and the export mix)."""

    receipt_share: float = 0.5  # orders that carry a receipt of payment (optional since 2024-12-15)
    early_share: float = 0.05  # inventories sent before their order, waybill and receipt
    traffic: str = "export"

    def noun(self) -> str:
        """Return what one set of this traffic is called in the record."""
        return "9610 export sets"


@dataclass(frozen=True, slots=True)
class PlannedExport:
    """One export set to send: its documents, how it is sent, and its fault if any."""

    documents: ExportSet
    receipt: bool
    early: bool
    fault: ExportFault | None


def _zone_parties(shop: str) -> ExportParties:
    def party(key: str) -> ExportParty:
        enterprise = BY_KEY[key]
        return ExportParty(enterprise.customs_code, enterprise.name, enterprise.dxp_id)

    return ExportParties(
        platform=party("platform"),
        ecommerce=party(shop),
        payment=party("payment"),
        logistics=party("logistics"),
        agent=party("agent"),
        site_operator=party("site"),
    )


SHOPS = {key: _zone_parties(key) for key in ("shop_a", "shop_b")}
CAST = SHOPS["shop_a"]  # platform, payment, logistics, agent and site are the same for both shops


def _start(spec: WorkloadSpec) -> datetime:
    """Return when the day's export orders start (08:00; arrivals, bills and departures follow within two hours)."""
    return datetime.combine(spec.day, datetime.min.time(), SHANGHAI) + timedelta(hours=8)


def _faulty(inventory: ExportInventory, fault: ExportFault | None) -> ExportInventory:
    """Return the inventory as a faulty set declares it."""
    if fault == ExportFault.LINE_MISMATCH:
        first = inventory.lines[0]
        quantity = first.quantity + 1
        line = replace(
            first,
            quantity=quantity,
            legal_quantity=first.legal_quantity / first.quantity * quantity,
            total_price=first.unit_price * quantity,
        )
        return replace(inventory, lines=(line, *inventory.lines[1:]))
    if fault == ExportFault.GROSS_UNDER_NET:
        return replace(inventory, gross_weight=inventory.net_weight - Decimal("0.1"))
    return inventory


def plan_exports(spec: ExportSpec) -> tuple[list[PlannedExport], Counter[str]]:
    """Plan the day's export sets: shops, goods, destinations, receipts, early inventories and faults."""
    rng = random.Random(spec.seed)
    kinds = list(ExportFault)
    count = min(spec.sets, round(spec.sets * spec.fault_rate))
    chosen = sorted(rng.sample(range(spec.sets), count))
    faults_of = {index: kinds[n % len(kinds)] for n, index in enumerate(chosen)}
    start = _start(spec)
    planned: list[PlannedExport] = []
    for index in range(spec.sets):
        shop = SHOPS["shop_a" if index % 3 else "shop_b"]
        items = [(goods, Decimal(rng.randint(1, 3))) for goods in rng.sample(CATALOGUE, rng.randint(1, 2))]
        number = f"{spec.day:%y%m%d}{spec.tag}{index:07d}"
        documents = build_export_set(
            shop,
            items,
            order_no=f"XE{number}",
            logistics_no=f"XL{number}",
            at=start + timedelta(seconds=index % 1800),
            country=rng.choice(COUNTRIES),
            freight=Decimal("25.00"),
        )
        fault = faults_of.get(index)
        documents = replace(documents, inventory=_faulty(documents.inventory, fault))
        planned.append(
            PlannedExport(documents, rng.random() < spec.receipt_share, rng.random() < spec.early_share, fault)
        )
    return planned, Counter(str(f) for f in faults_of.values())


def _partition_of(order_no: str, partitions: int) -> int:
    return int.from_bytes(hashlib.blake2b(order_no.encode(), digest_size=4).digest(), "big") % partitions


def generate_exports(spec: WorkloadSpec, senders: Senders | None = None) -> Workload:
    """Generate the export traffic of a spec (signed by the given senders, or by new ones)."""
    if not isinstance(spec, ExportSpec):
        raise TypeError(f"export traffic needs an ExportSpec, not {type(spec).__name__}")
    started = time.perf_counter()
    planned, faults = plan_exports(spec)
    sender = senders or identities(spec)
    buckets: list[list[PlannedExport]] = [[] for _ in range(spec.partitions)]
    for plan in planned:
        buckets[_partition_of(plan.documents.order.order_no, spec.partitions)].append(plan)
    partitions = []
    for number, bucket in enumerate(buckets):
        partition = Partition(sets=len(bucket))
        rng = random.Random(spec.seed * 37 + number)
        first = 0
        for index, size in enumerate(round_sizes(rng, len(bucket), single=spec.single)):
            _round(spec, partition, f"{number:02d}{index:06d}", bucket[first : first + size], sender)
            first += size
        partitions.append(partition)
    return Workload(spec, partitions, faults, time.perf_counter() - started, dict(sender.certificates))


def _message(sender: Senders, documents: Sequence[ExportDocument], key: str, *, envelope: bool = False) -> Message:
    """Return one signed export message sent by a zone enterprise (in a DxpMsg envelope on request)."""
    enterprise = BY_KEY[key]
    party = ExportParty(enterprise.customs_code, enterprise.name, enterprise.dxp_id)
    message = build_export_message(documents, party)
    raw = sign_document(render_message(message), sender.signer(enterprise.party()))
    if envelope and sender.spec.envelopes:
        raw = seal_envelope(
            raw,
            message_type=message.message_type.value,
            sender_id=party.dxp_id,
            message_id=message.guid,
            created_at=sender.at,
        )
    return Message(message.message_type.value, len(documents), raw, party.code)


def _round(spec: WorkloadSpec, partition: Partition, name: str, plans: list[PlannedExport], sender: Senders) -> None:
    """Append one round's messages to a partition."""
    if not plans:
        return
    out = partition.messages
    at = _start(spec) + timedelta(minutes=30)
    sets = [p.documents for p in plans]
    early = [p.documents.inventory for p in plans if p.early]
    if early:
        out.append(_message(sender, early, "agent"))
    out.append(_message(sender, [s.order for s in sets], "platform"))
    receipts = [p.documents.receipt_note for p in plans if p.receipt]
    if receipts:
        out.append(_message(sender, receipts, "payment", envelope=True))
    waybills = [p.documents.waybill for p in plans if p.fault != ExportFault.NO_WAYBILL]
    if waybills:
        out.append(_message(sender, waybills, "logistics", envelope=True))
    declared = [p.documents.inventory for p in plans if not p.early]
    if declared:
        out.append(_message(sender, declared, "agent"))
    bill_no, voyage = f"999-{spec.tag}{name}", "CA983"
    arrived = [s.waybill.logistics_no for p, s in zip(plans, sets, strict=True) if p.fault != ExportFault.NOT_ARRIVED]
    if arrived:
        arrival = build_export_arrival(CAST, arrived, at=at, ref=f"ARR{spec.tag}{name}", bill_no=bill_no)
        out.append(_message(sender, [arrival], "site", envelope=True))
    leaving = [s.waybill.logistics_no for p, s in zip(plans, sets, strict=True) if p.fault is None]
    if not leaving:
        return
    bill = build_master_bill(
        CAST, [(n, None) for n in leaving], bill_no=bill_no, voyage_no=voyage, at=at + timedelta(minutes=20)
    )
    out.append(_message(sender, [bill], "agent"))
    departure = build_departure(CAST, leaving, bill_no=bill_no, voyage_no=voyage, left_at=at + timedelta(minutes=40))
    out.append(_message(sender, [departure], "logistics", envelope=True))


def expected_statuses(workload: Workload) -> Counter[str]:
    """Return how many stored export inventories each final status should hold after the traffic."""
    faulty = sum(workload.faults.values())
    expected: Counter[str] = Counter({CLOSED: workload.sets - faulty})
    for fault, count in workload.faults.items():
        status = FINAL_STATUS[ExportFault(fault)]
        if status is not None:
            expected[status] += count
    return +expected


def load_or_generate_exports(spec: ExportSpec, *, say: bool = True) -> Workload:
    """Return the export workload of a spec from the cache under var/bench, generating it the first time."""
    return load_or_generate(spec, say=say, make=generate_exports)


def main() -> None:
    """Generate an export workload and write its messages as files, one folder per partition."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument("--fault-rate", type=float, default=0.03)
    parser.add_argument("--partitions", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder for the message files")
    args = parser.parse_args()
    spec = ExportSpec(sets=args.sets, seed=args.seed, fault_rate=args.fault_rate, partitions=args.partitions)
    workload = load_or_generate_exports(spec)
    for number, partition in enumerate(workload.partitions):
        folder = args.out / f"p{number:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for index, message in enumerate(partition.messages, start=1):
            (folder / f"{index:06d}_{message.message_type}.xml").write_bytes(message.raw)
    print(workload.describe())
    print(f"faults: {dict(sorted(workload.faults.items()))}; expected statuses {dict(expected_statuses(workload))}")
    print(f"written to {args.out} (cbec ingest {args.out}/p00 processes them in order)")


if __name__ == "__main__":
    main()
