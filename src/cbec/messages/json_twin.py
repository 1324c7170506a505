"""JSON twin (JSON 表示) of every CEB document, import and export, for the REST API.

English keys (the attribute names of ``cbec.messages.documents`` and ``export_documents``), Decimals as
strings in plain notation (scale kept), datetimes as ISO 8601 with offset, dates as ISO dates, enums as
their codes. Reading refuses JSON floats for any value (binary floats cannot carry amounts exactly) and
unknown keys, and reads a datetime without offset as Asia/Shanghai local time.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from cbec.common.clock import SHANGHAI
from cbec.common.errors import Problem
from cbec.messages.codec import LAYOUTS
from cbec.messages.documents import FormatReceipt, MessageType, Receipt, TaxBill
from cbec.messages.export_codec import EXPORT_LAYOUTS
from cbec.messages.export_documents import ExportMessageType, SummaryResult
from cbec.messages.export_names import EXPORT_RECEIPT_GROUPS
from cbec.messages.receipts import RECEIPT_GROUPS
from cbec.messages.xml import MessageRefused

RULE_JSON = "FMT-JSON"


def message_type_named(name: MessageType | ExportMessageType | str) -> MessageType | ExportMessageType:
    """Return the import or export message type of a name such as CEB311Message; raise ValueError when unknown."""
    if isinstance(name, MessageType | ExportMessageType):
        return name
    try:
        return MessageType(name)
    except ValueError:
        pass
    try:
        return ExportMessageType(name)
    except ValueError:
        raise ValueError(f"{name!r} is not a CEB message type") from None


def document_class(message_type: MessageType | ExportMessageType | str) -> type:
    """Return the document class carried by a message type."""
    kind = message_type_named(message_type)
    if isinstance(kind, ExportMessageType):
        if kind in EXPORT_LAYOUTS:
            return EXPORT_LAYOUTS[kind].document_class
        if kind in EXPORT_RECEIPT_GROUPS:
            return Receipt
        if kind is ExportMessageType.SUMMARY_RESULT:
            return SummaryResult
        raise ValueError(f"{kind} carries no document")
    if kind in LAYOUTS:
        return LAYOUTS[kind].document_class
    if kind in RECEIPT_GROUPS:
        return Receipt
    if kind is MessageType.TAX_BILL:
        return TaxBill
    if kind is MessageType.FORMAT_RECEIPT:
        return FormatReceipt
    raise ValueError(f"{kind} carries no document")


_PLAIN: frozenset[type] = frozenset({str, int, bool, float, type(None)})


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    """Return a dataclass's field names (None for any other class), looked up once per class."""
    try:
        return _FIELD_NAMES[cls]
    except KeyError:
        names = tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None
        _FIELD_NAMES[cls] = names
        return names


def _json_value(value: Any) -> Any:
    # Dispatch on the exact type first (the common cases), then on subclasses: documents are walked per field.
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is Decimal:
        return format(value, "f")
    if kind is datetime or kind is date:
        return value.isoformat()
    if kind is tuple or kind is list:
        return [_json_value(item) for item in value]
    names = _field_names(kind)
    if names is not None:
        return {name: _json_value(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json_value(item) for item in value]
    return value


def document_to_json(document: Any) -> dict[str, Any]:
    """Return the JSON twin of a document (a dict of JSON-ready values)."""
    if not dataclasses.is_dataclass(document) or isinstance(document, type):
        raise TypeError(f"not a document: {type(document).__name__}")
    result: dict[str, Any] = _json_value(document)
    return result


@cache
def _adapter(cls: type) -> TypeAdapter[Any]:
    return TypeAdapter(cls)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _nested_dataclass(annotation: Any) -> type | None:
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (tuple, list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _nested_dataclass(arg)
            if found is not None:
                return found
    return None


def _scan(cls: type, data: Any, path: str, problems: list[Problem]) -> None:
    """Report unknown keys and float values, which pydantic would silently accept."""
    if not isinstance(data, Mapping):
        return
    hints = _hints(cls)
    for key, value in data.items():
        where = f"{path}{key}"
        if key not in hints:
            problems.append(
                Problem(RULE_JSON, where, "未定义的字段 / unknown field", "删除该字段或检查拼写 / remove or fix it")
            )
            continue
        _scan_value(hints[key], value, where, problems)


def _scan_value(annotation: Any, value: Any, path: str, problems: list[Problem]) -> None:
    if isinstance(value, float):
        problems.append(
            Problem(
                RULE_JSON,
                path,
                "数值须以字符串表示 / numbers with a fraction must be sent as strings",
                '例如 "12.50" / e.g. "12.50"',
            )
        )
        return
    nested = _nested_dataclass(annotation)
    if nested is None:
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _scan(nested, item, f"{path}[{index}].", problems)
    else:
        _scan(nested, value, f"{path}.", problems)


def _aware(value: Any) -> Any:
    """Return the value with every naive datetime read as Asia/Shanghai local time (itself when none is naive)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=SHANGHAI)
    if kind is tuple:
        items = tuple(_aware(item) for item in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    names = _timed_fields(kind)
    if names is None:
        return value
    changes = {}
    for name in names:
        item = getattr(value, name)
        aware = _aware(item)
        if aware is not item:
            changes[name] = aware
    return dataclasses.replace(value, **changes) if changes else value


_TIMED_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _timed_fields(cls: type) -> tuple[str, ...] | None:
    """Return the fields of a dataclass that may hold a datetime, itself or inside (None for any other class)."""
    try:
        return _TIMED_FIELDS[cls]
    except KeyError:
        names = _field_names(cls)
        if names is not None:
            hints = _hints(cls)
            names = tuple(name for name in names if name not in hints or _may_hold_time(hints[name]))
        _TIMED_FIELDS[cls] = names
        return names


@cache
def _may_hold_time(annotation: Any) -> bool:
    """Tell whether a field of this type may hold a datetime (a dataclass or an unknown type may)."""
    if annotation is datetime or annotation is Any:
        return True
    if isinstance(annotation, type):
        return dataclasses.is_dataclass(annotation) or not (
            annotation in _PLAIN or issubclass(annotation, (Decimal, date, Enum, str, int))
        )
    arguments = typing.get_args(annotation)
    return not arguments or any(_may_hold_time(argument) for argument in arguments)


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def document_from_stored_json(message_type: MessageType | ExportMessageType | str, data: Mapping[str, Any]) -> Any:
    """Build a document from the JSON twin cbec itself stored (``document_to_json``): no check for unknown keys."""
    return _aware(_adapter(document_class(message_type)).validate_python(data))


def document_from_json(message_type: MessageType | ExportMessageType | str, data: Mapping[str, Any]) -> Any:
    """Build the document of a message type from its JSON twin; raise MessageRefused listing every problem."""
    cls = document_class(message_type)
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise MessageRefused(
            [Problem(RULE_JSON, "", "应为 JSON 对象 / expected a JSON object", "传入对象 / send an object")]
        )
    payload = dict(data)
    if cls is Receipt:
        route = message_type_named(message_type).value
        payload.setdefault("message_type", route)
        if payload["message_type"] != route:
            problems.append(
                Problem(RULE_JSON, "message_type", "回执类型与接口不符 / message_type does not match", "删除或更正")
            )
    _scan(cls, payload, "", problems)
    if problems:
        raise MessageRefused(problems)
    try:
        document = _adapter(cls).validate_python(payload)
    except ValidationError as exc:
        raise MessageRefused(
            [
                Problem(
                    RULE_JSON,
                    _location(tuple(error["loc"])),
                    f"{error['msg']}",
                    "按接口说明的类型填写 / use the documented type",
                )
                for error in exc.errors()
            ]
        ) from None
    return _aware(document)
