"""Receipts (回执), electronic tax bills (电子税单, CEB816), format-check receipts (CEB900) and summary results.

Receipts of both directions: import CEB312/412/512/514/622/624/626/712 and export CEB304/404/506/508/510/604/
606/608/214/216/702. The export summary result (汇总结果单, CEB792) is customs' answer to a summary
application, one per generated customs declaration.

Rendering checks the produced tree against the field specification and refuses (``MessageRefused``)
rather than emit XML the official XSD would reject; parsing reports every problem at once the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, overload

from lxml import etree

from cbec.common.errors import Problem
from cbec.messages.checks import STRUCTURE, Checker
from cbec.messages.codec import (
    append_group,
    build,
    ceb_tag,
    group_values,
    identify,
    new_root,
    serialise,
)
from cbec.messages.documents import Edition, FormatReceipt, MessageType, Receipt, TaxBill, TaxBillLine
from cbec.messages.export_codec import SUMMARY_RESULT_LAYOUT, append_document, read_document, rule_problems
from cbec.messages.export_documents import ExportMessageType, SummaryResult
from cbec.messages.export_names import EXPORT_GROUPS, EXPORT_RECEIPT_FOR, EXPORT_RECEIPT_GROUPS
from cbec.messages.fieldspec import MessageSpec, field_catalogue
from cbec.messages.names import GROUPS
from cbec.messages.templates import render_flat, render_nested
from cbec.messages.xml import DEFAULT_MAX_BYTES, MessageRefused, parse_xml

# Receipt message type -> its return element (one per receipted document).
RECEIPT_GROUPS: Mapping[MessageType, str] = {
    MessageType.ORDER_RECEIPT: "OrderReturn",
    MessageType.PAYMENT_RECEIPT: "PaymentReturn",
    MessageType.WAYBILL_RECEIPT: "LogisticsReturn",
    MessageType.WAYBILL_STATUS_RECEIPT: "LogisticsStatusReturn",
    MessageType.INVENTORY_RECEIPT: "InventoryReturn",
    MessageType.CANCEL_RECEIPT: "InvtCancelReturn",
    MessageType.RETURN_RECEIPT: "InvtRefundReturn",
    MessageType.ARRIVAL_RECEIPT: "DeliveryReturn",
}
_RECEIPT_FOR: Mapping[MessageType, MessageType] = {
    MessageType.ORDER: MessageType.ORDER_RECEIPT,
    MessageType.PAYMENT: MessageType.PAYMENT_RECEIPT,
    MessageType.WAYBILL: MessageType.WAYBILL_RECEIPT,
    MessageType.WAYBILL_STATUS: MessageType.WAYBILL_STATUS_RECEIPT,
    MessageType.INVENTORY: MessageType.INVENTORY_RECEIPT,
    MessageType.CANCEL: MessageType.CANCEL_RECEIPT,
    MessageType.RETURN: MessageType.RETURN_RECEIPT,
    MessageType.ARRIVAL: MessageType.ARRIVAL_RECEIPT,
}


@overload
def receipt_message_type(declaration_type: MessageType) -> MessageType: ...
@overload
def receipt_message_type(declaration_type: ExportMessageType) -> ExportMessageType: ...
def receipt_message_type(declaration_type: MessageType | ExportMessageType) -> MessageType | ExportMessageType:
    """Return the receipt message type answering a declaration type (CEB311 -> CEB312, CEB303 -> CEB304 ...)."""
    try:
        if isinstance(declaration_type, ExportMessageType):
            return EXPORT_RECEIPT_FOR[declaration_type]
        return _RECEIPT_FOR[declaration_type]
    except KeyError:
        raise ValueError(f"{declaration_type} has no receipt message") from None


def _receipt_group(message_type: MessageType | ExportMessageType) -> tuple[str | None, Mapping[str, Mapping[str, str]]]:
    """Return the return element of a receipt type (None when it is not one) and the name map it uses."""
    if isinstance(message_type, ExportMessageType):
        return EXPORT_RECEIPT_GROUPS.get(message_type), EXPORT_GROUPS
    return RECEIPT_GROUPS.get(message_type), GROUPS


# Anything outside the characters XML 1.0 allows (control characters, lone surrogates).
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _refused(field: str, message: str, hint: str) -> MessageRefused:
    return MessageRefused([Problem(STRUCTURE, field, message, hint)])


def _spec(edition: Edition, message_type: str) -> MessageSpec:
    """Return the spec of a message type to render; refuse a type the edition does not have (CEB214/216 in 2018)."""
    catalogue = field_catalogue(edition)
    if message_type not in catalogue.messages:
        raise _refused(
            message_type,
            f"{message_type} 不属于 {edition.value} 版报文规范 / not part of the {edition.value} edition",
            "选择 202205 版 / render it under the 202205 edition",
        )
    return catalogue.message(message_type)


def _finish(root: etree._Element, spec: MessageSpec, *, empty_where_allowed: bool = False) -> bytes:
    """Check the tree we built against the spec, then serialise it."""
    checker = Checker(empty_where_allowed=empty_where_allowed)
    checker.check_message(root, spec)
    if checker.problems:
        raise MessageRefused(checker.problems, "rendered message would not conform to the specification")
    return serialise(root)


def _read(
    data: bytes, expected: Sequence[str], edition: Edition, max_bytes: int, *, empty_where_allowed: bool = False
) -> tuple[etree._Element, MessageSpec]:
    """Parse and check a message of one of the expected types; raise MessageRefused with every problem."""
    root = parse_xml(data, max_bytes=max_bytes)
    name, spec, problems = identify(root, edition)
    if spec is None:
        raise MessageRefused(problems)
    if name not in expected:
        raise _refused(
            name,
            f"报文类型 {name} 不符，应为 {'/'.join(expected)} / expected {'/'.join(expected)}, got {name}",
            "选择与报文类型对应的读取函数 / use the reader of this message type",
        )
    checker = Checker(empty_where_allowed=empty_where_allowed)
    checker.check_message(root, spec)
    if checker.problems:
        raise MessageRefused(checker.problems)
    return root, spec


def _elements(parent: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in parent if child.tag == ceb_tag(name)]


# --- CEB312/412/512/514/622/624/626/712 -------------------------------------------------------------


def render_receipts(
    receipts: Sequence[Receipt], *, edition: Edition = Edition.E202205, message_guid: str | None = None
) -> bytes:
    """Render receipts of one message type as one CEB receipt message (up to 100 return elements)."""
    if not receipts:
        raise _refused("", "没有回执 / no receipts to render", "至少传入一条回执 / pass at least one receipt")
    types = {r.message_type for r in receipts}
    if len(types) != 1:
        raise _refused(
            "message_type",
            "回执类型不一致 / receipts of different message types",
            "每个报文只放一种回执 / render each receipt type separately",
        )
    message_type = receipts[0].message_type
    group, names = _receipt_group(message_type)
    if group is None:
        raise _refused("message_type", f"{message_type} 不是回执报文 / not a receipt type", "使用 CEBxx2 类回执类型")
    spec = _spec(edition, message_type.value)
    guid = message_guid or receipts[0].guid
    # returnInfo may quote user input; XML cannot carry control characters.
    safe = [replace(receipt, info=_xml_safe(receipt.info)) for receipt in receipts]
    fast = render_flat(spec, edition, message_type.value, group, names[group], safe, guid)
    return fast if fast is not None else render_tree(spec, message_type.value, group, names, safe, guid)


def render_tree(
    spec: MessageSpec,
    message_type: str,
    group: str,
    names: Mapping[str, Mapping[str, str]],
    items: Sequence[Any],
    guid: str,
) -> bytes:
    """Render a receipt message through the element tree, checked against its spec (refuses with every problem)."""
    root = new_root(message_type, guid)
    for item in items:
        append_group(root, item, spec.root.group(group), group, names, empty_where_allowed=True)
    return _finish(root, spec, empty_where_allowed=True)


def parse_receipts(
    data: bytes, *, edition: Edition = Edition.E202205, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Receipt]:
    """Read a CEB receipt message (import or export) into receipts; raise MessageRefused listing every problem."""
    expected = [t.value for t in RECEIPT_GROUPS] + [t.value for t in EXPORT_RECEIPT_GROUPS]
    root, spec = _read(data, expected, edition, max_bytes, empty_where_allowed=True)
    message_type: MessageType | ExportMessageType = (
        ExportMessageType(spec.name) if spec.direction == "export" else MessageType(spec.name)
    )
    group, names = _receipt_group(message_type)
    assert group is not None
    group_spec = spec.root.group(group)
    return [
        build(Receipt, group_values(element, group_spec, group, names), message_type=message_type)
        for element in _elements(root, group)
    ]


# --- CEB816 electronic tax bill ------------------------------------------------------------------------


def render_tax_bills(
    bills: Sequence[TaxBill], *, edition: Edition = Edition.E202205, message_guid: str | None = None
) -> bytes:
    """Render tax bills as one CEB816 message."""
    if not bills:
        raise _refused("", "没有税单 / no tax bills to render", "至少传入一张税单 / pass at least one tax bill")
    spec = field_catalogue(edition).message(MessageType.TAX_BILL.value)
    guid = message_guid or bills[0].guid
    shape = ("Tax", "TaxHeadRd", "TaxListRd")
    fast = render_nested(spec, edition, MessageType.TAX_BILL.value, shape, GROUPS, bills, lambda b: b.lines, guid)
    if fast is not None:
        return fast
    return render_tax_bill_tree(spec, bills, guid)


def render_tax_bill_tree(spec: MessageSpec, bills: Sequence[TaxBill], guid: str) -> bytes:
    """Render tax bills through the element tree, checked against the spec (refuses with every problem)."""
    tax_spec = spec.root.group("Tax")
    root = new_root(MessageType.TAX_BILL.value, guid)
    for bill in bills:
        tax = etree.SubElement(root, ceb_tag("Tax"))
        append_group(tax, bill, tax_spec.group("TaxHeadRd"), "TaxHeadRd")
        for line in bill.lines:
            append_group(tax, line, tax_spec.group("TaxListRd"), "TaxListRd")
    return _finish(root, spec)


def parse_tax_bills(
    data: bytes, *, edition: Edition = Edition.E202205, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[TaxBill]:
    """Read a CEB816 message into tax bills; raise MessageRefused listing every problem."""
    root, spec = _read(data, [MessageType.TAX_BILL.value], edition, max_bytes)
    tax_spec = spec.root.group("Tax")
    head_spec, line_spec = tax_spec.group("TaxHeadRd"), tax_spec.group("TaxListRd")
    bills: list[TaxBill] = []
    for tax in _elements(root, "Tax"):
        lines: tuple[Any, ...] = tuple(
            build(TaxBillLine, group_values(e, line_spec, "TaxListRd")) for e in _elements(tax, "TaxListRd")
        )
        head = _elements(tax, "TaxHeadRd")[0]
        bills.append(build(TaxBill, group_values(head, head_spec, "TaxHeadRd"), lines=lines))
    return bills


# --- CEB900 format-check receipt -------------------------------------------------------------------


def render_format_receipt(receipt: FormatReceipt, *, edition: Edition = Edition.E202205) -> bytes:
    """Render a format-check receipt as a CEB900 message (characters XML cannot carry become U+FFFD)."""
    # The receipt quotes whatever was received, which may be binary garbage.
    receipt = replace(receipt, info=_xml_safe(receipt.info), original_message=_xml_safe(receipt.original_message))
    spec = field_catalogue(edition).message(MessageType.FORMAT_RECEIPT.value)
    root = new_root(MessageType.FORMAT_RECEIPT.value, receipt.guid)
    append_group(root, receipt, spec.root.group("MessageReturn"), "MessageReturn")
    return _finish(root, spec)


def parse_format_receipt(
    data: bytes, *, edition: Edition = Edition.E202205, max_bytes: int = DEFAULT_MAX_BYTES
) -> FormatReceipt:
    """Read a CEB900 message; raise MessageRefused listing every problem."""
    root, spec = _read(data, [MessageType.FORMAT_RECEIPT.value], edition, max_bytes)
    group_spec = spec.root.group("MessageReturn")
    receipt: FormatReceipt = build(
        FormatReceipt, group_values(_elements(root, "MessageReturn")[0], group_spec, "MessageReturn")
    )
    return receipt


# --- CEB792 export summary result --------------------------------------------------------------------


def render_summary_results(
    results: Sequence[SummaryResult], *, edition: Edition = Edition.E202205, message_guid: str | None = None
) -> bytes:
    """Render summary results as one CEB792 message; refuse one breaking the XSD or R13 (msgSeqNo ≤ msgCount)."""
    if not results:
        raise _refused("", "没有汇总结果 / no summary results to render", "至少传入一条 / pass at least one result")
    name = ExportMessageType.SUMMARY_RESULT.value
    spec = _spec(edition, name)
    layout = SUMMARY_RESULT_LAYOUT
    problems = rule_problems(tuple(results), layout)
    if problems:
        raise MessageRefused(problems, "summary results break the message rules")
    root = new_root(name, message_guid or results[0].guid)
    document_spec = spec.root.group(layout.document)
    for result in results:
        append_document(root, result, layout, document_spec)
    return _finish(root, spec)


def parse_summary_results(
    data: bytes, *, edition: Edition = Edition.E202205, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[SummaryResult]:
    """Read a CEB792 message into summary results; raise MessageRefused listing every problem (XSD, R13)."""
    root, spec = _read(data, [ExportMessageType.SUMMARY_RESULT.value], edition, max_bytes)
    layout = SUMMARY_RESULT_LAYOUT
    document_spec = spec.root.group(layout.document)
    results: list[SummaryResult] = [read_document(e, layout, document_spec) for e in _elements(root, layout.document)]
    problems = rule_problems(tuple(results), layout)
    if problems:
        raise MessageRefused(problems)
    return results
