"""Security headers on every response; liveness, readiness, and 503 DB-UNAVAILABLE when the database is gone."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from cbec.api.app import create_app
from cbec.api.middleware import PAGE_CSP
from cbec.storage.context import Context
from cbec.storage.engine import make_engine, make_session_factory
from cbec.storage.health import migration_heads
from cbec.web.reports import REPORT_CSP

HARDENING = {
    "x-frame-options": "DENY",
    "content-security-policy": PAGE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/login", 200),
        ("GET", "/quota", 200),
        ("GET", "/", 200),
        ("GET", "/assets/portal.css", 200),
        ("GET", "/healthz", 200),
        ("GET", "/api/v1/enterprises", 401),
        ("GET", "/no/such/page", 404),
        ("POST", "/api/v1/session", 413),
    ],
)
def test_every_response_carries_the_hardening_headers(ctx: Context, method: str, path: str, status: int) -> None:
    ctx.settings = ctx.settings.model_copy(update={"max_body_bytes": 1024})
    answer = TestClient(create_app(ctx)).request(method, path, content=b"x" * 2000 if method == "POST" else None)
    assert answer.status_code == status
    assert {name: answer.headers.get(name) for name in HARDENING} == HARDENING


def test_the_pages_policy_forbids_inline_script_and_framing() -> None:
    assert PAGE_CSP == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


def test_no_template_carries_inline_script_or_style() -> None:
    templates = Path(__file__).resolve().parents[2] / "src" / "cbec" / "web" / "templates"
    for path in templates.rglob("*.html"):
        html = path.read_text()
        if "standalone" in path.relative_to(templates).parts:
            assert "<script" not in html, path  # a standalone document runs no script at all
        else:
            assert "<style" not in html and " style=" not in html, path
        assert "<script>" not in html and " on" + "click=" not in html, path


def test_standalone_documents_are_the_kept_reports_served_under_their_own_policy() -> None:
    """A kept report is one self-contained file (its style inline, no script, nothing fetched): it is served with
    REPORT_CSP, never the portal's policy, and it is the only standalone template."""
    templates = Path(__file__).resolve().parents[2] / "src" / "cbec" / "web" / "templates"
    assert sorted(p.name for p in (templates / "standalone").rglob("*.html")) == ["report.html"]
    assert REPORT_CSP == (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


def test_docs_keep_working_under_their_own_policy(ctx: Context) -> None:
    answer = TestClient(create_app(ctx)).get("/docs")
    assert answer.status_code == 200
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "https://cdn.jsdelivr.net" in policy
    assert answer.headers["x-frame-options"] == "DENY"


def test_readyz_is_ready_at_the_migrations_head(ctx: Context) -> None:
    answer = TestClient(create_app(ctx)).get("/readyz")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["reason"], body["revision"]) == ("ready", "ok", list(migration_heads()))


def test_readyz_tells_a_schema_behind_the_head(ctx: Context) -> None:
    with ctx.engine.begin() as conn:
        (current,) = conn.execute(text("SELECT version_num FROM alembic_version")).one()
        conn.execute(text("UPDATE alembic_version SET version_num = 'old0001'"))
    try:
        answer = TestClient(create_app(ctx)).get("/readyz")
    finally:
        with ctx.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
    assert (answer.status_code, answer.headers["retry-after"]) == (503, "5")
    body = answer.json()
    assert (body["status"], body["reason"], body["revision"]) == (
        "unavailable",
        "database schema is not at the migrations' head (run `cbec db upgrade`)",
        ["old0001"],
    )


def gone(ctx: Context, tmp_path: Path) -> Context:
    """The same platform with its database unreachable (a PostgreSQL port nobody listens on, or no SQLite file)."""
    if ctx.engine.dialect.name == "postgresql":
        url = "postgresql+psycopg://postgres@127.0.0.1:1/cbec?connect_timeout=1"
    else:
        url = f"sqlite:///{tmp_path / 'missing' / 'cbec.db'}"
    engine = make_engine(url)
    return Context(ctx.settings, engine, make_session_factory(engine), ctx.clock, ctx.cipher)


def test_with_the_database_gone_healthz_lives_readyz_and_requests_answer_503(ctx: Context, tmp_path: Path) -> None:
    client = TestClient(create_app(gone(ctx, tmp_path)))
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["reason"].startswith("database unreachable: ")
    answer = client.get("/api/v1/enterprises", headers={"Authorization": "Bearer cbec_" + "A" * 43})
    assert (answer.status_code, answer.headers["retry-after"]) == (503, "5")
    assert answer.json() == {
        "error": "unavailable",
        "message": "数据库暂时无法访问 / the database cannot be reached right now",
        "problems": [
            {
                "rule_id": "DB-UNAVAILABLE",
                "field": "database",
                "message": "数据库暂时无法访问 / the database cannot be reached right now",
                "hint": "稍后重试（5 秒）；运维请检查数据库与 /readyz / retry in a few seconds; operators: check the"
                " database and /readyz",
                "code": None,
                "severity": "error",
            }
        ],
    }
    sign_in = client.post("/api/v1/session", json={"username": "admin", "password": "x"})
    assert sign_in.status_code == 503
