"""Terminal-node transport envelope (传输报文, DxpMsg): the business XML travels base64-encoded inside.

Namespace ``http://www.chinaport.gov.cn/dxp``, ``ver="1.0"``; TransInfo carries CopMsgId, SenderId,
ReceiverIds/ReceiverId (1..5), CreatTime (yyyy-MM-ddTHH:mm:ss) and MsgType; optional AddInfo/FileName.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from datetime import datetime

from lxml import etree

from cbec.common.clock import SHANGHAI
from cbec.common.errors import Problem
from cbec.messages.checks import DATETIME, LENGTH, REQUIRED, STRUCTURE, local_name
from cbec.messages.documents import Envelope
from cbec.messages.fieldspec import DSIG_NS
from cbec.messages.xml import DEFAULT_MAX_BYTES, MessageRefused, UnsafeXml, parse_xml, root_tag

DXP_NS = "http://www.chinaport.gov.cn/dxp"
IMPORT_RECEIVER = "DXPEDCCEB0000002"
EXPORT_RECEIVER = "DXPEDCCEB0000003"
VERSION = "1.0"
MAX_RECEIVERS = 5
_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_DATETIME_RE = re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
# (name, min length, max length) of the TransInfo leaves, in order
_TRANS_INFO = (
    ("CopMsgId", 1, 255),
    ("SenderId", 1, 16),
    ("ReceiverIds", 0, 0),
    ("CreatTime", 0, 0),
    ("MsgType", 0, 30),
)


def _tag(name: str) -> str:
    return f"{{{DXP_NS}}}{name}"


def _problem(rule: str, field: str, message: str, hint: str) -> Problem:
    return Problem(rule, field, message, hint)


def _check_length(problems: list[Problem], path: str, text: str, low: int, high: int) -> None:
    if not low <= len(text) <= high:
        problems.append(
            _problem(
                REQUIRED if not text and low else LENGTH,
                path,
                f"长度应为 {low}..{high} 个字符 / must be {low}..{high} characters long",
                f"填写 {low}..{high} 个字符 / use {low}..{high} characters",
            )
        )


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def _expect_sequence(
    problems: list[Problem], element: etree._Element, names: list[tuple[str, bool]], prefix: str
) -> dict[str, etree._Element]:
    """Match children against (name, required) in order; return the found elements by name."""
    found: dict[str, etree._Element] = {}
    children = _children(element)
    index = 0
    for name, required in names:
        child = children[index] if index < len(children) else None
        tag = f"{{{DSIG_NS}}}Signature" if name == "Signature" else _tag(name)
        if child is not None and child.tag == tag:
            found[name] = child
            index += 1
        elif required:
            problems.append(
                _problem(REQUIRED, f"{prefix}{name}", "必填元素缺失 / required element missing", f"添加 {name}")
            )
    for extra in children[index:]:
        problems.append(
            _problem(
                STRUCTURE,
                f"{prefix}{local_name(extra)}",
                f"未定义或顺序错误的元素 {extra.tag} / unexpected element",
                "按传输报文规范排列元素 / follow the DxpMsg structure",
            )
        )
    return found


def _parse_created(text: str) -> datetime | None:
    if not _DATETIME_RE.fullmatch(text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)


def looks_like_envelope(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bool:
    """Tell whether bytes begin as a DxpMsg envelope (its first element only: open_envelope checks the rest)."""
    return root_tag(data, max_bytes=max_bytes) == _tag("DxpMsg")


def is_envelope(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bool:
    """Tell whether bytes are a well-formed DxpMsg envelope (without checking its content)."""
    if not looks_like_envelope(data, max_bytes=max_bytes):
        return False  # a CEB message is not parsed twice just to find that out
    try:
        root = parse_xml(data, max_bytes=max_bytes)
    except UnsafeXml:
        return False
    return bool(root.tag == _tag("DxpMsg"))


def open_envelope(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Envelope:
    """Read a DxpMsg envelope and decode its payload; raise MessageRefused listing every problem."""
    root = parse_xml(data, max_bytes=max_bytes)
    if root.tag != _tag("DxpMsg"):
        raise MessageRefused(
            [
                _problem(
                    STRUCTURE,
                    local_name(root),
                    f"不是传输报文 DxpMsg：{root.tag} / not a DxpMsg envelope",
                    f"根元素应为 {{{DXP_NS}}}DxpMsg / the root must be DxpMsg in {DXP_NS}",
                )
            ]
        )
    problems: list[Problem] = []
    if root.get("ver") != VERSION:
        problems.append(_problem("FMT-FIXED", "@ver", f"ver 必须为 {VERSION} / ver must be {VERSION}", 'ver="1.0"'))
    parts = _expect_sequence(
        problems, root, [("TransInfo", True), ("Data", True), ("AddInfo", False), ("Signature", False)], ""
    )
    info = parts.get("TransInfo")
    texts: dict[str, str] = {}
    receivers: list[str] = []
    created: datetime | None = None
    if info is not None:
        leaves = _expect_sequence(problems, info, [(name, True) for name, _, _ in _TRANS_INFO], "TransInfo/")
        for name, low, high in _TRANS_INFO:
            element = leaves.get(name)
            if element is None:
                continue
            text = element.text or ""
            texts[name] = text
            if high:
                _check_length(problems, f"TransInfo/{name}", text, low, high)
        holder = leaves.get("ReceiverIds")
        if holder is not None:
            items = _children(holder)
            for position, item in enumerate(items, start=1):
                if item.tag != _tag("ReceiverId"):
                    problems.append(
                        _problem(
                            STRUCTURE,
                            f"TransInfo/ReceiverIds/{local_name(item)}",
                            "未定义的元素 / unknown element",
                            "删除",
                        )
                    )
                    continue
                receivers.append(item.text or "")
                _check_length(problems, f"TransInfo/ReceiverIds/ReceiverId[{position}]", item.text or "", 1, 16)
            if not 1 <= len(receivers) <= MAX_RECEIVERS:
                problems.append(
                    _problem(
                        STRUCTURE,
                        "TransInfo/ReceiverIds",
                        f"接收方应为 1..{MAX_RECEIVERS} 个 / 1..{MAX_RECEIVERS} receivers required",
                        f"填写 {IMPORT_RECEIVER}（进口）/ use {IMPORT_RECEIVER} for import",
                    )
                )
        if "CreatTime" in texts:
            created = _parse_created(texts["CreatTime"].strip())
            if created is None:
                problems.append(
                    _problem(
                        DATETIME,
                        "TransInfo/CreatTime",
                        "时间格式应为 yyyy-MM-ddTHH:mm:ss / must be an xs:dateTime",
                        "例如 2026-03-02T10:00:00",
                    )
                )
    payload = b""
    data_element = parts.get("Data")
    if data_element is not None:
        encoded = "".join((data_element.text or "").split())
        try:
            payload = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            problems.append(
                _problem(STRUCTURE, "Data", "Data 不是合法的 base64 / Data is not valid base64", "base64 编码业务报文")
            )
        else:
            if not payload:
                problems.append(_problem(REQUIRED, "Data", "Data 为空 / Data is empty", "放入 base64 编码的业务报文"))
    file_name: str | None = None
    add_info = parts.get("AddInfo")
    if add_info is not None:
        for child in _children(add_info):
            if child.tag == _tag("FileName"):
                file_name = child.text or ""
                _check_length(problems, "AddInfo/FileName", file_name, 1, 255)
    if problems:
        raise MessageRefused(problems)
    assert created is not None
    return Envelope(
        message_id=texts["CopMsgId"],
        sender_id=texts["SenderId"],
        receiver_ids=tuple(receivers),
        created_at=created,
        message_type=texts["MsgType"],
        payload=payload,
        file_name=file_name,
    )


def seal_envelope(
    payload: bytes,
    *,
    message_type: str,
    sender_id: str,
    receiver_id: str = IMPORT_RECEIVER,
    message_id: str | None = None,
    created_at: datetime,
    file_name: str | None = None,
) -> bytes:
    """Wrap a business message in a DxpMsg envelope (payload base64-encoded, CreatTime in Asia/Shanghai)."""
    copy_id = message_id if message_id is not None else str(uuid.uuid4()).upper()
    problems: list[Problem] = []
    _check_length(problems, "TransInfo/CopMsgId", copy_id, 1, 255)
    _check_length(problems, "TransInfo/SenderId", sender_id, 1, 16)
    _check_length(problems, "TransInfo/ReceiverIds/ReceiverId[1]", receiver_id, 1, 16)
    _check_length(problems, "TransInfo/MsgType", message_type, 0, 30)
    if file_name is not None:
        _check_length(problems, "AddInfo/FileName", file_name, 1, 255)
    if not payload:
        problems.append(_problem(REQUIRED, "Data", "业务报文为空 / payload is empty", "传入业务报文字节"))
    if problems:
        raise MessageRefused(problems)
    moment = created_at if created_at.tzinfo is not None else created_at.replace(tzinfo=SHANGHAI)
    root = etree.Element(_tag("DxpMsg"), nsmap={"dxp": DXP_NS})
    root.set("ver", VERSION)
    info = etree.SubElement(root, _tag("TransInfo"))
    etree.SubElement(info, _tag("CopMsgId")).text = copy_id
    etree.SubElement(info, _tag("SenderId")).text = sender_id
    etree.SubElement(etree.SubElement(info, _tag("ReceiverIds")), _tag("ReceiverId")).text = receiver_id
    etree.SubElement(info, _tag("CreatTime")).text = moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M:%S")
    etree.SubElement(info, _tag("MsgType")).text = message_type
    etree.SubElement(root, _tag("Data")).text = base64.b64encode(payload).decode("ascii")
    if file_name is not None:
        etree.SubElement(etree.SubElement(root, _tag("AddInfo")), _tag("FileName")).text = file_name
    etree.indent(root, space="\t")
    return _XML_DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False) + b"\n"
