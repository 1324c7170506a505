"""At head, every table kept in memory under a revision token has the triggers that change the token.

The triggers are made by migrations (perf01, perf02, facts01). A later migration that rebuilds one of these
tables (SQLite batch mode copies a table and drops the old one, triggers included) would leave the caches
answering stale filings, products, identities or customs rates without any error; this test fails first, on the
database the suite runs on.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, text

from cbec.storage.revisions import watched

EVENTS = re.compile(r"\b(?:AFTER|BEFORE)\s+(.*?)\s+ON\s", re.IGNORECASE | re.DOTALL)  # not the trigger's name

# table: the token its writes change (reference tables are read under a token but have no ORM writes to watch)
EXPECTED = {
    "enterprise": "filing",
    "enterprise_role": "filing",
    "enterprise_certificate": "filing",
    "code_entry": "reference",
    "positive_list_entry": "reference",
    "tariff_rate": "reference",
    "tax_parameter": "reference",
    "product": "product",
    "api_key": "account",
    "account": "account",
    "delegation": "account",
    "tenant": "account",
    "export_rate": "export_rate",  # customs rates of the trade facts (facts01)
    "supervision_measure": "supervision",  # which subjects have supervision measures (sup01)
}
TOKENS = frozenset(EXPECTED.values())


def _actions(engine: Engine) -> dict[str, dict[str, set[str]]]:
    """Return, per table, the token each trigger changes and on which actions."""
    found: dict[str, dict[str, set[str]]] = {}
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.execute(
                text(
                    "SELECT c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                    "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
                )
            ).all()
        else:
            rows = conn.execute(text("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
    for table, definition in rows:
        if "data_revision" not in definition.lower():
            continue
        token = next((name for name in TOKENS if f"'{name}'" in definition), "?")
        actions = found.setdefault(table, {}).setdefault(token, set())
        events = EVENTS.search(definition)
        assert events is not None, definition
        actions.update(a for a in ("INSERT", "UPDATE", "DELETE", "TRUNCATE") if a in events.group(1).upper())
    return found


def test_every_watched_model_is_a_table_listed_here() -> None:
    assert {table: EXPECTED.get(table) for table in watched()} == watched()


def test_every_table_under_a_token_has_triggers_for_every_write_at_head(engine: Engine) -> None:
    wanted = {"INSERT", "UPDATE", "DELETE"} | ({"TRUNCATE"} if engine.dialect.name == "postgresql" else set())
    assert _actions(engine) == {table: {token: wanted} for table, token in EXPECTED.items()}
