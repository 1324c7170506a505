"""Hardened XML reading (安全解析) for CEB and DXP messages.

No DTD of any kind is accepted (a DOCTYPE or ENTITY declaration is refused before parsing, so neither
entity-expansion bombs nor external entities can reach the parser), nothing is fetched from the network,
and size, nesting depth, element count and attributes per element are bounded: the attribute count is read as
each element starts, before anything looks at one attribute (lxml's ``attrib.items()`` is quadratic). Every
refusal is an ``UnsafeXml`` carrying a Problem.

Ordinary messages are parsed in one C call: when the bytes are UTF-8 and hold no more '<' than elements
allowed (so the element count cannot be exceeded), the whole tree is parsed with the same parser options and
depth and attributes are bounded on it by XPath. Anything else — another encoding, too many '<', a tree too deep
or an element with too many attributes, malformed XML — goes through ``parse_pulled`` as before, so hostile
input meets the same checks in the same order, with the same memory bounds and the same refusals.
"""

from __future__ import annotations

import codecs
import functools
import re
import threading

from lxml import etree

from cbec.common.errors import InvalidInput, Problem

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_DEPTH = 32
# A full CEB621 (100 inventories x 99 lines) has about 225 000 elements.
DEFAULT_MAX_ELEMENTS = 300_000
# CEB and DxpMsg elements carry at most a handful of attributes (guid, version, xsi:schemaLocation, Algorithm).
DEFAULT_MAX_ATTRIBUTES = 64
_CHUNK = 64 * 1024

RULE_XML = "FMT-XML"
# "<!" is only allowed to open a comment or a CDATA section; anything else is a markup declaration.
_DECLARATION = re.compile(rb"<!(?!--|\[CDATA\[)")
# A whole XML declaration; group 1 or 2 is its encoding pseudo-attribute (both None when it names none).
_ENCODING = re.compile(
    rb"<\?xml\s+version\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*')"
    rb"(?:\s+encoding\s*=\s*(?:\"([A-Za-z0-9._-]*)\"|'([A-Za-z0-9._-]*)'))?"
    rb"(?:\s+standalone\s*=\s*(?:\"(?:yes|no)\"|'(?:yes|no)'))?\s*\?>"
)
_ASCII_COMPATIBLE = frozenset({b"utf-8", b"utf8", b"us-ascii", b"ascii"})
_LOCAL = threading.local()  # one whole-tree parser per thread (lxml parsers are not shared across threads)
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class MessageRefused(InvalidInput, ValueError):
    """A message that cannot be accepted; ``problems`` lists every reason (also a ValueError)."""

    def __init__(self, problems: list[Problem], message: str | None = None) -> None:
        text = message or (problems[0].message if problems else "message refused")
        super().__init__(text, problems=problems)


class UnsafeXml(MessageRefused):
    """Input that is not acceptable XML: malformed, too large, too deep, or declaring a DTD or entities."""

    @property
    def problem(self) -> Problem:
        """Return the (single) problem that caused the refusal."""
        return self.problems[0]


def _refuse(message: str, hint: str) -> UnsafeXml:
    return UnsafeXml([Problem(RULE_XML, "", message, hint)])


def _too_deep(max_depth: int) -> UnsafeXml:
    return _refuse(
        f"元素嵌套超过 {max_depth} 层 / elements nested deeper than {max_depth} levels",
        "按报文规范的层级组织报文 / follow the element structure of the specification",
    )


def _scan_view(data: bytes) -> bytes:
    """Return bytes in which markup declarations can be found with an ASCII pattern."""
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").encode("utf-8")
    head = data[:4]
    if len(head) == 4 and b"\x00" in head:
        for encoding in ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if text.lstrip().startswith("<"):
                return text.encode("utf-8")
        raise _refuse(
            "无法识别的字符编码 / unrecognised character encoding", "以 UTF-8 编码报文 / encode the message as UTF-8"
        )
    return data


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _syntax_detail(data: bytes, exc: etree.XMLSyntaxError) -> str:
    """Return a readable syntax error; the pull parser reports some errors only as 'no element found'."""
    if exc.lineno:
        return str(exc)
    try:
        etree.fromstring(data, _safe_parser())
    except etree.XMLSyntaxError as again:
        return str(again)
    return str(exc)


def root_tag(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """Return the qualified tag of the first element, reading no further than it; None if there is none.

    Cheap (one chunk, no tree): lets a reader tell message kinds apart before the one full, checked parse.
    """
    if not isinstance(data, bytes | bytearray | memoryview) or len(data) > max_bytes:
        return None
    parser = etree.XMLPullParser(
        events=("start",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    view = memoryview(data)  # chunks are copied as they are fed, not the whole message first
    try:
        for offset in range(0, len(view), _CHUNK):
            parser.feed(bytes(view[offset : offset + _CHUNK]))
            for _event, element in parser.read_events():
                return str(element.tag)
    except etree.XMLSyntaxError:
        return None
    return None


def admit(data: bytes, max_bytes: int) -> bytes:
    """Refuse what is not parsed at all (not bytes, too large, empty, declaring a DTD); return the bytes."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise _refuse("报文必须是字节串 / message must be bytes", "以 UTF-8 字节传入报文 / pass the raw UTF-8 bytes")
    data = bytes(data)
    if len(data) > max_bytes:
        raise _refuse(
            f"报文超过 {max_bytes} 字节上限 / message larger than {max_bytes} bytes",
            "拆分为多个报文（每个报文最多 100 票）/ split it into several messages (at most 100 documents each)",
        )
    if not data.strip():
        raise _refuse("报文为空 / message is empty", "发送完整的 XML 报文 / send a complete XML message")
    if _DECLARATION.search(_scan_view(data)):
        raise _refuse(
            "报文含 DOCTYPE 或实体声明，拒绝处理 / DOCTYPE or entity declarations are not accepted",
            "删除 DOCTYPE 与 ENTITY 声明 / remove the DOCTYPE and ENTITY declarations",
        )
    return data


def parse_xml(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
    max_attributes: int = DEFAULT_MAX_ATTRIBUTES,
) -> etree._Element:
    """Parse untrusted XML bytes into an element tree; raise UnsafeXml on anything unacceptable."""
    data = admit(data, max_bytes)
    if _fits_fast_path(data, max_elements):
        root = _parse_whole(data, max_depth, max_attributes)
        if root is not None:
            return _without_doctype(root)
    return parse_pulled(data, max_depth, max_elements, max_attributes)


def _fits_fast_path(data: bytes, max_elements: int) -> bool:
    """Tell whether a whole-tree parse is safe: UTF-8 (or ASCII) bytes with no more '<' than elements allowed.

    Every element opens with '<', which in UTF-8 is only ever the byte 0x3C; other encodings (a wide BOM, NULs,
    an encoding declaration naming anything but UTF-8/ASCII) could hide markup from the count and go through
    the pull parser.
    """
    if data.count(b"<") > max_elements:
        return False
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    if not body[:1] or body[:1] not in b"< \t\r\n":
        return False
    if not body.startswith(b"<?xml"):
        return True
    declared = _ENCODING.match(body)
    if declared is None:
        return False
    encoding = declared.group(1) or declared.group(2)
    return encoding is None or encoding.lower() in _ASCII_COMPATIBLE


def _parse_whole(data: bytes, max_depth: int, max_attributes: int) -> etree._Element | None:
    """Parse in one C call and check depth and attributes on the tree; None where the pull parser must decide."""
    try:
        root = etree.fromstring(data, _whole_parser())
    except etree.XMLSyntaxError:
        return None  # the pull parser gives the same refusal, worded as before
    deeper, total, crowded = _bounds(max_depth, max_attributes)
    if deeper(root):
        return None  # refused by the pull parser, in document order, as before
    # Every attribute needs a '=' (a UTF-8 byte nothing else encodes); count them on the tree only when the
    # bytes cannot rule out a crowded element, and look at each element only when the whole tree has too many.
    if data.count(b"=") > max_attributes and total(root) > max_attributes and crowded(root):
        return None
    return root


def _whole_parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = _safe_parser()
    return parser


@functools.lru_cache(maxsize=16)
def _bounds(max_depth: int, max_attributes: int) -> tuple[etree.XPath, etree.XPath, etree.XPath]:
    """Return XPaths telling: some element is nested too deep; how many attributes; some element has too many."""
    # An element below max_depth needs element children at every level above it: only those are followed.
    deeper = "/*" * (max_depth + 1)
    return (
        etree.XPath(f"boolean({deeper})"),
        etree.XPath("count(/descendant-or-self::*/@*)"),
        etree.XPath(f"boolean(//*[count(@*) > {max_attributes}])"),
    )


def _without_doctype(root: etree._Element) -> etree._Element:
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _refuse(
            "报文含 DOCTYPE 声明，拒绝处理 / DOCTYPE declarations are not accepted",
            "删除 DOCTYPE 声明 / remove the DOCTYPE declaration",
        )
    return root


def parse_pulled(data: bytes, max_depth: int, max_elements: int, max_attributes: int) -> etree._Element:
    """Parse admitted bytes event by event, bounding depth, element count and attributes as each element starts.

    The reference path: parse_xml takes it whenever the whole-tree parse cannot show the bounds hold.
    """
    parser = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    depth = 0
    count = 0
    try:
        for offset in range(0, len(data), _CHUNK):
            parser.feed(data[offset : offset + _CHUNK])
            for event, element in parser.read_events():
                if event == "end":
                    depth -= 1
                    continue
                depth += 1
                count += 1
                if depth > max_depth:
                    raise _too_deep(max_depth)
                if len(element.attrib) > max_attributes:  # len() walks the list once; items() is quadratic
                    raise _refuse(
                        f"元素属性超过 {max_attributes} 个 / an element has more than {max_attributes} attributes",
                        "删除报文规范未定义的属性 / remove the attributes the specification does not define",
                    )
                if count > max_elements:
                    raise _refuse(
                        f"元素数量超过 {max_elements} / more than {max_elements} elements",
                        "拆分为多个报文 / split it into several messages",
                    )
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" in str(exc):
            # libxml2's own limit (256) can fire inside one chunk before our depth check sees the events.
            raise _too_deep(max_depth) from None
        detail = _syntax_detail(data, exc)
        raise _refuse(
            f"XML 格式错误：{detail} / malformed XML: {detail}",
            "检查报文是否为完整、格式正确的 UTF-8 XML / check the message is complete, well-formed UTF-8 XML",
        ) from None
    return _without_doctype(root)
