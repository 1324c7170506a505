"""Codec of CEB declaration messages (报文编解码): XML bytes ↔ documents.

``parse_message`` reads one declaration message — import (CEB311/411/511/513/621/623/625/711) or export
(CEB303/403/505/507/509/603/605/607/213/215/701, see ``export_codec``) — through the hardened parser,
checks it against the field specification of the chosen edition, reports every problem at once and, when
it is valid, builds the frozen documents of ``cbec.messages.documents`` / ``export_documents``. A clean
message is checked and read in one pass by the reader compiled from its spec (``fastread``); the interpretive
``Checker`` runs only on a message that reader finds unusual, and reports every problem as it always did.
``render_message`` writes documents back as CEB XML in XSD order (without ds:Signature; the signature
module inserts it).
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, Literal, Protocol

from lxml import etree

from cbec.common.clock import SHANGHAI, format_ceb_time
from cbec.common.errors import Problem
from cbec.common.money import format_decimal
from cbec.messages.checks import (
    CEB_NS,
    ENUMERATIONS,
    STRUCTURE,
    TIME_FORMATS,
    Checker,
    decimal_value,
    element_text,
    int_value,
    local_name,
    normalise,
    parse_time,
)
from cbec.messages.documents import (
    AppStatus,
    AppType,
    ArrivalLine,
    ArrivalRecord,
    CancelRequest,
    Declaration,
    Document,
    Edition,
    ImportDocument,
    ImportOrder,
    Inventory,
    InventoryLine,
    Message,
    MessageType,
    OrderLine,
    Payment,
    ReturnLine,
    ReturnRequest,
    Subscription,
    Transfer,
    Waybill,
    WaybillStatus,
)
from cbec.messages.export_documents import ExportMessageType
from cbec.messages.fastread import Record, message_reader
from cbec.messages.fieldspec import DSIG_NS, FieldSpec, GroupSpec, MessageSpec, field_catalogue
from cbec.messages.names import GROUPS
from cbec.messages.xml import DEFAULT_MAX_BYTES, MessageRefused, UnsafeXml, parse_xml

UNKNOWN = "Unknown"
Direction = Literal["import", "export"]
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
NSMAP = {"ceb": CEB_NS}
DEFAULT_VERSION = "1.0"


class CodeTables(Protocol):
    """Parameter code tables (参数代码表): country, currency, unit, transport_mode, trade_mode, wrap_type."""

    def contains(self, table: str, code: str) -> bool:
        """Tell whether a code exists in a table."""
        ...


@dataclass(frozen=True, slots=True)
class ParseOutcome:
    """Result of reading a message: the message when valid, and every problem found."""

    message: Message | None
    problems: list[Problem]
    message_type: str
    guid: str | None

    @property
    def ok(self) -> bool:
        """Tell whether the message was accepted."""
        return self.message is not None


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a declaration's documents sit in the message: document element, head group, line group."""

    document: str
    head: str | None  # None: the document element itself carries the fields
    lines: str | None
    document_class: type
    line_class: type | None


LAYOUTS: Mapping[MessageType, Layout] = {
    MessageType.ORDER: Layout("Order", "OrderHead", "OrderList", ImportOrder, OrderLine),
    MessageType.PAYMENT: Layout("Payment", "PaymentHead", None, Payment, None),
    MessageType.WAYBILL: Layout("Logistics", "LogisticsHead", None, Waybill, None),
    MessageType.WAYBILL_STATUS: Layout("LogisticsStatus", None, None, WaybillStatus, None),
    MessageType.INVENTORY: Layout("Inventory", "InventoryHead", "InventoryList", Inventory, InventoryLine),
    MessageType.CANCEL: Layout("InvtCancel", None, None, CancelRequest, None),
    MessageType.RETURN: Layout("InvtRefund", "InvtRefundHead", "InvtRefundList", ReturnRequest, ReturnLine),
    MessageType.ARRIVAL: Layout("Delivery", "DeliveryHead", "DeliveryList", ArrivalRecord, ArrivalLine),
}
_BY_CLASS = {layout.document_class: message_type for message_type, layout in LAYOUTS.items()}


def ceb_tag(name: str) -> str:
    """Return the qualified tag of a CEB element."""
    return f"{{{CEB_NS}}}{name}"


# --- reading ---------------------------------------------------------------------------------------


def _convert(text: str, spec: FieldSpec, english: str) -> Any:
    """Convert checked text to the document's type."""
    if english == "declaration.app_type":
        return AppType(text)
    if english == "declaration.app_status":
        return AppStatus(text)
    if spec.kind == "decimal":
        return decimal_value(text)
    if spec.kind == "int":
        return int_value(text)
    if spec.name in TIME_FORMATS:
        return parse_time(text, spec.name)
    return text


def group_values(
    element: etree._Element, spec: GroupSpec, group: str, names: Mapping[str, Mapping[str, str]] = GROUPS
) -> dict[str, Any]:
    """Return the English-named values of a checked group element; empty optional fields become None."""
    mapping = names[group]
    present = {local_name(child): child for child in element if isinstance(child.tag, str)}
    values: dict[str, Any] = {}
    for field_spec in spec.fields():
        english = mapping[field_spec.name]
        child = present.get(field_spec.name)
        text = normalise(element_text(child), field_spec) if child is not None else ""
        if text == "" and field_spec.fixed is not None and child is not None:
            text = field_spec.fixed
        if text == "" and not (field_spec.required and field_spec.min_length == 0):
            values[english] = None
        else:
            values[english] = _convert(text, field_spec, english)
    return values


def build(cls: type, values: Mapping[str, Any], **extra: Any) -> Any:
    """Build a document dataclass from English-named values (dotted declaration.* keys nest)."""
    plan = _plan(cls, tuple(values))
    kwargs: dict[str, Any] = {k: v for k, v in extra.items() if k in plan.names} if extra else {}
    if plan.fields:
        kwargs.update(zip(plan.fields, plan.take(values), strict=True))
    if plan.nested:
        declaration = Declaration(**dict(zip(plan.nested, plan.take_nested(values), strict=True)))
        if "declaration" in plan.names:
            kwargs["declaration"] = declaration
    return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class _Plan:
    """How values with given keys become a class's arguments: fields taken as they are, declaration.* nested."""

    names: frozenset[str]  # the class's fields
    fields: tuple[str, ...]
    take: Callable[[Mapping[str, Any]], tuple[Any, ...]]
    nested: tuple[str, ...]  # Declaration fields
    take_nested: Callable[[Mapping[str, Any]], tuple[Any, ...]]


_PLANS: dict[tuple[type, tuple[str, ...]], _Plan] = {}


def _getter(keys: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """Return a function of a mapping giving the values of keys as a tuple (itemgetter, also for one key)."""
    if not keys:
        return lambda values: ()
    if len(keys) == 1:
        (key,) = keys
        return lambda values: (values[key],)
    return operator.itemgetter(*keys)


def _plan(cls: type, keys: tuple[str, ...]) -> _Plan:
    plan = _PLANS.get((cls, keys))
    if plan is None:
        names = frozenset(f.name for f in dataclasses.fields(cls))
        fields = tuple(key for key in keys if not key.startswith("declaration.") and key in names)
        nested = tuple(key for key in keys if key.startswith("declaration."))
        plan = _Plan(names, fields, _getter(fields), tuple(key.split(".", 1)[1] for key in nested), _getter(nested))
        if len(_PLANS) >= 4096:  # callers with ever-new key sets (none in the product) cannot grow it for ever
            _PLANS.clear()
        _PLANS[cls, keys] = plan
    return plan


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if child.tag == ceb_tag(name)]


def _document(element: etree._Element, layout: Layout, spec: GroupSpec) -> ImportDocument:
    if layout.head is None:
        values = group_values(element, spec, layout.document)
    else:
        values = group_values(_children(element, layout.head)[0], spec.group(layout.head), layout.head)
    extra: dict[str, Any] = {}
    if layout.lines is not None and layout.line_class is not None:
        line_spec = spec.group(layout.lines)
        extra["lines"] = tuple(
            build(layout.line_class, group_values(line, line_spec, layout.lines))
            for line in _children(element, layout.lines)
        )
    document: ImportDocument = build(layout.document_class, values, **extra)
    return document


def _record_document(record: Record, layout: Layout) -> ImportDocument:
    """Build one document from the Record of its clean element (as _document reads the element)."""
    values = record.values if layout.head is None else record.groups[layout.head][0].values
    extra: dict[str, Any] = {}
    if layout.lines is not None and layout.line_class is not None:
        line_class = layout.line_class
        extra["lines"] = tuple(build(line_class, line.values) for line in record.groups[layout.lines])
    document: ImportDocument = build(layout.document_class, values, **extra)
    return document


def _record_message(
    root: etree._Element, record: Record, message_type: MessageType, edition: Edition, raw: bytes
) -> Message:
    """Build an import message from the Record of its clean tree (the same Message as _build_message)."""
    layout = LAYOUTS[message_type]
    documents = tuple(_record_document(r, layout) for r in record.groups[layout.document])
    return message_from_record(root, record, message_type, edition, raw, documents)


def message_from_record(
    root: etree._Element,
    record: Record,
    message_type: MessageType | ExportMessageType,
    edition: Edition,
    raw: bytes,
    documents: tuple[Any, ...],
) -> Message:
    """Build a message around its documents from the Record of its clean tree (as the tree's build makes it)."""
    return Message(
        message_type=message_type,
        edition=edition,
        guid=root.get("guid", ""),
        version=root.get("version", ""),
        documents=documents,
        transfer=build(Transfer, record.groups["BaseTransfer"][0].values),
        subscriptions=tuple(build(Subscription, r.values) for r in record.groups["BaseSubscribe"]),
        signed=any(child.tag == _SIGNATURE for child in root),
        raw=raw,
    )


_SIGNATURE = f"{{{DSIG_NS}}}Signature"


def _build_message(
    root: etree._Element, message_type: MessageType, spec: MessageSpec, edition: Edition, raw: bytes
) -> Message:
    layout = LAYOUTS[message_type]
    document_spec = spec.root.group(layout.document)
    documents = tuple(_document(e, layout, document_spec) for e in _children(root, layout.document))
    transfer = build(
        Transfer, group_values(_children(root, "BaseTransfer")[0], spec.root.group("BaseTransfer"), "BaseTransfer")
    )
    subscribe_spec = spec.root.group("BaseSubscribe")
    subscriptions = tuple(
        build(Subscription, group_values(e, subscribe_spec, "BaseSubscribe")) for e in _children(root, "BaseSubscribe")
    )
    return Message(
        message_type=message_type,
        edition=edition,
        guid=root.get("guid", ""),
        version=root.get("version", ""),
        documents=documents,
        transfer=transfer,
        subscriptions=subscriptions,
        signed=any(child.tag == f"{{{DSIG_NS}}}Signature" for child in root),
        raw=raw,
    )


_DECLARATION_SPECS: dict[int, tuple[MessageSpec, MessageSpec]] = {}


def _declaration_spec(spec: MessageSpec) -> MessageSpec:
    """Return the spec with ds:Signature made optional: whether one is needed is the signature layer's call."""
    known = _DECLARATION_SPECS.get(id(spec))  # by identity: hashing a whole spec costs more than the lookup
    if known is not None and known[0] is spec:
        return known[1]
    declaration = _optional_signature(spec)
    _DECLARATION_SPECS[id(spec)] = (spec, declaration)
    return declaration


@cache
def _optional_signature(spec: MessageSpec) -> MessageSpec:
    children = tuple(
        dataclasses.replace(node, min_occurs=0)
        if node.name == "Signature" and not isinstance(node, FieldSpec)
        else node
        for node in spec.root.children
    )
    return dataclasses.replace(spec, root=dataclasses.replace(spec.root, children=children))


def identify(root: etree._Element, edition: Edition) -> tuple[str, MessageSpec | None, list[Problem]]:
    """Return (message type name, its spec, problems) for a root element."""
    qname = etree.QName(root)
    catalogue = field_catalogue(edition)
    if qname.namespace == CEB_NS and qname.localname not in catalogue.messages:
        others = [e.value for e in Edition if qname.localname in field_catalogue(e).messages]
        if others:  # e.g. CEB213-216 (export returns) exist only since 202205
            problem = Problem(
                STRUCTURE,
                qname.localname,
                f"{qname.localname} 不属于 {edition.value} 版报文规范 / {qname.localname} is not part of the "
                f"{edition.value} edition",
                f"按 {'/'.join(others)} 版报文规范发送 / send it under the {'/'.join(others)} edition",
            )
            return qname.localname, None, [problem]
    if qname.namespace != CEB_NS or qname.localname not in catalogue.messages:
        where = f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else qname.localname
        problem = Problem(
            STRUCTURE,
            qname.localname,
            f"不是海关跨境电商报文：根元素 {where} / not a CEB message (root element {where})",
            f"根元素应为命名空间 {CEB_NS} 中的 CEBnnnMessage / the root must be a CEBnnnMessage in {CEB_NS}",
        )
        return UNKNOWN, None, [problem]
    return qname.localname, catalogue.message(qname.localname), []


def parse_message(
    data: bytes,
    *,
    edition: Edition = Edition.E202205,
    code_tables: CodeTables | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    direction: Direction | None = None,
) -> ParseOutcome:
    """Read and check a declaration message (only one direction's when given); never raises on bad input."""
    try:
        root = parse_xml(data, max_bytes=max_bytes)
    except UnsafeXml as exc:
        return ParseOutcome(None, list(exc.problems), UNKNOWN, None)
    name, spec, problems = identify(root, edition)
    guid = root.get("guid")
    if spec is None:
        return ParseOutcome(None, problems, name, guid)
    if direction is not None and spec.direction != direction:
        label = "进口" if direction == "import" else "出口"
        problem = Problem(
            STRUCTURE,
            name,
            f"{name} 不是本接口受理的{label}报文 / {name} is not an {direction} message this interface accepts",
            f"向{label}接口发送{label}报文 / send {direction} messages only",
        )
        return ParseOutcome(None, [problem], name, guid)
    if spec.direction == "export":
        from cbec.messages import export_codec  # export_codec builds on this module

        return export_codec.parse_export_message(root, spec, edition, bytes(data), code_tables=code_tables)
    try:
        message_type = MessageType(name)
    except ValueError:
        message_type = None
    if message_type not in LAYOUTS or spec.direction != "import":
        problem = Problem(
            STRUCTURE,
            name,
            f"{name} 不是本接口受理的进口申报报文 / {name} is not an import declaration this interface accepts",
            "回执用 parse_receipts 读取，CEB792 用 parse_summary_results / read receipts with parse_receipts, "
            "CEB792 with parse_summary_results",
        )
        return ParseOutcome(None, [problem], name, guid)
    assert message_type is not None
    declaration_spec = _declaration_spec(spec)
    record = message_reader(declaration_spec, ENUMERATIONS, GROUPS).read(root, code_tables)
    if record is not None:  # clean: no problem to report, the values already read and converted
        return ParseOutcome(_record_message(root, record, message_type, edition, bytes(data)), [], name, guid)
    checker = Checker(code_tables=code_tables)
    checker.check_message(root, declaration_spec)
    if any(p.severity == "error" for p in checker.problems):
        return ParseOutcome(None, checker.problems, name, guid)
    message = _build_message(root, message_type, declaration_spec, edition, bytes(data))
    return ParseOutcome(message, checker.problems, name, guid)


# --- writing ---------------------------------------------------------------------------------------


def _attribute(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def format_value(value: Any, spec: FieldSpec) -> str:
    """Render one document value as CEB text."""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        raise TypeError(f"{spec.name}: booleans are not CEB values")
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)
        return format_ceb_time(moment, millis=spec.length == 17)
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(value)


def append_group(
    parent: etree._Element,
    obj: Any,
    spec: GroupSpec,
    group: str,
    names: Mapping[str, Mapping[str, str]] = GROUPS,
    *,
    empty_where_allowed: bool = False,
) -> etree._Element:
    """Append a group element with the object's values in XSD order; None (and '' when optional) is omitted.

    With ``empty_where_allowed`` (receipts), a required text field without a value is written empty where its
    facets allow an empty value (``Checker.empty_where_allowed``).
    """
    element = etree.SubElement(parent, ceb_tag(spec.name))
    mapping = names[group]
    for field_spec in spec.fields():
        english = mapping[field_spec.name]
        value = _attribute(obj, english)
        if value is None or (value == "" and not field_spec.required):
            if empty_where_allowed and field_spec.required and field_spec.allows_empty and field_spec.fixed is None:
                etree.SubElement(element, ceb_tag(field_spec.name))
            continue
        child = etree.SubElement(element, ceb_tag(field_spec.name))
        text = format_value(value, field_spec)
        try:
            child.text = text
        except ValueError:
            raise MessageRefused(
                [
                    Problem(
                        "FMT-XML",
                        field_spec.name,
                        "取值含 XML 不允许的字符 / value contains characters XML cannot carry",
                        "删除控制字符 / remove control characters",
                    )
                ]
            ) from None
    return element


def new_root(message_type: str, guid: str, version: str = DEFAULT_VERSION) -> etree._Element:
    """Return an empty CEB root element with its guid and version attributes."""
    root = etree.Element(ceb_tag(message_type), nsmap=NSMAP)
    root.set("guid", guid)
    root.set("version", version)
    return root


def serialise(root: etree._Element) -> bytes:
    """Serialise a CEB tree as indented UTF-8 with a double-quoted XML declaration."""
    etree.indent(root, space="\t")
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False) + b"\n"


def message_type_of(document: Document) -> MessageType | ExportMessageType:
    """Return the declaration message type carrying a document."""
    if not isinstance(document, ImportDocument):
        from cbec.messages import export_codec  # export_codec builds on this module

        return export_codec.export_message_type_of(document)
    return _BY_CLASS[type(document)]


def render_message(message: Message, *, edition: Edition = Edition.E202205) -> bytes:
    """Render a declaration message as CEB XML (UTF-8, ceb: prefix, XSD order, no signature)."""
    if isinstance(message.message_type, ExportMessageType):
        from cbec.messages import export_codec  # export_codec builds on this module

        return export_codec.render_export_message(message, edition=edition)
    spec = field_catalogue(edition).message(message.message_type.value)
    layout = LAYOUTS[message.message_type]
    root = new_root(message.message_type.value, message.guid, message.version or DEFAULT_VERSION)
    document_spec = spec.root.group(layout.document)
    for document in message.documents:
        if layout.head is None:
            append_group(root, document, document_spec, layout.document)
            continue
        element = etree.SubElement(root, ceb_tag(layout.document))
        append_group(element, document, document_spec.group(layout.head), layout.head)
        if layout.lines is not None:
            line_spec = document_spec.group(layout.lines)
            for line in getattr(document, "lines", ()):
                append_group(element, line, line_spec, layout.lines)
    append_group(root, message.transfer, spec.root.group("BaseTransfer"), "BaseTransfer")
    for subscription in message.subscriptions:
        append_group(root, subscription, spec.root.group("BaseSubscribe"), "BaseSubscribe")
    return serialise(root)
