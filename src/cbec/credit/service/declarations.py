"""Declarations screened against the negative lists as they arrive (申报主体名单筛查), off the hot path.

The credit consumer (``cbec credit consume``) hands every ``data`` event of a declaration here, in its own transaction
and at its durable position: each enterprise the declaration names — on import orders, payments (CEB411), waybills and
their statuses, inventories, arrivals, cancellations and returns; on export orders, receipts of payment, waybills,
inventories (9610/1210/9710/9810 alike), arrivals, master bills, departures, cancellations, returns, tallies and
summary declarations — is screened by its code (exact identifiers first) and its declared name (the fuzzy screen of
``cbec.credit.screening``) against the list entries in force on the day it is screened (read before the consumer's
transaction). The parties are read from the event's document (its JSON twin: enterprise codes and names, never a
person's data), so credit imports neither clearance nor exports. Each hit at or above the threshold is stored as an
alert in ``credit_screen_alert`` — the same review state as the filings' — **once per screened enterprise and entry**:
a second declaration naming the same enterprise, or a filing screened before, adds nothing. The enterprise is keyed
by its filing's credit code when it is filed (so its filing and its declarations share one alert), else by the
declared code. Persons are never screened here (a declaration's buyer is not an enterprise; persons' entries have no
name).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cbec.common.clock import business_date
from cbec.credit import lists_repository as lists_repo
from cbec.credit.models import CreditScreenAlert
from cbec.credit.repository import HUB
from cbec.credit.schemas import ScreenReport
from cbec.credit.service.screening import PreparedLists
from cbec.enterprises.lookups import find_by_code
from cbec.sharing.catalogue import DataEvent
from cbec.storage.context import Context

# The parties a declaration names, by document kind (``DataPayload.document_kind``): (role, code field, name field)
# of its JSON twin; a party with no name field is screened by its code alone.
PartyFields = tuple[tuple[str, str, str | None], ...]
_PLATFORM = ("platform", "platform_code", "platform_name")
_SHOP = ("ecommerce", "ecommerce_code", "ecommerce_name")
_AGENT = ("agent", "agent_code", "agent_name")
_LOGISTICS = ("logistics", "logistics_code", "logistics_name")
_PAYMENT = ("payment", "payment_code", "payment_name")
_OPERATOR = ("operator", "operator_code", "operator_name")
PARTIES: Mapping[str, PartyFields] = {
    # imports (cbec.messages.documents)
    "order": (_PLATFORM, _SHOP, _PAYMENT),
    "payment": (_PAYMENT, _PLATFORM),
    "waybill": (_LOGISTICS,),
    "waybill_status": (_LOGISTICS,),
    "inventory": (
        _PLATFORM,
        _SHOP,
        _AGENT,
        _LOGISTICS,
        ("guarantor", "guarantor_code", None),
        ("warehouse", "warehouse_code", "warehouse_name"),
    ),
    "arrival": (_OPERATOR, _LOGISTICS),
    "cancel": (_PLATFORM, _SHOP, _AGENT, _LOGISTICS),
    "return": (_PLATFORM, _SHOP, _AGENT, _LOGISTICS),
    # exports (cbec.messages.export_documents; the receipt book names them export_<kind>)
    "export_order": (_PLATFORM, _SHOP),
    "export_payment_receipt": (_PLATFORM, _SHOP, _PAYMENT),
    "export_waybill": (_LOGISTICS, _SHOP),
    "export_inventory": (
        _PLATFORM,
        _SHOP,
        _AGENT,
        _LOGISTICS,
        ("owner", "owner_code", "owner_name"),
        ("special_area", "special_area_code", "special_area_name"),
    ),
    "export_arrival": (_OPERATOR, _LOGISTICS),
    "export_master_bill": (_AGENT, _LOGISTICS),
    "export_departure": (_LOGISTICS,),
    "export_cancel": (_AGENT, _SHOP),
    "export_return": (_PLATFORM, _SHOP, _AGENT, _LOGISTICS),
    "export_tally": (_OPERATOR, _LOGISTICS),
    "export_summary": (_AGENT, _SHOP, ("declarant", "declaring_agent_code", "declaring_agent_name")),
}
# The declaration's number an alert shows (origin_ref): the first of these the document carries.
REFERENCES = ("order_no", "logistics_no", "inventory_no", "bill_no", "summary_no", "enterprise_ref_no")


@dataclass(frozen=True, slots=True)
class Party:
    """An enterprise a declaration names, in one role."""

    role: str
    code: str
    name: str | None


def parties_of(document_kind: str, document: Mapping[str, Any]) -> list[Party]:
    """Return the enterprises a declaration names (code upper-cased; a role without a code is left out)."""
    found: list[Party] = []
    for role, code_field, name_field in PARTIES.get(document_kind, ()):
        code = str(document.get(code_field) or "").strip().upper()
        name = (str(document.get(name_field) or "").strip() or None) if name_field else None
        if code.isascii() and code.isalnum():  # a foreign platform is declared as "无": no enterprise to screen
            found.append(Party(role, code, name))
    return found


def reference_of(document: Mapping[str, Any]) -> str | None:
    """Return the number an alert shows for a declaration: its order number, else its waybill's … (≤ 60)."""
    for field in REFERENCES:
        value = str(document.get(field) or "").strip()
        if value:
            return value[:60]
    return None


def _codes(code: str) -> list[tuple[str, str]]:
    return [("uscc", code)] if len(code) == 18 else [("customs_code", code)]


class DeclarationScreen:
    """Screens declarations' parties in the consumer's transaction; counts the alerts stored and already known."""

    def __init__(self, ctx: Context, now: datetime) -> None:
        self.now = now
        self.new = 0
        self.known = 0
        self.lists = PreparedLists(ctx, business_date(now))  # before the consumer's transaction opens
        self._reports: dict[tuple[str, str | None], ScreenReport] = {}

    def __call__(self, session: Session, event: DataEvent) -> None:
        kind = event.payload.document_kind
        if kind not in PARTIES:
            return
        document = event.payload.document
        number = reference_of(document)
        for party in parties_of(kind, document):
            key = (party.code, party.name)
            report = self._reports.get(key)
            if report is None:  # one screening per party in a batch
                report = self._reports[key] = self.lists.screen(party.name, _codes(party.code))
            if report.hits:
                self._store(session, kind, number, party, report)

    def _store(self, session: Session, kind: str, number: str | None, party: Party, report: ScreenReport) -> None:
        filed = find_by_code(session, party.code)
        subject_code = (filed.uscc if filed is not None else party.code)[:18]
        customs = filed.customs_code if filed is not None else (party.code if len(party.code) == 10 else None)
        for hit in report.hits:
            if lists_repo.alert(session, subject_code, hit.fact_id) is not None:
                self.known += 1
                continue
            session.add(
                CreditScreenAlert(
                    subject_code=subject_code,
                    customs_code=customs,
                    subject_name=((filed.name if filed is not None else None) or party.name or party.code)[:200],
                    tenant=filed.zone if filed is not None else HUB,
                    fact_id=hit.fact_id,
                    list_type=hit.list_type,
                    score=Decimal(str(hit.score)).quantize(Decimal("0.0001")),
                    matched=hit.matched,
                    features=[f.model_dump() for f in hit.features],
                    state="open",
                    screened_on=report.on,
                    created_at=self.now,
                    origin=kind,
                    origin_ref=number,
                    role=party.role,
                )
            )
            session.flush()  # the next party or declaration of the batch finds it (one alert per subject and entry)
            self.new += 1
