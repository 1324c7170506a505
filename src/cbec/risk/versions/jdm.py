"""Decision tables in GoRules' JSON Decision Model (JDM, 决策表): export, import and compilation to Python.

A ruleset exports as one JDM graph per typology and table kind (``inputNode`` → ``decisionTableNode`` →
``outputNode``):

* ``<typology>.rules`` (hit policy ``collect``): one row per band of each rule. The columns are the inputs the
  typology's rules read (field: the input name with ``.`` → ``_``, e.g. ``buyer_near_limit_30d``); a row's cell on
  its rule's input is the band as a unary test (``[3..5)``, ``>= 5``, ``< -3.5``), its guards are comparisons
  (``>= 2``), every other cell is empty (any value). Outputs: ``rule``, ``input``, ``weight``, ``reason_zh``,
  ``reason_en``. A typology's score is the sum of the collected rows' weights; a null input matches no test, as an
  "insufficient" input gives no points.
* ``<typology>.bands`` (hit policy ``first``): the score against the thresholds → ``reject`` / ``hold`` /
  ``review`` / ``none``.

``compile_table`` turns any decision table of this grammar into a Python closure (no engine at run time), and
``import_bundle`` turns an exported bundle back into a ruleset document that ``parse_ruleset`` accepts. Unary
tests outside the grammar (``-``, empty, ``v``, ``== v``, ``!= v``, ``< v``, ``<= v``, ``> v``, ``>= v``,
``[a..b]`` with ``[``/``(`` and ``]``/``)``) are refused with ``RSK-TABLE-UNARY``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from cbec.risk.errors import invalid
from cbec.risk.rules import Ruleset

Row = Callable[[Mapping[str, Any]], bool]
_COMPARE = re.compile(r"^(>=|<=|==|!=|>|<)?\s*(-?\d+(?:\.\d+)?)$")
_RANGE = re.compile(r"^([\[(])\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*([\])])$")
INPUT_NODE, TABLE_NODE, OUTPUT_NODE = "inputNode", "decisionTableNode", "outputNode"


def field_of(name: str) -> str:
    """Return the JDM field of an input name (``buyer.near_limit.30d`` → ``buyer_near_limit_30d``)."""
    return name.replace(".", "_")


def _num(text: str) -> str:
    value = Decimal(text)
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


def band_test(lower: Decimal | None, upper: Decimal | None) -> str:
    """Return the unary test of a band ``lower ≤ v < upper``."""
    if lower is not None and upper is not None:
        return f"[{_num(str(lower))}..{_num(str(upper))})"
    if lower is not None:
        return f">= {_num(str(lower))}"
    if upper is not None:
        return f"< {_num(str(upper))}"
    return ""


def _graph(name: str, hit: str, inputs: list[dict[str, str]], outputs: list[dict[str, str]], rows: list) -> dict:
    return {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "request", "type": INPUT_NODE, "name": "request", "position": {"x": 0, "y": 0}},
            {
                "id": "table",
                "type": TABLE_NODE,
                "name": name,
                "position": {"x": 300, "y": 0},
                "content": {"hitPolicy": hit, "inputs": inputs, "outputs": outputs, "rules": rows},
            },
            {"id": "response", "type": OUTPUT_NODE, "name": "response", "position": {"x": 600, "y": 0}},
        ],
        "edges": [
            {"id": "e1", "sourceId": "request", "targetId": "table", "type": "edge"},
            {"id": "e2", "sourceId": "table", "targetId": "response", "type": "edge"},
        ],
    }


def export_bundle(ruleset: Ruleset, document: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return a ruleset as JDM graphs: ``{"version", "parameters", "tables": {"<typology>.rules|bands": graph}}``."""
    tables: dict[str, Any] = {}
    for typology, thresholds in ruleset.typologies.items():
        rules = [r for r in ruleset.rules if r.typology is typology]
        names = sorted({n for r in rules for n in r.inputs})
        columns = [{"id": f"i{k}", "name": n, "field": field_of(n)} for k, n in enumerate(names)]
        ids = {n: f"i{k}" for k, n in enumerate(names)}
        outputs = [{"id": o, "name": o, "field": o} for o in ("rule", "input", "weight", "reason_zh", "reason_en")]
        rows = []
        for rule in rules:
            for k, band in enumerate(rule.bands):
                row: dict[str, str] = {"_id": f"{rule.id}.{k}"} | {ids[n]: "" for n in names}
                row[ids[rule.input]] = band_test(band.lower, band.upper)
                for guard in rule.guards:
                    row[ids[guard.input]] = f"{guard.op} {_num(str(guard.value))}"
                row |= {
                    "rule": json.dumps(rule.id),
                    "input": json.dumps(rule.input),
                    "weight": str(band.weight),
                    "reason_zh": json.dumps(rule.reason_zh, ensure_ascii=False),
                    "reason_en": json.dumps(rule.reason_en, ensure_ascii=False),
                }
                rows.append(row)
        tables[f"{typology.value}.rules"] = _graph(f"{typology.value}.rules", "collect", columns, outputs, rows)
        score = [{"id": "score", "name": "score", "field": "score"}]
        band_rows = [
            {"_id": "reject", "score": f">= {thresholds.reject}", "band": '"reject"'},
            {"_id": "hold", "score": f">= {thresholds.hold}", "band": '"hold"'},
            {"_id": "review", "score": f">= {thresholds.review}", "band": '"review"'},
            {"_id": "none", "score": "", "band": '"none"'},
        ]
        band_out = [{"id": "band", "name": "band", "field": "band"}]
        tables[f"{typology.value}.bands"] = _graph(f"{typology.value}.bands", "first", score, band_out, band_rows)
    parameters = {k: format(v, "f") for k, v in ruleset.parameters.items()}
    extra = {k: document[k] for k in ("description",) if document and k in document}
    return {"version": ruleset.version, **extra, "parameters": parameters, "tables": tables}


# --- compilation ------------------------------------------------------------------------------------------------


def unary(test: str, number: Callable[[str], Any] = Decimal) -> Callable[[Any], bool] | None:
    """Compile one unary test to a predicate (None: the cell admits any value)."""
    text = test.strip()
    if text in ("", "-"):
        return None
    match = _COMPARE.match(text)
    if match:
        op, value = match.group(1) or "==", number(match.group(2))
        return {
            ">=": lambda v: v is not None and v >= value,
            ">": lambda v: v is not None and v > value,
            "<=": lambda v: v is not None and v <= value,
            "<": lambda v: v is not None and v < value,
            "==": lambda v: v is not None and v == value,
            "!=": lambda v: v is not None and v != value,
        }[op]
    match = _RANGE.match(text)
    if match:
        lo, hi = number(match.group(2)), number(match.group(3))
        closed_lo, closed_hi = match.group(1) == "[", match.group(4) == "]"

        def within(v: Any) -> bool:
            if v is None:
                return False
            above = v >= lo if closed_lo else v > lo
            below = v <= hi if closed_hi else v < hi
            return above and below

        return within
    raise invalid(
        "RSK-TABLE-UNARY",
        "tables",
        f"不支持的单元测试 {test!r}",
        f"unsupported unary test {test!r}",
        "Use -, v, == v, != v, < v, <= v, > v, >= v or a range [a..b) / (a..b] / [a..b] / (a..b).",
    )


def _output(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise invalid(
            "RSK-TABLE-OUTPUT",
            "tables",
            f"输出不是字面量 {text!r}",
            f"output is not a literal {text!r}",
            "Give outputs as JSON literals: numbers or quoted strings.",
        ) from exc


def table_of(graph: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the one decision table node's content of a graph (input → table → output)."""
    tables = [n for n in graph.get("nodes", []) if n.get("type") == TABLE_NODE]
    if len(tables) != 1 or {n.get("type") for n in graph["nodes"]} != {INPUT_NODE, TABLE_NODE, OUTPUT_NODE}:
        raise invalid(
            "RSK-TABLE-GRAPH",
            "tables",
            "图须为 输入 → 一张决策表 → 输出",
            "a graph must be input → one decision table → output",
            "Export one decision table per graph.",
        )
    return tables[0]["content"]


def compile_table(graph: Mapping[str, Any], number: Callable[[str], Any] = Decimal) -> Callable[[Mapping], Any]:
    """Compile a JDM decision table to a closure over a flat input mapping (field → number or None).

    Hit policy ``first`` returns the first matching row's outputs (``{}`` when none); ``collect`` every match's.
    """
    content = table_of(graph)
    hit = content.get("hitPolicy")
    if hit not in ("first", "collect"):
        raise invalid(
            "RSK-TABLE-HIT-POLICY",
            "tables",
            f"命中策略 {hit!r} 不受支持",
            f"hit policy {hit!r} is not supported",
            "Use first or collect.",
        )
    columns = [(c["id"], c["field"]) for c in content.get("inputs", [])]
    outputs = [(c["id"], c["field"]) for c in content.get("outputs", [])]
    compiled: list[tuple[tuple[tuple[str, Callable[[Any], bool]], ...], dict[str, Any]]] = []
    for row in content.get("rules", []):
        tests = tuple(
            (field, test) for cid, field in columns if (test := unary(str(row.get(cid, "")), number)) is not None
        )
        compiled.append((tests, {field: _output(str(row[oid])) for oid, field in outputs if oid in row}))
    rows = tuple(compiled)

    if hit == "first":

        def first(inputs: Mapping[str, Any]) -> dict[str, Any]:
            for tests, out in rows:
                if all(test(inputs.get(field)) for field, test in tests):
                    return dict(out)
            return {}

        return first

    def collect(inputs: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [dict(out) for tests, out in rows if all(test(inputs.get(field)) for field, test in tests)]

    return collect


# --- import -----------------------------------------------------------------------------------------------------


def _bounds(test: str) -> tuple[str | None, str | None]:
    text = test.strip()
    match = _RANGE.match(text)
    if match and match.group(1) == "[" and match.group(4) == ")":
        return match.group(2), match.group(3)
    match = _COMPARE.match(text)
    if match and match.group(1) == ">=":
        return match.group(2), None
    if match and match.group(1) == "<":
        return None, match.group(2)
    raise invalid(
        "RSK-TABLE-BAND",
        "tables",
        f"规则自身输入的单元测试须为区间 [a..b)、>= a 或 < b: {test!r}",
        f"a rule's own input takes a band [a..b), >= a or < b: {test!r}",
        "Write the band as lower ≤ v < upper.",
    )


def import_bundle(bundle: Mapping[str, Any]) -> str:
    """Return the ruleset document (JSON text) of an exported bundle; ``parse_ruleset`` checks it."""
    rules: dict[str, dict[str, Any]] = {}
    typologies: dict[str, dict[str, int]] = {}
    try:
        for name, graph in bundle["tables"].items():
            typology, _, kind = name.partition(".")
            content = table_of(graph)
            columns = {c["id"]: c["name"] for c in content["inputs"]}
            outs = {c["id"]: c["field"] for c in content["outputs"]}
            if kind == "bands":
                limits = {}
                for row in content["rules"]:
                    band = _output(row[next(iter(outs))])
                    if band != "none":
                        limits[band] = int(Decimal(str(row["score"]).replace(">=", "").strip()))
                typologies[typology] = {k: limits[k] for k in ("review", "hold", "reject")}
                continue
            for row in content["rules"]:
                out = {field: _output(row[oid]) for oid, field in outs.items()}
                rule = rules.setdefault(
                    out["rule"],
                    {
                        "id": out["rule"],
                        "typology": typology,
                        "input": out["input"],
                        "guards": [],
                        "bands": [],
                        "reason_zh": out.get("reason_zh", ""),
                        "reason_en": out.get("reason_en", ""),
                    },
                )
                guards = []
                for cid, input_name in columns.items():
                    test = str(row.get(cid, "")).strip()
                    if input_name == out["input"]:
                        lower, upper = _bounds(test)
                        band = {"from": lower, "to": upper, "weight": int(out["weight"])}
                        rule["bands"].append({k: v for k, v in band.items() if v is not None})
                    elif test not in ("", "-"):
                        match = _COMPARE.match(test)
                        if match is None:
                            unary(test)  # raises RSK-TABLE-UNARY
                            raise ValueError(test)
                        guards.append({"input": input_name, "op": match.group(1) or "==", "value": match.group(2)})
                rule["guards"] = guards
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError) as exc:
        raise invalid(
            "RSK-TABLE-BUNDLE",
            "tables",
            "决策表包结构无效",
            f"the decision-table bundle is malformed: {exc!r}",
            "Export a bundle with `cbec risk rules export V` and edit its tables.",
        ) from exc
    document = {
        "version": bundle.get("version"),
        **({"description": bundle["description"]} if "description" in bundle else {}),
        "parameters": dict(bundle.get("parameters", {})),
        "typologies": typologies,
        "rules": [{k: v for k, v in r.items() if k != "guards" or v} for r in rules.values()],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
