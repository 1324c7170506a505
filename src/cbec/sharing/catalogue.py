"""The domain event catalogue (事件目录): typed, versioned schemas of every event in the outbox.

Every event the platform writes (``cbec.sharing.outbox``) has a kind; each kind has a payload schema with a
version. The schemas are published as JSON Schema (``GET /api/v1/events/schema``, docs/events.md) so that
agencies and the coming systems (credit, risk, statistics …) read events without importing the pipeline.
A change that removes or retypes a field is a new version; adding an optional field is not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from cbec.sharing.rules import EventKind

CATALOGUE_VERSION = "1"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataPayload(_Payload):
    """A declaration was stored (数据): its JSON twin with every personal field masked."""

    message_type: str = Field(description="The declaration's CEB message type, e.g. CEB621Message, CEB603Message.")
    document_kind: str = Field(description="order, payment, waybill, inventory … (export_… for exports).")
    document: dict[str, Any] = Field(description="The declaration's JSON twin (English names), personal data masked.")


class ReceiptPayload(_Payload):
    """The platform issued a receipt (回执): CEB312 … CEB712 for imports, CEB304 … CEB792 for exports."""

    message_type: str = Field(description="The receipt's CEB message type.")
    document_kind: str
    guid: str = Field(description="The guid of the declaration answered.")
    status: str = Field(description="returnStatus: 1, 2, 120, 300, 399, 500, 800, 899, 100 or a negative code.")
    info: str = Field(description="returnInfo; refusals as [Code:…;Desc:…][Rule:…;Field:…;Hint:…].")
    returned_at: datetime
    keys: dict[str, str | int] = Field(description="The receipt's business keys (enterprise codes, numbers).")


class TaxBillPayload(_Payload):
    """An electronic tax bill was issued or voided (CEB816): amounts as decimal strings, yuan."""

    tax_no: str
    inventory_no: str | None
    status: str = Field(description="CEB816 status of the bill.")
    customs_duty: str
    vat: str
    consumption_tax: str
    returned_at: datetime


class FilingPayload(_Payload):
    """An enterprise filing was made or changed status (企业备案): no contact data."""

    customs_code: str
    uscc: str
    name: str
    tenant: str
    roles: list[str]
    status: str
    before: str | None
    reason: str | None


class CertificatePayload(_Payload):
    """A signing certificate was registered or revoked for an enterprise (签名证书备案)."""

    customs_code: str
    serial: str
    fingerprint: str = Field(description="SHA-256 of the DER certificate, hex.")
    algorithm: str = Field(description="RSA or SM2.")
    status: str = Field(description="active or revoked.")
    valid_from: datetime
    valid_to: datetime
    reason: str | None


class CreditPayload(_Payload):
    """A credit fact's state changed (信用): repair, objection, end of publication, level override; no personal data."""

    change: str = Field(
        description="repair_applied, repair_proposed, repair_approved, repair_rejected, objection_filed, "
        "objection_upheld, objection_dismissed, publication_ended, override_proposed, override_approved, "
        "override_rejected, measures_applied, measures_lifted (a list entry's catalogue measures), "
        "thirdparty_recorded, thirdparty_kept, thirdparty_withdrawn (a signed third-party report and its review), "
        "list_proposed, list_recorded, list_rejected (a list entry added, ended or corrected on the console), "
        "uncorrected_flagged, uncorrected_confirmed, uncorrected_rejected (publication past the maximum)."
    )
    subject: str = Field(description="The enterprise's credit or customs code; person:<hash prefix> for a person.")
    fact_id: int | None = Field(description="The fact concerned (the row the change is about).")
    new_fact_id: int | None = Field(description="The row appended by the change (a repair or a withdrawal), if any.")
    reference: int | None = Field(
        description="The repair application, objection or override request; the list entry for measures; the "
        "third-party report; the list request; the uncorrected flag."
    )
    on: str = Field(description="The business day of the change (Asia/Shanghai), YYYY-MM-DD.")
    published_until: str | None = Field(description="When the fact's publication ends (or ended), YYYY-MM-DD.")


class RiskPayload(_Payload):
    """A risk case was disposed of (风险处置): an action taken, proposed, confirmed or rejected, or the case closed.

    Pseudonymous pivot keys and party codes only; no personal data, no officer's name."""

    change: str = Field(
        description="The action kind (request_documents, inspect, hold, return, refer_agency, "
        "propose_list_entry, report_credit, note, close) and its state: e.g. hold_done, return_proposed, "
        "return_confirmed, propose_list_entry_rejected, close_done."
    )
    case_id: int
    action_id: int
    pivot_kind: str = Field(description="buyer, phone, address (pseudonymous keys), enterprise or platform (codes).")
    pivot_key: str
    typologies: list[str]
    inventories: list[str] = Field(description="E-port numbers of the case's inventories.")
    agency: str | None = Field(description="refer_agency: the agency the case is referred to.")
    list_name: str | None = Field(description="propose_list_entry: watch or block.")
    list_entry: int | None = Field(
        default=None, description="propose_list_entry_confirmed on the watch list: the watch-list entry it added."
    )
    outcome: str | None = Field(description="close: confirmed, valuable or false_positive.")
    on: str = Field(description="The business day of the change (Asia/Shanghai), YYYY-MM-DD.")


class ReportPayload(_Payload):
    """A consumer's misuse report was confirmed on review (额度盗用举报属实): a keyed pseudonym, no ID number."""

    reference_no: str = Field(description="The report's reference number (CR + yyyymmdd + 6 digits).")
    outcome: str = Field(
        description="confirmed (the consumer did not make the purchase: ID misuse); reports not confirmed write none."
    )
    eport_no: str = Field(description="The E-port number of the inventory reported.")
    inventory_no: str | None = Field(description="The customs inventory number, once given.")
    order_no: str
    ecommerce_code: str | None = Field(description="The inventory's e-commerce enterprise (电商企业).")
    platform_code: str | None = Field(description="The inventory's e-commerce platform (电商平台).")
    buyer_key: str = Field(description="The buyer's keyed pseudonym: the quota ledger key (blind index of the ID).")
    on: str = Field(description="The business day of the review (Asia/Shanghai), YYYY-MM-DD.")


class OverduePayload(_Payload):
    """An obligation passed its deadline unmet (逾期): an enterprise's export month not summarised by its due day."""

    obligation: str = Field(description="export_summary (汇总申报 of a month's closed summary-flag B inventories).")
    enterprise_code: str = Field(description="The enterprise that owes it (the e-commerce enterprise, 电商企业).")
    period: str = Field(description="The month owed, YYYY-MM.")
    due_on: str = Field(
        description="The last day to meet it, YYYY-MM-DD (the 15th of the next month, rolled past rest days)."
    )
    inventories: int = Field(description="How many inventories were not summarised when the lateness was found.")
    on: str = Field(description="The business day the lateness was found (Asia/Shanghai), YYYY-MM-DD.")


class InspectionPayload(_Payload):
    """An officer concluded an inspection (查验结果): the inventory under inspection (500) was released or refused."""

    eport_no: str
    inventory_no: str | None
    outcome: str = Field(description="passed (released after inspection) or failed (refused after inspection).")
    ecommerce_code: str
    platform_code: str
    agent_code: str
    on: str = Field(description="The business day of the decision (Asia/Shanghai), YYYY-MM-DD.")


PAYLOADS: dict[EventKind, type[_Payload]] = {
    EventKind.DATA: DataPayload,
    EventKind.RECEIPT: ReceiptPayload,
    EventKind.TAX_BILL: TaxBillPayload,
    EventKind.FILING: FilingPayload,
    EventKind.CERTIFICATE: CertificatePayload,
    EventKind.CREDIT: CreditPayload,
    EventKind.RISK: RiskPayload,
    EventKind.REPORT: ReportPayload,
    EventKind.OVERDUE: OverduePayload,
    EventKind.INSPECTION: InspectionPayload,
}
VERSIONS: dict[EventKind, str] = dict.fromkeys(PAYLOADS, "1")


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: int = Field(description="Commit order in the outbox; a reader that saw n never later finds one below n.")
    occurred_at: datetime
    document_type: str = Field(description="A CEB message type, or enterprise / certificate.")
    business_key: str = Field(description="Events of one key are in order: order:…, inventory:…, export-…")
    zone: str = Field(description="Customs district (关区) of the document, or the zone's.")
    status: str | None
    parties: list[str] = Field(description="Enterprise codes taking part.")


class DataEvent(_Event):
    """A stored declaration."""

    kind: Literal["data"]
    payload: DataPayload


class ReceiptEvent(_Event):
    """An issued receipt."""

    kind: Literal["receipt"]
    payload: ReceiptPayload


class TaxBillEvent(_Event):
    """An issued or voided tax bill."""

    kind: Literal["tax_bill"]
    payload: TaxBillPayload


class FilingEvent(_Event):
    """A filing made or changed."""

    kind: Literal["filing"]
    payload: FilingPayload


class CertificateEvent(_Event):
    """A certificate registered or revoked."""

    kind: Literal["cert"]
    payload: CertificatePayload


class CreditEvent(_Event):
    """A credit fact's state changed."""

    kind: Literal["credit"]
    payload: CreditPayload


class RiskEvent(_Event):
    """A risk case was disposed of."""

    kind: Literal["risk"]
    payload: RiskPayload


class ReportEvent(_Event):
    """A consumer's misuse report was reviewed."""

    kind: Literal["report"]
    payload: ReportPayload


class OverdueEvent(_Event):
    """An obligation passed its deadline unmet."""

    kind: Literal["overdue"]
    payload: OverduePayload


class InspectionEvent(_Event):
    """An inspection was concluded."""

    kind: Literal["inspection"]
    payload: InspectionPayload


AnyEvent = (
    DataEvent
    | ReceiptEvent
    | TaxBillEvent
    | FilingEvent
    | CertificateEvent
    | CreditEvent
    | RiskEvent
    | ReportEvent
    | OverdueEvent
    | InspectionEvent
)
EVENT: TypeAdapter[AnyEvent] = TypeAdapter(Annotated[AnyEvent, Field(discriminator="kind")])


def parse_event(row: Any) -> AnyEvent:
    """Return the typed event of an outbox row (``OutboxEvent``); pydantic's ValidationError if it breaks its schema."""
    return EVENT.validate_python(
        {
            "position": row.position,
            "occurred_at": row.occurred_at,
            "kind": row.kind,
            "document_type": row.document_type,
            "business_key": row.business_key,
            "zone": row.zone,
            "status": row.status,
            "parties": list(row.parties or []),
            "payload": dict(row.payload or {}),
        }
    )


def event_schemas() -> dict[str, Any]:
    """Return the JSON Schema of every event (a union discriminated by ``kind``) with each kind's version."""
    return {
        "catalogue_version": CATALOGUE_VERSION,
        "versions": {kind.value: version for kind, version in VERSIONS.items()},
        "schema": EVENT.json_schema(),
    }


def events_markdown() -> str:
    """Return the catalogue as a Markdown table (docs/events.md keeps a checked copy)."""
    lines = ["| kind | version | what happened | payload fields |", "|---|---|---|---|"]
    for kind, model in PAYLOADS.items():
        fields = ", ".join(f"`{name}`" for name in model.model_fields)
        doc = (model.__doc__ or "").strip().splitlines()[0]
        lines.append(f"| `{kind.value}` | {VERSIONS[kind]} | {doc} | {fields} |")
    return "\n".join(lines)
