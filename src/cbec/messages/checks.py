"""Format checks (报文格式校验) of a CEB element tree against the field specification.

Structure (unknown elements, order, occurrences), every field's XSD facets (lengths in characters,
decimal digits, int range, fixed values), the date/time formats the XSD only describes in prose,
declaration codes and, when tables are given, parameter codes. Every problem is reported at once.

``compiled`` and ``fastread`` decide "no problem at all" from the same rules without wording anything: a change
here must be made there too (their tests compare both on samples, builders and mutated messages).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from lxml import etree

from cbec.common.clock import SHANGHAI
from cbec.common.errors import Problem
from cbec.messages.fieldspec import FieldSpec, ForeignSpec, GroupSpec, MessageSpec, Node

if TYPE_CHECKING:
    from cbec.messages.codec import CodeTables

CEB_NS = "http://www.chinaport.gov.cn/ceb"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

REQUIRED = "FMT-REQUIRED"
LENGTH = "FMT-LENGTH"
DECIMAL = "FMT-DECIMAL"
INTEGER = "FMT-INTEGER"
FIXED = "FMT-FIXED"
CODE = "FMT-CODE"
DATETIME = "FMT-DATETIME"
STRUCTURE = "FMT-STRUCTURE"

# Time fields the XSD declares as fixed-length strings; the format lives in the annotation.
TIME_FORMATS: dict[str, str] = {
    "appTime": "%Y%m%d%H%M%S",
    "payTime": "%Y%m%d%H%M%S",
    "logisticsTime": "%Y%m%d%H%M%S",
    "returnTime": "%Y%m%d%H%M%S%f",
    "declTime": "%Y%m%d",
    "ieDate": "%Y%m%d",
    # export only
    "accountingDate": "%Y%m%d%H%M%S",
    "leaveTime": "%Y%m%d%H%M%S",
    "startTime": "%Y%m%d%H%M%S",
    "endTime": "%Y%m%d%H%M%S",
    "opDate": "%Y%m%d%H%M%S%f",
}
TIME_LABELS = {"%Y%m%d%H%M%S": "yyyyMMddHHmmss", "%Y%m%d%H%M%S%f": "yyyyMMddHHmmssSSS", "%Y%m%d": "yyyyMMdd"}
DATE_FIELDS = frozenset({"declTime", "ieDate"})

# Elements checked against a parameter code table (JGS-20) when code tables are supplied.
CODE_TABLE_FIELDS: dict[str, str] = {
    "country": "country",
    "tradeCountry": "country",
    "currency": "currency",
    "fCurrency": "currency",
    "iCurrency": "currency",
    "unit": "unit",
    "unit1": "unit",
    "unit2": "unit",
    "trafMode": "transport_mode",
    "tradeMode": "trade_mode",
    "wrapType": "wrap_type",
}
# Declaration codes the documents need as enums (申报类型, 业务状态).
ENUMERATIONS: dict[str, tuple[str, ...]] = {"appType": ("1", "2", "3"), "appStatus": ("1", "2")}

_DECIMAL_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_INT_RE = re.compile(r"[+-]?\d+")
_DIGITS_RE = re.compile(r"\d+")
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # xs:int


def local_name(element: etree._Element) -> str:
    """Return an element's name without namespace."""
    tag = element.tag
    if isinstance(tag, str):
        return tag.rpartition("}")[2]  # Clark notation {namespace}name; cheaper than building a QName
    return etree.QName(element).localname


def normalise(text: str, spec: FieldSpec) -> str:
    """Apply the XSD whitespace rule of a field (numbers always collapse)."""
    if spec.kind != "string" or spec.white_space == "collapse":
        return " ".join(text.split())
    if spec.white_space == "replace":
        return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return text


def _digits(text: str) -> tuple[int, int]:
    """Return (integer digits, fraction digits) of a lexical decimal, ignoring leading and trailing zeros."""
    body = text.lstrip("+-")
    whole, _, fraction = body.partition(".")
    return len(whole.lstrip("0")), len(fraction.rstrip("0"))


def strict_time(text: str, pattern: str) -> datetime:
    """Return datetime.strptime(text, pattern), read directly for the all-digit CEB patterns (strptime is slow)."""
    # When the fixed-width reading is a real date, strptime's first-choice (two-digit) reading is the same one;
    # anything else goes to strptime, which may still find another reading of the digits, or refuse.
    if text.isascii() and text.isdigit():
        try:
            if pattern == "%Y%m%d" and len(text) == 8:
                return datetime(int(text[:4]), int(text[4:6]), int(text[6:8]))
            if pattern in ("%Y%m%d%H%M%S", "%Y%m%d%H%M%S%f") and len(text) == (14 if pattern.endswith("S") else 17):
                return datetime(
                    int(text[:4]),
                    int(text[4:6]),
                    int(text[6:8]),
                    int(text[8:10]),
                    int(text[10:12]),
                    int(text[12:14]),
                    int(text[14:17]) * 1000 if len(text) == 17 else 0,
                )
        except ValueError:
            pass
    return datetime.strptime(text, pattern)


def parse_time(text: str, name: str) -> datetime | date:
    """Convert a checked CEB time or date field to an aware Asia/Shanghai datetime (or a date)."""
    moment = strict_time(text, TIME_FORMATS[name])
    if name in DATE_FIELDS:
        return moment.date()
    return moment.replace(tzinfo=SHANGHAI)


def element_text(element: etree._Element) -> str:
    """Return the text of a leaf element ('' when empty)."""
    return element.text or ""


@dataclass
class Checker:
    """Collects every format problem of one message tree."""

    code_tables: CodeTables | None = None
    problems: list[Problem] = field(default_factory=list)
    # Closed code lists checked by element name; the export codec adds its edition's lists.
    enumerations: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: ENUMERATIONS)
    # A required text field may be empty where its XSD facets allow it (no length, no minLength): what a receipt
    # carries for a number not given yet (CEB604's invtNo before the inventory is numbered). Declarations sent to
    # the platform are held to a value.
    empty_where_allowed: bool = False

    def add(self, rule_id: str, path: str, message: str, hint: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(rule_id, path, message, hint))

    # --- structure -----------------------------------------------------------------------------

    def check_message(self, root: etree._Element, spec: MessageSpec) -> None:
        """Check a whole message: root attributes, then the content tree."""
        known = {a.name: a for a in spec.attributes}
        for name, value in root.attrib.items():
            qname = etree.QName(name)
            if qname.namespace == XSI_NS:
                continue
            attr = known.get(str(name)) if qname.namespace is None else None
            if attr is None:
                self.add(STRUCTURE, f"@{name}", "未定义的属性 / unknown attribute", f"删除属性 {name} / remove it")
            else:
                self.check_value(str(value), attr, f"@{name}")
        for attr in spec.attributes:
            if attr.required and root.get(attr.name) is None:
                self.add(REQUIRED, f"@{attr.name}", "必填属性缺失 / required attribute missing", _fill(attr))
        self.check_group(root, spec.root, "")

    def check_group(self, element: etree._Element, spec: GroupSpec, prefix: str) -> None:
        """Check a group element's children against its sequence, recursing into subgroups."""
        self._check_no_text(element, prefix)
        self._check_no_attributes(element, prefix, allow_root=not prefix)
        children = spec.children
        # An element that is present but misplaced is reported once, as out of order, not also as missing.
        present = {str(child.tag) for child in element if isinstance(child.tag, str)}
        counts = [0] * len(children)
        reported: set[int] = set()
        pos = 0
        for child in element:
            if not isinstance(child.tag, str):
                continue
            index = _find(children, child, pos, len(children))
            if index is None:
                earlier = _find(children, child, 0, pos)
                name = local_name(child)
                if earlier is not None:
                    expected = " / ".join(n.name for n in children[pos : pos + 1]) or "end"
                    self.add(
                        STRUCTURE,
                        f"{prefix}{name}",
                        f"元素顺序错误 / element out of order (expected {expected})",
                        "按报文规范的顺序排列元素 / put the elements in the order of the specification",
                    )
                else:
                    self.add(
                        STRUCTURE,
                        f"{prefix}{name}",
                        f"未定义的元素 {child.tag} / unknown element {child.tag}",
                        "删除该元素或检查名称与命名空间 / remove it or fix its name and namespace",
                    )
                continue
            for skipped in range(pos, index):
                self._check_min(children[skipped], counts[skipped], skipped, reported, prefix, present)
            pos = index
            counts[index] += 1
            node = children[index]
            if node.max_occurs is not None and counts[index] > node.max_occurs:
                if counts[index] == node.max_occurs + 1:
                    self.add(
                        STRUCTURE,
                        f"{prefix}{node.name}",
                        f"出现次数超过 {node.max_occurs} / more than {node.max_occurs} occurrences",
                        "拆分报文或删除多余元素 / split the message or remove the extra elements",
                    )
                continue
            self._check_child(child, node, counts[index], prefix)
        for rest in range(pos, len(children)):
            self._check_min(children[rest], counts[rest], rest, reported, prefix, present)

    def _check_child(self, child: etree._Element, node: Node, occurrence: int, prefix: str) -> None:
        if isinstance(node, ForeignSpec):
            return
        segment = node.name if node.max_occurs == 1 else f"{node.name}[{occurrence}]"
        if isinstance(node, GroupSpec):
            self.check_group(child, node, f"{prefix}{segment}/")
            return
        path = f"{prefix}{segment}"
        if len(child):
            self.add(
                STRUCTURE, path, "字段不应含子元素 / field must not contain elements", "只填写文本 / keep text only"
            )
            return
        self._check_no_attributes(child, path + "/", allow_root=False)
        self.check_value(element_text(child), node, path)

    def _check_min(
        self, node: Node, count: int, index: int, reported: set[int], prefix: str, present: set[str]
    ) -> None:
        if count >= node.min_occurs or index in reported or (count == 0 and _tag_of(node) in present):
            return
        reported.add(index)
        if count == 0:
            message = "必填元素缺失 / required element missing"
            hint = _fill(node) if isinstance(node, FieldSpec) else f"添加 {node.name} / add {node.name}"
            self.add(REQUIRED, f"{prefix}{node.name}", message, hint)
        else:
            self.add(
                STRUCTURE,
                f"{prefix}{node.name}",
                f"至少出现 {node.min_occurs} 次 / must occur at least {node.min_occurs} times",
                f"补足 {node.name} / add the missing {node.name} elements",
            )

    def _check_no_text(self, element: etree._Element, prefix: str) -> None:
        stray = [element.text or ""] + [child.tail or "" for child in element]
        if any(t.strip() for t in stray):
            self.add(
                STRUCTURE,
                prefix.rstrip("/") or local_name(element),
                "分组元素不应含文本 / group element must not contain text",
                "把文本放入对应字段 / put the text into its field",
            )

    def _check_no_attributes(self, element: etree._Element, prefix: str, *, allow_root: bool) -> None:
        if allow_root:
            return
        for name in element.attrib:
            if etree.QName(name).namespace == XSI_NS:
                continue
            self.add(STRUCTURE, f"{prefix}@{name}", "未定义的属性 / unknown attribute", f"删除属性 {name} / remove it")

    # --- values --------------------------------------------------------------------------------

    def check_value(self, raw: str, spec: FieldSpec, path: str) -> None:
        """Check one field value against its facets, time format, enumeration and code table."""
        text = normalise(raw, spec)
        if text == "":
            self._check_empty(spec, path)
            return
        before = len(self.problems)
        if spec.kind == "decimal":
            self._check_decimal(text, spec, path)
        elif spec.kind == "int":
            self._check_int(text, spec, path)
        else:
            self._check_length(text, spec, path)
        if spec.fixed is not None and text != spec.fixed:
            self.add(FIXED, path, f"取值必须为 {spec.fixed} / value must be {spec.fixed}", f"填写 {spec.fixed}")
        if len(self.problems) > before:
            return
        if spec.name in TIME_FORMATS:
            self._check_time(text, spec.name, path)
        allowed = self.enumerations.get(spec.name)
        if allowed is not None and text not in allowed:
            self.add(CODE, path, f"代码无效：{text} / invalid code {text}", f"填写 {'/'.join(allowed)} 之一")
        table = CODE_TABLE_FIELDS.get(spec.name)
        if table is not None and self.code_tables is not None and not self.code_tables.contains(table, text):
            self.add(
                CODE,
                path,
                f"参数代码不在{table}代码表中：{text} / code {text} not in the {table} table",
                f"按海关参数代码表填写 / use a code of the {table} table",
            )

    def _check_empty(self, spec: FieldSpec, path: str) -> None:
        if spec.fixed is not None:
            return  # the XSD supplies the fixed value for an empty element
        if spec.required:
            if spec.kind == "string" and (spec.min_length == 0 or (self.empty_where_allowed and spec.allows_empty)):
                return  # explicitly allowed to be empty (e.g. CEB900 oriCopMsgId), or allowed in a receipt
            self.add(REQUIRED, path, "必填字段为空 / required field is empty", _fill(spec))
        elif not spec.allows_empty:
            self.add(
                LENGTH if spec.kind == "string" else (DECIMAL if spec.kind == "decimal" else INTEGER),
                path,
                "选填字段不能为空元素 / optional field present but empty",
                "删除该空元素或填写取值 / remove the empty element or fill it in",
            )

    def _check_length(self, text: str, spec: FieldSpec, path: str) -> None:
        size = len(text)
        if spec.length is not None and size != spec.length:
            self.add(
                LENGTH,
                path,
                f"长度应为 {spec.length} 个字符，实为 {size} / must be exactly {spec.length} characters, got {size}",
                f"填写 {spec.length} 个字符 / use exactly {spec.length} characters",
            )
        if spec.max_length is not None and size > spec.max_length:
            self.add(
                LENGTH,
                path,
                f"长度超过 {spec.max_length} 个字符（实为 {size}）/ longer than {spec.max_length} characters ({size})",
                f"缩短至 {spec.max_length} 个字符以内 / shorten to at most {spec.max_length} characters",
            )
        if spec.min_length is not None and size < spec.min_length:
            self.add(
                LENGTH,
                path,
                f"长度少于 {spec.min_length} 个字符 / shorter than {spec.min_length} characters",
                f"至少填写 {spec.min_length} 个字符 / use at least {spec.min_length} characters",
            )

    def _check_decimal(self, text: str, spec: FieldSpec, path: str) -> None:
        if not _DECIMAL_RE.fullmatch(text):
            self.add(
                DECIMAL,
                path,
                f"不是合法的十进制数：{text!r} / not a decimal number",
                "使用阿拉伯数字与小数点，不带指数与千分位 / plain digits and a dot, no exponent or separators",
            )
            return
        whole, fraction = _digits(text)
        if spec.fraction_digits is not None and fraction > spec.fraction_digits:
            self.add(
                DECIMAL,
                path,
                f"小数位超过 {spec.fraction_digits} 位 / more than {spec.fraction_digits} fraction digits",
                f"保留至多 {spec.fraction_digits} 位小数 / round to {spec.fraction_digits} decimal places",
            )
        if spec.total_digits is not None and whole + fraction > spec.total_digits:
            self.add(
                DECIMAL,
                path,
                f"有效数字超过 {spec.total_digits} 位 / more than {spec.total_digits} digits",
                f"总位数不超过 {spec.total_digits} 位 / use at most {spec.total_digits} digits",
            )

    def _check_int(self, text: str, spec: FieldSpec, path: str) -> None:
        if not _INT_RE.fullmatch(text) or not INT_MIN <= int_value(text) <= INT_MAX:
            self.add(
                INTEGER,
                path,
                f"不是合法的整数：{text!r} / not an integer (32-bit)",
                "填写不带小数点的整数 / write a whole number without a dot",
            )
            return
        whole, _ = _digits(text)
        if spec.total_digits is not None and whole > spec.total_digits:
            self.add(
                INTEGER,
                path,
                f"位数超过 {spec.total_digits} 位 / more than {spec.total_digits} digits",
                f"不超过 {spec.total_digits} 位 / use at most {spec.total_digits} digits",
            )

    def _check_time(self, text: str, name: str, path: str) -> None:
        pattern = TIME_FORMATS[name]
        label = TIME_LABELS[pattern]
        valid = bool(_DIGITS_RE.fullmatch(text)) and len(text) == len(label)
        if valid:
            try:
                strict_time(text, pattern)
            except ValueError:
                valid = False
        if not valid:
            self.add(
                DATETIME,
                path,
                f"时间格式应为 {label} 且为真实日期时间：{text} / must be a real {label} date/time",
                f"按 {label} 填写 / write it as {label}",
            )


_CEB_PREFIX = f"{{{CEB_NS}}}"


def _find(children: tuple[Node, ...], element: etree._Element, start: int, stop: int) -> int | None:
    # Compares Clark-notation tags ({namespace}name) as strings: the same test as QName parts, without a QName.
    tag = str(element.tag)
    ceb_name = tag[len(_CEB_PREFIX) :] if tag.startswith(_CEB_PREFIX) else None
    for index in range(start, stop):
        node = children[index]
        if isinstance(node, ForeignSpec):
            if node.namespace is None or tag == f"{{{node.namespace}}}{node.name}":
                return index
        elif ceb_name == node.name:
            return index
    return None


def _tag_of(node: Node) -> str:
    namespace = node.namespace if isinstance(node, ForeignSpec) else CEB_NS
    return f"{{{namespace}}}{node.name}"


def _fill(node: FieldSpec | GroupSpec | ForeignSpec) -> str:
    description = (node.description or "").split("。")[0][:60]
    detail = f"（{description}）" if description else ""
    return f"填写 {node.name}{detail} / fill in {node.name}"


def int_value(text: str) -> int:
    """Convert a lexical integer (leading zeros allowed, any length) without Python's digit limit."""
    body = text.strip()
    sign = -1 if body.startswith("-") else 1
    digits = body.lstrip("+-").lstrip("0") or "0"
    if len(digits) > 20:
        return sign * 10**20  # far outside every XSD integer range; the exact value does not matter
    return sign * int(digits)


def decimal_value(text: str) -> Decimal:
    """Convert a checked decimal field exactly (keeps the written scale)."""
    return Decimal(" ".join(text.split()))
