"""Rules of information sharing (信息共享): subscription scopes and filters, masking, signing, back-off.

Pure functions: no I/O, no clock. BaseSubscribe semantics of CEB (ceb-messages.md §4.1): a subscriber
asks for ``ALL`` (data and receipts), ``DATA`` (declarations only) or ``RET`` (receipts only).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cbec.common.errors import Problem
from cbec.common.personal import mask_address, mask_id_number, mask_name, mask_phone


class FeedScope(StrEnum):
    """What a subscriber receives (BaseSubscribe/status)."""

    ALL = "ALL"
    DATA = "DATA"
    RET = "RET"


class EventKind(StrEnum):
    """What an outbox event records."""

    DATA = "data"  # a declaration was stored (its masked data)
    RECEIPT = "receipt"  # the platform issued a receipt (CEB312 … CEB712)
    TAX_BILL = "tax_bill"  # an electronic tax bill was issued or voided (CEB816)
    FILING = "filing"  # an enterprise filing was made or changed status (企业备案)
    CERTIFICATE = "cert"  # a signing certificate was registered or revoked (签名证书备案); the column holds 10
    CREDIT = "credit"  # a credit fact's state changed: repair, objection, end of publication, override (信用)
    RISK = "risk"  # a risk case was disposed of: an action taken, proposed, confirmed or rejected, closed (风险处置)
    REPORT = "report"  # a consumer's misuse report was reviewed: confirmed or not (额度盗用举报核实)
    OVERDUE = "overdue"  # an obligation passed its deadline unmet: an export month not summarised (汇总申报逾期)
    INSPECTION = "inspection"  # an officer concluded an inspection: released (passed) or refused (failed) (查验结果)


class SubscriberKind(StrEnum):
    """Who subscribes: a regulating agency of the zone or a filed enterprise."""

    AGENCY = "agency"
    ENTERPRISE = "enterprise"


SCOPE_KINDS: dict[FeedScope, frozenset[EventKind]] = {
    FeedScope.ALL: frozenset(EventKind),
    FeedScope.DATA: frozenset(
        {
            EventKind.DATA,
            EventKind.FILING,
            EventKind.CERTIFICATE,
            EventKind.CREDIT,
            EventKind.RISK,
            EventKind.REPORT,
            EventKind.OVERDUE,
            EventKind.INSPECTION,
        }
    ),
    FeedScope.RET: frozenset({EventKind.RECEIPT, EventKind.TAX_BILL}),
}

# Document fields naming an enterprise that takes part in the document (its parties: the tenants of an event).
PARTY_FIELDS = (
    "platform_code",
    "ecommerce_code",
    "payment_code",
    "logistics_code",
    "agent_code",
    "guarantor_code",
    "operator_code",
    "warehouse_code",
)

# Personal data inside documents (个人信息), by field name, with its mask.
PERSONAL_MASKS: dict[str, Callable[[str], str]] = {
    "buyer_id_number": mask_id_number,
    "payer_id_number": mask_id_number,
    "buyer_name": mask_name,
    "payer_name": mask_name,
    "consignee": mask_name,
    "buyer_phone": mask_phone,
    "payer_phone": mask_phone,
    "consignee_phone": mask_phone,
    "buyer_reg_no": mask_phone,  # platforms often use the phone number as the account name
    "consignee_address": mask_address,
}

SUBSCRIPTION_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,59}$")
AGENCY_CODE = re.compile(r"^[a-z][a-z0-9_-]{1,29}$")
ENTERPRISE_CODE = re.compile(r"^[0-9A-Z]{10}$")


def mask_personal(value: Any) -> Any:
    """Return a JSON value with every personal field (by name, at any depth) masked.

    Mappings come back as new dicts, lists and tuples as new lists, anything else as it is. Only containers are
    descended into: a scalar is looked at where it sits, in its mapping or list, never by a call of its own.
    """
    if isinstance(value, Mapping):
        return _masked_mapping(value)
    if isinstance(value, list | tuple):
        return _masked_sequence(value)
    return value


_PLAIN = frozenset({int, float, bool, type(None)})  # scalars kept as they are, whatever their field


def _masked_mapping(value: Mapping[Any, Any], masks: Mapping[str, Callable[[str], str]] = PERSONAL_MASKS) -> Any:
    masked: dict[Any, Any] = {}
    for key, item in value.items():
        kind = type(item)
        if kind is str:
            if item and key in masks:
                item = masks[key](item)
        elif kind is dict:
            item = _masked_mapping(item)
        elif kind is list:
            item = _masked_sequence(item)
        elif kind not in _PLAIN:
            mask = masks.get(key)
            item = mask(item) if mask is not None and isinstance(item, str) and item else mask_personal(item)
        masked[key] = item
    return masked


def _masked_sequence(value: list[Any] | tuple[Any, ...]) -> list[Any]:
    masked: list[Any] = []
    for item in value:
        kind = type(item)
        if kind is dict:
            item = _masked_mapping(item)
        elif kind is list:
            item = _masked_sequence(item)
        elif kind is not str and kind not in _PLAIN:
            item = mask_personal(item)
        masked.append(item)
    return masked


def parties_of(fields: Mapping[str, Any]) -> list[str]:
    """Return the enterprise codes named in a document or receipt, sorted, without duplicates."""
    return sorted({str(fields[name]) for name in PARTY_FIELDS if fields.get(name)})


def receipt_business_key(kind: str, keys: Mapping[str, Any], guid: str) -> str:
    """Return the business key a receipt is ordered under: its document, or the inventory it acts on.

    Export receipts (document kinds ``export_…``) are keyed like their import twins under an ``export-`` prefix.
    """
    if kind.startswith("export_"):
        base = kind.removeprefix("export_")
        if base == "payment_receipt" and keys.get("order_no"):
            return f"export-payment-receipt:{keys.get('ecommerce_code')}/{keys['order_no']}"
        if base in ("order", "waybill", "inventory", "cancel", "return"):
            key = receipt_business_key(base, keys, guid)
            if not key.startswith(f"{base}:{guid}"):
                return f"export-{key}"
        return f"{kind}:{guid}"
    if kind == "order" and keys.get("order_no"):
        return f"order:{keys.get('platform_code')}/{keys['order_no']}"
    if kind == "payment" and keys.get("payment_transaction_id"):
        return f"payment:{keys.get('payment_code')}/{keys['payment_transaction_id']}"
    if kind in ("waybill", "waybill_status") and keys.get("logistics_no"):
        return f"waybill:{keys.get('logistics_code')}/{keys['logistics_no']}"
    if kind in ("inventory", "cancel", "return") and keys.get("eport_no"):
        return f"inventory:{keys['eport_no']}"
    if kind == "arrival":
        return f"arrival:{keys.get('operator_code')}/{keys.get('eport_no') or keys.get('enterprise_ref_no') or guid}"
    return f"{kind}:{guid}"


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What a subscription filter looks at."""

    kind: str
    document_type: str
    zone: str
    status: str | None
    parties: Sequence[str]


@dataclass(frozen=True, slots=True)
class Filter:
    """A subscription's filter; empty tuples mean "any"."""

    scope: FeedScope
    document_types: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def kinds(self) -> frozenset[EventKind]:
        """Return the event kinds the scope admits."""
        return SCOPE_KINDS[self.scope]

    def matches(self, event: EventFacts) -> bool:
        """Tell whether an event belongs to the subscription."""
        if event.kind not in self.kinds():
            return False
        if self.document_types and event.document_type not in self.document_types:
            return False
        if self.zones and event.zone not in self.zones:
            return False
        if self.statuses and (event.status is None or event.status not in self.statuses):
            return False
        return not self.parties or any(party in self.parties for party in event.parties)


def check_subscription(
    name: str,
    subscriber_kind: str,
    subscriber_code: str,
    scope: str,
    webhook_url: str | None,
    parties: Sequence[str],
) -> list[Problem]:
    """Return every problem of a new subscription."""
    problems: list[Problem] = []
    if not SUBSCRIPTION_NAME.match(name):
        problems.append(
            Problem(
                "SUB-NAME",
                "name",
                f"订阅名称无效 / invalid subscription name {name!r}",
                "Use 2-60 lower-case letters, digits, '.', '_' or '-'.",
            )
        )
    if subscriber_kind not in {k.value for k in SubscriberKind}:
        problems.append(
            Problem(
                "SUB-KIND",
                "subscriber_kind",
                f"unknown subscriber kind {subscriber_kind!r}",
                "Use agency or enterprise.",
            )
        )
    elif subscriber_kind == SubscriberKind.ENTERPRISE:
        if not ENTERPRISE_CODE.match(subscriber_code):
            problems.append(
                Problem(
                    "SUB-SUBSCRIBER",
                    "subscriber_code",
                    f"企业海关编码无效 / {subscriber_code!r} is not a 10-character customs code",
                    "Name the subscribing enterprise by its customs code.",
                )
            )
        if any(t != subscriber_code for t in parties):
            problems.append(
                Problem(
                    "SUB-TENANT",
                    "parties",
                    "企业只能订阅本企业参与的单证 / an enterprise may subscribe to its own documents only",
                    "Leave parties empty (it defaults to the enterprise itself).",
                )
            )
    elif not AGENCY_CODE.match(subscriber_code):
        problems.append(
            Problem(
                "SUB-SUBSCRIBER",
                "subscriber_code",
                f"部门代码无效 / invalid agency code {subscriber_code!r}",
                "Use a short lower-case name such as customs, tax or commerce.",
            )
        )
    if scope not in {s.value for s in FeedScope}:
        problems.append(Problem("SUB-SCOPE", "scope", f"unknown scope {scope!r}", "Use ALL, DATA or RET."))
    if webhook_url is not None and not webhook_url.startswith(("http://", "https://")):
        problems.append(
            Problem("SUB-WEBHOOK", "webhook_url", "webhook URL must be http(s)", "Give an http:// or https:// URL.")
        )
    return problems


def signature_header(secret: bytes, timestamp: str, body: bytes) -> str:
    """Return the X-Cbec-Signature value: HMAC-SHA256 over ``timestamp.body``, hex."""
    mac = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """Return the wait before the next attempt after ``attempts`` failures: base·2^(n-1), capped."""
    if attempts <= 0:
        return 0.0
    return float(min(cap, base * (2 ** min(attempts - 1, 30))))
