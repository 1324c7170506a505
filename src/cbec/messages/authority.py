"""Party authority (申报主体权限): which party named in a document may declare it.

A CEB message is transmitted by one enterprise (BaseTransfer copCode). Each document inside it names the
parties of the trade; only some of them may declare that document to customs (the XSD annotations and the
interface specification's flow table, summarised in docs/access-control.md). A document is admitted only when
one of its declaring parties is the transmitting enterprise or an enterprise that delegated message submission
(``ceb.submit``) to it. A change or deletion (appType 2/3), and a cancel or return of an inventory, must also
come from a party that declared the original.

Pure rules: the caller resolves the codes the sender may act for (both customs and credit codes of the sender
and of its delegators) and hands them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cbec.common.errors import Problem
from cbec.messages.documents import (
    AppStatus,
    AppType,
    ArrivalRecord,
    CancelRequest,
    ImportOrder,
    Inventory,
    MessageType,
    Payment,
    ReturnRequest,
    Waybill,
    WaybillStatus,
)
from cbec.messages.export_documents import (
    Departure,
    ExportArrival,
    ExportCancel,
    ExportInventory,
    ExportMessageType,
    ExportOrder,
    ExportReturn,
    ExportWaybill,
    MasterBill,
    PaymentReceiptNote,
    ReturnTally,
    SummaryApplication,
)


@dataclass(frozen=True, slots=True)
class Declarers:
    """Who may declare one document type: the attributes naming its declaring parties, in order of preference."""

    message_type: str
    name_zh: str
    name_en: str
    fields: tuple[str, ...]
    roles: str  # the parties, in words, for problems and docs
    # Draft (appStatus 1) documents of this type may be kept as drafts (new documents only); others are
    # acknowledged and change nothing.
    keeps_drafts: bool = False


# Every declaration document the platform accepts, with its declaring parties. tests/unit/messages/
# test_authority.py fails when a document type the codec can parse is missing here.
DECLARERS: Mapping[type, Declarers] = {
    ImportOrder: Declarers(
        MessageType.ORDER, "进口电子订单", "import order", ("platform_code", "ecommerce_code"),
        "e-commerce platform or e-commerce enterprise (ebpCode/ebcCode)", keeps_drafts=True,
    ),
    Payment: Declarers(
        MessageType.PAYMENT, "支付凭证", "payment voucher", ("payment_code",), "payment company (payCode)",
        keeps_drafts=True,
    ),
    Waybill: Declarers(
        MessageType.WAYBILL, "物流运单", "waybill", ("logistics_code",), "logistics company (logisticsCode)",
        keeps_drafts=True,
    ),
    WaybillStatus: Declarers(
        MessageType.WAYBILL_STATUS, "运单状态", "waybill status", ("logistics_code",),
        "logistics company (logisticsCode)",
    ),
    Inventory: Declarers(
        MessageType.INVENTORY, "进口清单", "import inventory", ("agent_code", "ecommerce_code"),
        "declaring agent or e-commerce enterprise (agentCode/ebcCode)", keeps_drafts=True,
    ),
    CancelRequest: Declarers(
        MessageType.CANCEL, "撤销申请单", "cancel request", ("agent_code", "ecommerce_code"),
        "declaring agent or e-commerce enterprise of the inventory (agentCode/ebcCode)",
    ),
    ReturnRequest: Declarers(
        MessageType.RETURN, "退货申请单", "return request", ("agent_code", "ecommerce_code"),
        "declaring agent or e-commerce enterprise of the inventory (agentCode/ebcCode)",
    ),
    ArrivalRecord: Declarers(
        MessageType.ARRIVAL, "入库明细单", "arrival record", ("operator_code",),
        "operator of the customs-supervised site (operatorCode)",
    ),
    ExportOrder: Declarers(
        ExportMessageType.ORDER, "出口电子订单", "export order", ("platform_code", "ecommerce_code"),
        "e-commerce platform or e-commerce enterprise (ebpCode/ebcCode)", keeps_drafts=True,
    ),
    PaymentReceiptNote: Declarers(
        ExportMessageType.PAYMENT_RECEIPT_NOTE, "收款单", "receipt-of-payment note",
        ("payment_code", "ecommerce_code", "platform_code"),
        "payment company, or the e-commerce enterprise or platform paid (payCode/ebcCode/ebpCode)",
        keeps_drafts=True,
    ),
    ExportWaybill: Declarers(
        ExportMessageType.WAYBILL, "出口运单", "export waybill", ("logistics_code",),
        "logistics company (logisticsCode)", keeps_drafts=True,
    ),
    ExportArrival: Declarers(
        ExportMessageType.ARRIVAL, "运抵单", "export arrival", ("operator_code", "logistics_code"),
        "supervised-site operator or logistics company (operatorCode/logisticsCode)",
    ),
    Departure: Declarers(
        ExportMessageType.DEPARTURE, "离境单", "departure", ("logistics_code",), "logistics company (logisticsCode)"
    ),
    ExportInventory: Declarers(
        ExportMessageType.INVENTORY, "出口申报清单", "export inventory", ("agent_code", "ecommerce_code"),
        "declaring agent or e-commerce enterprise (agentCode/ebcCode)", keeps_drafts=True,
    ),
    ExportCancel: Declarers(
        ExportMessageType.CANCEL, "出口撤销申请单", "export cancel", ("agent_code", "ecommerce_code"),
        "declaring agent or e-commerce enterprise of the inventory (agentCode/ebcCode)",
    ),
    MasterBill: Declarers(
        ExportMessageType.MASTER_BILL, "清单总分单", "master/house bill", ("agent_code", "logistics_code"),
        "declaring agent or logistics company (agentCode/logisticsCode)",
    ),
    ExportReturn: Declarers(
        ExportMessageType.RETURN, "出口退货申请单", "export return", ("ecommerce_code", "agent_code"),
        "e-commerce enterprise or its declaring agent (ebcCode/agentCode)",
    ),
    ReturnTally: Declarers(
        ExportMessageType.RETURN_TALLY, "理货明细单", "return tally", ("operator_code",),
        "operator of the customs-supervised site (operatorCode)",
    ),
    SummaryApplication: Declarers(
        ExportMessageType.SUMMARY_APPLICATION, "汇总申请单", "summary application",
        ("agent_code", "ecommerce_code", "declaring_agent_code"),
        "declaring agent or e-commerce enterprise (agentCode/ebcCode/declAgentCode)",
    ),
}  # fmt: skip


def declarers_of(document: object) -> Declarers:
    """Return who may declare a document; KeyError for a type no enterprise may declare."""
    return DECLARERS[type(document)]


def declaring_codes(document: object) -> tuple[tuple[str, str], ...]:
    """Return (attribute, code) of each party named in a document that may declare it."""
    spec = declarers_of(document)
    found = []
    for name in spec.fields:
        code = getattr(document, name, None)
        if isinstance(code, str) and code.strip():
            found.append((name, code.strip().upper()))
    return tuple(found)


def _kind(spec: Declarers) -> str:
    return spec.name_en.replace(" ", "_").replace("-", "_").replace("/", "_")


def authority_problems(document: object, allowed: frozenset[str], sender: str) -> list[Problem]:
    """AUTH-PARTY: refuse a document none of whose declaring parties the sender may act for."""
    spec = declarers_of(document)
    codes = declaring_codes(document)
    if any(code in allowed for _, code in codes):
        return []
    named = ", ".join(code for _, code in codes) or "-"
    field = "|".join(f"{_kind(spec)}.{name}" for name in spec.fields)
    return [
        Problem(
            "AUTH-PARTY",
            field,
            f"传输企业 {sender} 无权申报该{spec.name_zh}（申报主体 {named}）/ "
            f"the sender {sender} may not declare this {spec.name_en}: only its {spec.roles} may, "
            f"and {named} did not delegate message submission to {sender}",
            f"Send the {spec.name_en} through the DXP account of its {spec.roles}, or have that enterprise "
            f"delegate message submission (ceb.submit) to {sender} (cbec accounts delegate / "
            "POST /api/v1/accounts/delegations).",
            "-10103",
        )
    ]


def original_problems(
    document: object, original: Mapping[str, Any] | Any, allowed: frozenset[str], sender: str, *, what: str
) -> list[Problem]:
    """AUTH-ORIGINAL: a change, deletion, cancel or return must come from a party that declared the original.

    ``original`` is the stored row (or a mapping) of the document acted on; its attributes named like the
    declaring fields of ``document``'s type (or, for cancels and returns, of the inventory) are compared.
    """
    spec = declarers_of(document)
    codes = _codes_of(original, spec.fields)
    if not codes or any(code in allowed for code in codes):
        return []
    return [
        Problem(
            "AUTH-ORIGINAL",
            f"{_kind(spec)}.app_type" if what == "change" else f"{_kind(spec)}.inventory_no",
            f"传输企业 {sender} 不是原单证的申报主体（{', '.join(codes)}），不能变更、删除、撤销或退货 / "
            f"the sender {sender} did not declare the original {what} target ({', '.join(codes)}) "
            "and may not change, delete, cancel or return it",
            "Only the enterprise that declared the original document (or its delegated agent) may act on it; "
            "check the document number.",
            "-10103",
        )
    ]


def _codes_of(row: Mapping[str, Any] | Any, fields: Iterable[str]) -> list[str]:
    found: list[str] = []
    for name in fields:
        value = row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)
        if isinstance(value, str) and value.strip():
            found.append(value.strip().upper())
    return found


def is_draft(document: object) -> bool:
    """Tell whether a document is a draft (appStatus 1, 暂存)."""
    declaration = getattr(document, "declaration", None)
    return declaration is not None and declaration.app_status == AppStatus.DRAFT


def draft_changes_nothing(document: object) -> bool:
    """Tell whether a draft must be acknowledged without any effect (not kept as a draft row).

    New orders, payments, waybills, inventories and receipt notes are kept as draft rows that take part in
    nothing (no matching, no quota, no tax); every other draft (a change, a deletion, a cancel, a return, an
    arrival, a status report …) changes nothing at all.
    """
    if not is_draft(document):
        return False
    spec = declarers_of(document)
    return not (spec.keeps_drafts and document.declaration.app_type == AppType.NEW)  # type: ignore[attr-defined]


def draft_note() -> str:
    """Return the returnInfo of an acknowledged draft."""
    return (
        "暂存：单证未申报，不产生任何业务效果 / draft (appStatus 1) kept by the sender: nothing changed; "
        "declare it with appStatus 2"
    )


@dataclass(frozen=True, slots=True)
class PartyAuthority:
    """The enterprise transmitting a message and every code it may declare for (its own and its delegators')."""

    sender: str
    allowed: frozenset[str]

    def document_problems(self, document: object) -> list[Problem]:
        """AUTH-PARTY problems of a document (none when the sender may declare it)."""
        return authority_problems(document, self.allowed, self.sender)

    def original_problems(self, document: object, original: Mapping[str, Any] | Any, *, what: str) -> list[Problem]:
        """AUTH-ORIGINAL problems of acting on a stored document (``what``: "change" or "inventory")."""
        return original_problems(document, original, self.allowed, self.sender, what=what)


def declarers_table() -> str:
    """Return the Markdown table of who may declare what (docs/access-control.md keeps a checked copy)."""
    lines = [
        "| message | document | 单证 | may be declared by | kept as a draft (appStatus 1) |",
        "|---|---|---|---|---|",
    ]
    for spec in DECLARERS.values():
        draft = "new documents only" if spec.keeps_drafts else "no: acknowledged, nothing changes"
        lines.append(f"| {spec.message_type} | {spec.name_en} | {spec.name_zh} | {spec.roles} | {draft} |")
    return "\n".join(lines)
