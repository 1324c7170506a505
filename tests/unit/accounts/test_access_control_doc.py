"""docs/access-control.md carries the current permission matrix of cbec.accounts.rules."""

from __future__ import annotations

from pathlib import Path

from cbec.accounts import Permission, permissions_for

DOC = Path(__file__).resolve().parents[3] / "docs" / "access-control.md"
COLUMNS = (
    ("zone_admin", None, "综试办"),
    ("agency_officer", "customs", "海关"),
    ("agency_officer", "tax", "税务"),
    ("agency_officer", "fx", "外汇"),
    ("agency_officer", "market", "市场监管"),
    ("agency_officer", "post", "邮政"),
    ("agency_officer", "commerce", "商务"),
    ("enterprise_user", None, "企业"),
    ("declaring_agent", None, "申报代理"),
    ("auditor", None, "审计"),
    ("consumer", None, "消费者"),
)


def matrix_markdown() -> str:
    """Render the role x permission table as it stands in the code."""
    lines = [
        "| permission | " + " | ".join(f"{agency or role}<br>{zh}" for role, agency, zh in COLUMNS) + " |",
        "|---|" + "---|" * len(COLUMNS),
    ]
    for permission in Permission:
        marks = ["✓" if permission in permissions_for(role, agency) else "" for role, agency, _ in COLUMNS]
        lines.append(f"| `{permission.value}` | " + " | ".join(marks) + " |")
    return "\n".join(lines)


def test_the_documented_matrix_is_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = text.split("<!-- matrix:start -->\n", 1)[1].split("\n<!-- matrix:end -->", 1)[0]
    assert documented == matrix_markdown(), "regenerate the table in docs/access-control.md from matrix_markdown()"
