"""Codec of export declaration messages (出口报文编解码): XML bytes ↔ export documents.

CEB303/403/505/507/509/603/605/607/213/215/701 in both editions (CEB213/215 exist only since 202205), reached
through ``codec.parse_message`` / ``codec.render_message``. The checks are the import codec's — structure and
element order, every facet of the chosen edition's XSD, date/time formats, declaration codes, parameter codes
when tables are given — plus the edition's export order types and the in-message rules R13/R14
(``export_checks``). The element order of an export message ends ``BaseTransfer, BaseSubscribe*,
ds:Signature?, ExtendMessage?`` (import: ExtendMessage before the signature); the field specification carries
it. Rendering writes no ds:Signature and no ExtendMessage, so a signature appended last stays in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType, SimpleNamespace
from typing import Any

from lxml import etree

from cbec.common.errors import Problem
from cbec.messages.checks import ENUMERATIONS, STRUCTURE, Checker
from cbec.messages.codec import (
    DEFAULT_VERSION,
    CodeTables,
    Layout,
    ParseOutcome,
    _declaration_spec,
    append_group,
    build,
    ceb_tag,
    group_values,
    message_from_record,
    new_root,
    serialise,
)
from cbec.messages.documents import Edition, Message, Subscription, Transfer
from cbec.messages.export_checks import export_codes, export_document_problems
from cbec.messages.export_documents import (
    Departure,
    ExportArrival,
    ExportCancel,
    ExportDocument,
    ExportInventory,
    ExportInventoryLine,
    ExportMessageType,
    ExportOrder,
    ExportOrderLine,
    ExportReturn,
    ExportReturnLine,
    ExportWaybill,
    MasterBill,
    MasterBillLine,
    ParcelLine,
    PaymentReceiptNote,
    ReturnTally,
    SummaryApplication,
    SummaryResult,
    SummaryResultLine,
)
from cbec.messages.export_names import EXPORT_GROUPS
from cbec.messages.fastread import Record, message_reader
from cbec.messages.fieldspec import DSIG_NS, GroupSpec, MessageSpec, field_catalogue
from cbec.messages.xml import MessageRefused

# A layout without line_class but with a line group is a list of plain values (SummaryApplyList/invtNo).
EXPORT_LAYOUTS: Mapping[ExportMessageType, Layout] = MappingProxyType(
    {
        ExportMessageType.ORDER: Layout("Order", "OrderHead", "OrderList", ExportOrder, ExportOrderLine),
        ExportMessageType.PAYMENT_RECEIPT_NOTE: Layout("Receipts", None, None, PaymentReceiptNote, None),
        ExportMessageType.WAYBILL: Layout("Logistics", None, None, ExportWaybill, None),
        ExportMessageType.ARRIVAL: Layout("Arrival", "ArrivalHead", "ArrivalList", ExportArrival, ParcelLine),
        ExportMessageType.DEPARTURE: Layout("Departure", "DepartureHead", "DepartureList", Departure, ParcelLine),
        ExportMessageType.INVENTORY: Layout(
            "Inventory", "InventoryHead", "InventoryList", ExportInventory, ExportInventoryLine
        ),
        ExportMessageType.CANCEL: Layout("InvtCancel", None, None, ExportCancel, None),
        ExportMessageType.MASTER_BILL: Layout("WayBill", "WayBillHead", "WayBillList", MasterBill, MasterBillLine),
        ExportMessageType.RETURN: Layout(
            "InvtRefund", "InvtRefundHead", "InvtRefundList", ExportReturn, ExportReturnLine
        ),
        ExportMessageType.RETURN_TALLY: Layout("InvtRefundDetail", None, None, ReturnTally, None),
        ExportMessageType.SUMMARY_APPLICATION: Layout(
            "SummaryApply", "SummaryApplyHead", "SummaryApplyList", SummaryApplication, None
        ),
    }
)
# CEB792 is not a declaration (customs sends it) but its documents have the same shape.
SUMMARY_RESULT_LAYOUT = Layout(
    "SummaryResult", "SummaryResultHead", "SummaryResultList", SummaryResult, SummaryResultLine
)
_BY_CLASS = {layout.document_class: message_type for message_type, layout in EXPORT_LAYOUTS.items()}


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if child.tag == ceb_tag(name)]


def _value_list(group: str) -> tuple[str, str]:
    """Return (CEB element, plural attribute) of a group that is a list of plain values."""
    ((ceb, attribute),) = EXPORT_GROUPS[group].items()
    return ceb, attribute


def _values(element: etree._Element, spec: GroupSpec, group: str) -> dict[str, Any]:
    """Return a group's English-named values; elements the edition lacks (2018: gseqno) are None."""
    values = dict.fromkeys(EXPORT_GROUPS[group].values())
    values.update(group_values(element, spec, group, EXPORT_GROUPS))
    return values


def read_document(element: etree._Element, layout: Layout, spec: GroupSpec) -> Any:
    """Build one export document (or CEB792 summary result) from its checked element."""
    if layout.head is None:
        values = _values(element, spec, layout.document)
    else:
        values = _values(_children(element, layout.head)[0], spec.group(layout.head), layout.head)
    extra: dict[str, Any] = {}
    if layout.lines is not None:
        line_spec = spec.group(layout.lines)
        lines = [_values(e, line_spec, layout.lines) for e in _children(element, layout.lines)]
        if layout.line_class is None:
            _ceb, attribute = _value_list(layout.lines)
            extra[attribute] = tuple(line[attribute] for line in lines)
        else:
            extra["lines"] = tuple(build(layout.line_class, line) for line in lines)
    return build(layout.document_class, values, **extra)


def append_document(parent: etree._Element, document: Any, layout: Layout, spec: GroupSpec) -> None:
    """Append one export document (or CEB792 summary result) in XSD order."""
    if layout.head is None:
        append_group(parent, document, spec, layout.document, EXPORT_GROUPS)
        return
    element = etree.SubElement(parent, ceb_tag(layout.document))
    append_group(element, document, spec.group(layout.head), layout.head, EXPORT_GROUPS)
    if layout.lines is None:
        return
    line_spec = spec.group(layout.lines)
    if layout.line_class is None:
        _ceb, attribute = _value_list(layout.lines)
        for value in getattr(document, attribute):
            append_group(element, SimpleNamespace(**{attribute: value}), line_spec, layout.lines, EXPORT_GROUPS)
        return
    for line in document.lines:
        append_group(element, line, line_spec, layout.lines, EXPORT_GROUPS)


def document_path(layout: Layout, index: int) -> str:
    """Return the CEB path prefix of the fields of the index-th (1-based) document, as format problems name it."""
    return f"{layout.document}[{index}]/" + (f"{layout.head}/" if layout.head else "")


def export_checker(edition: Edition, code_tables: CodeTables | None = None) -> Checker:
    """Return a format checker with the export code lists of an edition."""
    return Checker(code_tables=code_tables, enumerations=export_enumerations(edition))


@cache
def export_enumerations(edition: Edition) -> Mapping[str, tuple[str, ...]]:
    """Return the closed code lists the format check applies to export messages of an edition."""
    return MappingProxyType({**ENUMERATIONS, **export_codes(edition)})


def _record_document(record: Record, layout: Layout) -> Any:
    """Build one export document from the Record of its clean element (as read_document reads the element)."""
    values = record.values if layout.head is None else record.groups[layout.head][0].values
    extra: dict[str, Any] = {}
    if layout.lines is not None:
        lines = [line.values for line in record.groups[layout.lines]]
        if layout.line_class is None:
            _ceb, attribute = _value_list(layout.lines)
            extra[attribute] = tuple(line[attribute] for line in lines)
        else:
            extra["lines"] = tuple(build(layout.line_class, line) for line in lines)
    return build(layout.document_class, values, **extra)


def _record_message(
    root: etree._Element, record: Record, message_type: ExportMessageType, edition: Edition, raw: bytes
) -> Message:
    """Build an export message from the Record of its clean tree (the same Message as _build_message)."""
    layout = EXPORT_LAYOUTS[message_type]
    documents = tuple(_record_document(r, layout) for r in record.groups[layout.document])
    return message_from_record(root, record, message_type, edition, raw, documents)


def rule_problems(documents: tuple[Any, ...], layout: Layout) -> list[Problem]:
    """Return the R13/R14 problems of the documents of one message, with CEB paths."""
    problems: list[Problem] = []
    for index, document in enumerate(documents, 1):
        problems += export_document_problems(document, document_path(layout, index), ceb=True)
    return problems


def _build_message(
    root: etree._Element, message_type: ExportMessageType, spec: MessageSpec, edition: Edition, raw: bytes
) -> Message:
    layout = EXPORT_LAYOUTS[message_type]
    document_spec = spec.root.group(layout.document)
    documents = tuple(read_document(e, layout, document_spec) for e in _children(root, layout.document))
    transfer_values = group_values(
        _children(root, "BaseTransfer")[0], spec.root.group("BaseTransfer"), "BaseTransfer", EXPORT_GROUPS
    )
    subscribe_spec = spec.root.group("BaseSubscribe")
    subscriptions = tuple(
        build(Subscription, group_values(e, subscribe_spec, "BaseSubscribe", EXPORT_GROUPS))
        for e in _children(root, "BaseSubscribe")
    )
    return Message(
        message_type=message_type,
        edition=edition,
        guid=root.get("guid", ""),
        version=root.get("version", ""),
        documents=documents,
        transfer=build(Transfer, transfer_values),
        subscriptions=subscriptions,
        signed=any(child.tag == f"{{{DSIG_NS}}}Signature" for child in root),
        raw=raw,
    )


def parse_export_message(
    root: etree._Element,
    spec: MessageSpec,
    edition: Edition,
    raw: bytes,
    *,
    code_tables: CodeTables | None = None,
) -> ParseOutcome:
    """Check an identified export message tree and build its documents; never raises on bad input."""
    name, guid = spec.name, root.get("guid")
    layout = EXPORT_LAYOUTS.get(ExportMessageType(name))
    if layout is None:
        problem = Problem(
            STRUCTURE,
            name,
            f"{name} 不是申报报文 / {name} is not a declaration message",
            "回执用 parse_receipts 读取，CEB792 用 parse_summary_results / read receipts with parse_receipts, "
            "CEB792 with parse_summary_results",
        )
        return ParseOutcome(None, [problem], name, guid)
    declaration_spec = _declaration_spec(spec)
    enumerations = export_enumerations(edition)
    record = message_reader(declaration_spec, enumerations, EXPORT_GROUPS, prefill=True).read(root, code_tables)
    if record is not None:  # clean format: the values already read and converted
        message = _record_message(root, record, ExportMessageType(name), edition, raw)
        found: list[Problem] = []
    else:
        checker = Checker(code_tables=code_tables, enumerations=enumerations)
        checker.check_message(root, declaration_spec)
        if any(p.severity == "error" for p in checker.problems):
            return ParseOutcome(None, checker.problems, name, guid)
        message = _build_message(root, ExportMessageType(name), declaration_spec, edition, raw)
        found = checker.problems
    problems = found + rule_problems(message.documents, layout)
    if any(p.severity == "error" for p in problems):
        return ParseOutcome(None, problems, name, guid)
    return ParseOutcome(message, problems, name, guid)


def export_message_type_of(document: ExportDocument) -> ExportMessageType:
    """Return the export declaration message type carrying a document."""
    return _BY_CLASS[type(document)]


def _refused(message_type: str, message: str, hint: str) -> MessageRefused:
    return MessageRefused([Problem(STRUCTURE, message_type, message, hint)])


def render_export_message(message: Message, *, edition: Edition = Edition.E202205) -> bytes:
    """Render an export declaration message as CEB XML (UTF-8, ceb: prefix, XSD order, no signature)."""
    message_type = ExportMessageType(message.message_type)
    layout = EXPORT_LAYOUTS.get(message_type)
    if layout is None:
        raise _refused(
            message_type.value,
            f"{message_type.value} 不是申报报文 / {message_type.value} is not a declaration message",
            "回执用 render_receipts，CEB792 用 render_summary_results / use render_receipts or render_summary_results",
        )
    catalogue = field_catalogue(edition)
    if message_type.value not in catalogue.messages:
        raise _refused(
            message_type.value,
            f"{message_type.value} 不属于 {edition.value} 版报文规范 / not part of the {edition.value} edition",
            "选择 202205 版 / render it under the 202205 edition",
        )
    spec = catalogue.message(message_type.value)
    root = new_root(message_type.value, message.guid, message.version or DEFAULT_VERSION)
    document_spec = spec.root.group(layout.document)
    for document in message.documents:
        append_document(root, document, layout, document_spec)
    append_group(root, message.transfer, spec.root.group("BaseTransfer"), "BaseTransfer", EXPORT_GROUPS)
    for subscription in message.subscriptions:
        append_group(root, subscription, spec.root.group("BaseSubscribe"), "BaseSubscribe", EXPORT_GROUPS)
    return serialise(root)
