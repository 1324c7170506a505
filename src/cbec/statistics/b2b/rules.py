"""B2B-export identification rules (pure): the method as data, the evidence items, the score and the class.

A general-trade (0110) export is scored ``c = Σ w_k · 1[evidence_k]`` over five evidence items (six-systems.md
§4.6): a cited order of a filed platform, a foreign buyer that is a company, logistics matching the consignee
country and the declaration date, the received amount within the tolerance of the declared one at the customs
rate, and proceeds through a CBEC-capable payment channel. ``c ≥ identify_at`` → identified B2B;
``c ≤ reject_at`` → general trade; in between → undecided (reported, never counted). Every item, present or not,
leaves a reason code. The method (weights, thresholds, windows, the name rules) is a versioned document whose
digest every run stores.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from importlib import resources
from typing import Any

from cbec.common.errors import Problem
from cbec.statistics.b2b.names import NAME_RULES, BuyerKind, buyer_kind

GENERAL_TRADE = "0110"
B2B_MODES = ("9710", "9810")  # B2B by declaration (GACC 2020 No. 75)
EVIDENCE = ("order", "company", "logistics", "amount", "channel")
CNY = "142"
FEN = Decimal("0.01")


class B2bClass(StrEnum):
    """The outcome for one declaration."""

    DECLARED = "declared"  # 9710/9810: B2B by declaration
    IDENTIFIED = "identified"  # identified B2B (counted as mode B2B)
    UNDECIDED = "undecided"  # reported, never counted
    GENERAL = "general"  # stays general trade


class Reason(StrEnum):
    """Reason codes: one per evidence item, present (``B2B-EV-…``) or why not."""

    ORDER = "B2B-EV-ORDER"  # an order of a filed platform is cited
    NO_ORDER = "B2B-NO-ORDER"  # no order cited
    ORDER_UNFILED = "B2B-ORDER-UNFILED"  # order cited, but its platform is not a filed (approved) platform
    COMPANY = "B2B-EV-COMPANY"  # the buyer's name is a company's
    BUYER_PERSON = "B2B-BUYER-PERSON"
    BUYER_UNKNOWN = "B2B-BUYER-UNKNOWN"
    LOGISTICS = "B2B-EV-LOGISTICS"  # waybill to the consignee's country, departed within the window
    NO_WAYBILL = "B2B-NO-WAYBILL"
    LOGISTICS_COUNTRY = "B2B-LOGISTICS-COUNTRY"
    LOGISTICS_DATE = "B2B-LOGISTICS-DATE"
    AMOUNT = "B2B-EV-AMOUNT"  # received within the tolerance of the declared amount, in CNY at the customs rate
    NO_PAYMENT = "B2B-NO-PAYMENT"
    AMOUNT_OFF = "B2B-AMOUNT-OFF"
    AMOUNT_NO_RATE = "B2B-AMOUNT-NO-RATE"
    CHANNEL = "B2B-EV-CHANNEL"  # paid through a listed CBEC-capable channel in force on the day
    CHANNEL_OTHER = "B2B-CHANNEL-OTHER"


@dataclass(frozen=True, slots=True)
class Method:
    """A versioned identification method; ``digest`` covers every field and the name rules."""

    version: str
    weights: Mapping[str, Decimal]
    identify_at: Decimal
    reject_at: Decimal
    departure_window_days: int
    amount_tolerance: Decimal
    basis: str = ""

    def document(self) -> dict[str, Any]:
        """Return the method as a JSON-ready document (decimals as plain strings)."""
        return {
            "version": self.version,
            "basis": self.basis,
            "weights": {k: _plain(self.weights[k]) for k in EVIDENCE},
            "identify_at": _plain(self.identify_at),
            "reject_at": _plain(self.reject_at),
            "departure_window_days": self.departure_window_days,
            "amount_tolerance": _plain(self.amount_tolerance),
            "name_rules": NAME_RULES,
        }

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical document."""
        return sha256_json(self.document())

    def with_threshold(self, identify_at: Decimal) -> Method:
        """Return the same method identifying at another threshold (a different digest)."""
        return Method(
            self.version,
            self.weights,
            identify_at,
            self.reject_at,
            self.departure_window_days,
            self.amount_tolerance,
            self.basis,
        )


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def sha256_json(value: Any) -> str:
    """SHA-256 of the canonical JSON of a value (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def method_problem(field: str, zh: str, en: str, hint: str) -> Problem:
    """A problem of a method document (rule ``B2B-METHOD``)."""
    return Problem("B2B-METHOD", field, f"{zh} / {en}", hint)


def parse_method(document: Mapping[str, Any]) -> tuple[Method | None, list[Problem]]:
    """Parse a method document; every problem listed (rule ``B2B-METHOD``)."""
    problems: list[Problem] = []

    def number(field: str, value: Any) -> Decimal:
        try:
            parsed = Decimal(str(value))
        except InvalidOperation:
            parsed = Decimal(-1)
        if not parsed.is_finite() or not Decimal(0) <= parsed <= Decimal(1):
            problems.append(method_problem(field, "须为0到1之间的数", "must be a number from 0 to 1", 'E.g. "0.70".'))
            return Decimal(0)
        return parsed

    version = str(document.get("version") or "").strip()
    if not version:
        problems.append(method_problem("version", "缺少方法版本", "the method has no version", 'Add "version".'))
    raw = document.get("weights")
    weights = raw if isinstance(raw, Mapping) else {}
    if sorted(weights) != sorted(EVIDENCE):
        problems.append(
            method_problem(
                "weights",
                "权重须覆盖五项证据",
                "weights must name the five evidence items",
                f"Give exactly: {', '.join(EVIDENCE)}.",
            )
        )
    parsed = {k: number(f"weights.{k}", weights.get(k, 0)) for k in EVIDENCE}
    if sum(parsed.values()) != Decimal(1):
        problems.append(method_problem("weights", "权重之和须为1", "the weights must add up to 1", "Rescale them."))
    identify_at = number("identify_at", document.get("identify_at"))
    reject_at = number("reject_at", document.get("reject_at"))
    if reject_at >= identify_at:
        problems.append(
            method_problem(
                "reject_at",
                "否定阈值须低于认定阈值",
                "reject_at must be below identify_at",
                "Leave a band between them (undecided).",
            )
        )
    window = document.get("departure_window_days")
    if not isinstance(window, int) or isinstance(window, bool) or not 0 <= window <= 366:
        problems.append(
            method_problem(
                "departure_window_days", "须为0到366的整数", "must be a whole number from 0 to 366", "E.g. 15."
            )
        )
        window = 0
    tolerance = number("amount_tolerance", document.get("amount_tolerance"))
    if problems:
        return None, problems
    basis = str(document.get("basis") or "")
    return Method(version, parsed, identify_at, reject_at, window, tolerance, basis), []


def default_method() -> Method:
    """Return the shipped method (data/method-b2b-1.json; see data/PROVENANCE.md)."""
    text = resources.files("cbec.statistics.b2b").joinpath("data", "method-b2b-1.json").read_text("utf-8")
    method, problems = parse_method(json.loads(text))
    assert method is not None, problems
    return method


@dataclass(frozen=True, slots=True)
class Channel:
    """A CBEC-capable payment channel in force from ``effective_from`` to ``effective_to`` (inclusive)."""

    code: str
    name_zh: str
    effective_from: date
    effective_to: date | None


@dataclass(frozen=True, slots=True)
class ChannelList:
    """The effective-dated list of CBEC-capable payment channels; ``digest`` goes into every run's input digest."""

    channels: tuple[Channel, ...]
    digest: str

    def admits(self, code: str, on: date) -> bool:
        """Tell whether a channel code is listed and in force on a day."""
        return any(
            c.code == code and c.effective_from <= on and (c.effective_to is None or on <= c.effective_to)
            for c in self.channels
        )


def parse_channels(text: str) -> tuple[ChannelList | None, list[Problem]]:
    """Parse a channel CSV (code, name_zh, name_en, kind, effective_from, effective_to, basis, verified).

    Every bad row is a ``B2B-CHANNELS`` problem; the list's digest is the SHA-256 of the text.
    """
    channels: list[Channel] = []
    problems: list[Problem] = []
    for n, row in enumerate(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))), 2):
        code = (row.get("code") or "").strip().upper()
        try:
            start = date.fromisoformat((row.get("effective_from") or "").strip())
            end_text = (row.get("effective_to") or "").strip()
            end = date.fromisoformat(end_text) if end_text else None
        except ValueError:
            start, end = None, None
        if not code or start is None or (end is not None and end < start):
            problems.append(
                Problem(
                    "B2B-CHANNELS",
                    f"row[{n}]",
                    "渠道行须有代码和有效日期 / a channel row needs a code and valid dates (from ≤ to)",
                    "Write code,name_zh,name_en,kind,effective_from,effective_to,basis,verified with YYYY-MM-DD.",
                )
            )
            continue
        channels.append(Channel(code, (row.get("name_zh") or "").strip(), start, end))
    if not channels and not problems:
        problems.append(Problem("B2B-CHANNELS", "file", "渠道清单为空 / the channel list is empty", "Add rows."))
    if problems:
        return None, problems
    return ChannelList(tuple(channels), hashlib.sha256(text.encode("utf-8")).hexdigest()), []


def default_channels() -> ChannelList:
    """Return the shipped channel list (data/payment-channels.csv; see data/PROVENANCE.md)."""
    text = resources.files("cbec.statistics.b2b").joinpath("data", "payment-channels.csv").read_text("utf-8")
    channels, problems = parse_channels(text)
    assert channels is not None, problems
    return channels


@dataclass(frozen=True, slots=True)
class Declaration:
    """What identification reads of one imported declaration (codes normalised: currencies and countries numeric)."""

    declaration_no: str
    tenant: str
    declared_on: date
    consignee_name: str
    consignee_country: str
    currency: str
    amount: Decimal
    platform_code: str | None = None
    order_no: str | None = None
    waybill_no: str | None = None
    departed_on: date | None = None
    destination_country: str | None = None
    payment_channel: str | None = None
    received_amount: Decimal | None = None
    received_currency: str | None = None
    received_on: date | None = None
    trade_mode: str = GENERAL_TRADE

    def canonical(self) -> list[Any]:
        """Return the fields as a JSON-ready list (the input digest is computed over it)."""
        return [
            self.declaration_no,
            self.tenant,
            self.declared_on.isoformat(),
            self.consignee_name,
            self.consignee_country,
            self.currency,
            _plain(self.amount),
            self.platform_code,
            self.order_no,
            self.waybill_no,
            self.departed_on.isoformat() if self.departed_on else None,
            self.destination_country,
            self.payment_channel,
            None if self.received_amount is None else _plain(self.received_amount),
            self.received_currency,
            self.received_on.isoformat() if self.received_on else None,
            self.trade_mode,
        ]


Rates = Callable[[str, date], Decimal | None]  # CNY per unit of a currency on a declaration day, None: no rate


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result for one declaration: score, class, reason codes, and its value in CNY (None: no rate)."""

    declaration_no: str
    score: Decimal
    klass: B2bClass
    reasons: tuple[str, ...]
    value_cny: Decimal | None


def to_cny(amount: Decimal, currency: str, on: date, rates: Rates) -> Decimal | None:
    """Convert at the customs rate of a day, half-up to the fen (CNY itself at 1); None when no rate."""
    per_unit = Decimal(1) if currency == CNY else rates(currency, on)
    if per_unit is None:
        return None
    return (amount * per_unit).quantize(FEN, rounding=ROUND_HALF_UP)


def score(
    decl: Declaration, method: Method, *, filed_platforms: frozenset[str], channels: ChannelList, rates: Rates
) -> Outcome:
    """Score one general-trade declaration on the five evidence items and classify it (9710/9810: declared)."""
    if decl.trade_mode in B2B_MODES:
        value = to_cny(decl.amount, decl.currency, decl.declared_on, rates)
        return Outcome(decl.declaration_no, Decimal(1), B2bClass.DECLARED, (f"B2B-DECLARED-{decl.trade_mode}",), value)
    found: dict[str, Reason] = {}
    if not decl.order_no:
        found["order"] = Reason.NO_ORDER
    elif decl.platform_code not in filed_platforms:
        found["order"] = Reason.ORDER_UNFILED
    else:
        found["order"] = Reason.ORDER
    kind = buyer_kind(decl.consignee_name)
    found["company"] = {
        BuyerKind.COMPANY: Reason.COMPANY,
        BuyerKind.PERSON: Reason.BUYER_PERSON,
        BuyerKind.UNKNOWN: Reason.BUYER_UNKNOWN,
    }[kind]
    found["logistics"] = _logistics(decl, method)
    value = to_cny(decl.amount, decl.currency, decl.declared_on, rates)
    found["amount"] = _amount(decl, method, value, rates)
    paid_on = decl.received_on or decl.declared_on
    listed = decl.payment_channel is not None and channels.admits(decl.payment_channel, paid_on)
    found["channel"] = Reason.CHANNEL if listed else Reason.CHANNEL_OTHER
    total = sum((method.weights[k] for k in EVIDENCE if found[k].value.startswith("B2B-EV-")), Decimal(0)).normalize()
    if total >= method.identify_at:
        klass = B2bClass.IDENTIFIED
    elif total <= method.reject_at:
        klass = B2bClass.GENERAL
    else:
        klass = B2bClass.UNDECIDED
    return Outcome(decl.declaration_no, total, klass, tuple(found[k].value for k in EVIDENCE), value)


def _logistics(decl: Declaration, method: Method) -> Reason:
    if not decl.waybill_no or decl.departed_on is None:
        return Reason.NO_WAYBILL
    if decl.destination_country != decl.consignee_country:
        return Reason.LOGISTICS_COUNTRY
    days = (decl.departed_on - decl.declared_on).days
    return Reason.LOGISTICS if 0 <= days <= method.departure_window_days else Reason.LOGISTICS_DATE


def _amount(decl: Declaration, method: Method, declared: Decimal | None, rates: Rates) -> Reason:
    if decl.received_amount is None or not decl.received_currency:
        return Reason.NO_PAYMENT
    received = to_cny(decl.received_amount, decl.received_currency, decl.declared_on, rates)
    if declared is None or received is None:
        return Reason.AMOUNT_NO_RATE
    within = abs(received - declared) <= method.amount_tolerance * declared
    return Reason.AMOUNT if within else Reason.AMOUNT_OFF


def input_digest(
    declarations: Iterable[Declaration],
    method: Method,
    channels: ChannelList,
    filed: Sequence[str],
    rates_used: Mapping[str, str],
) -> str:
    """SHA-256 over everything a run read: declarations (by number), method, channel list, filed platforms, rates."""
    digest = hashlib.sha256()
    for decl in sorted(declarations, key=lambda d: d.declaration_no):
        digest.update(json.dumps(decl.canonical(), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        digest.update(b"\n")
    tail = {"method": method.digest, "channels": channels.digest, "filed": sorted(filed), "rates": rates_used}
    digest.update(json.dumps(tail, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    return digest.hexdigest()


def result_digest(outcomes: Iterable[Outcome]) -> str:
    """SHA-256 over the per-declaration results (number, score, class, reasons, CNY value), by number."""
    digest = hashlib.sha256()
    for o in sorted(outcomes, key=lambda o: o.declaration_no):
        value = None if o.value_cny is None else _plain(o.value_cny)
        row = [o.declaration_no, _plain(o.score), o.klass.value, list(o.reasons), value]
        digest.update(json.dumps(row, separators=(",", ":")).encode("utf-8") + b"\n")
    return digest.hexdigest()
