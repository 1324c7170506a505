"""Command-line interface (命令行): `cbec ...`."""

from __future__ import annotations

import importlib
from datetime import datetime

import typer

from cbec.cli.state import state

app = typer.Typer(
    help="cbec — 跨境电子商务综合试验区线上综合服务平台 (cross-border e-commerce pilot-zone platform)",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

# Each module defines `register(app)`; modules are owned by the domain that the commands drive.
COMMAND_MODULES = (
    "cbec.cli.db",
    "cbec.cli.reference",
    "cbec.cli.enterprises",
    "cbec.cli.products",
    "cbec.cli.quota",
    "cbec.cli.ingest",
    "cbec.cli.intake",
    "cbec.cli.clearance",
    "cbec.cli.sample",
    "cbec.cli.exports",
    "cbec.cli.facts",
    "cbec.cli.demo",
    "cbec.cli.audit",
    "cbec.cli.certificates",
    "cbec.cli.feeds",
    "cbec.cli.privacy",
    "cbec.cli.index",
    "cbec.cli.stats",
    "cbec.cli.b2b",
    "cbec.cli.accounts",
    "cbec.cli.credit",
    "cbec.cli.risk",
    "cbec.cli.risk_cases",
    "cbec.cli.risk_versions",
    "cbec.cli.risk_lists",
    "cbec.cli.risk_conditions",
    "cbec.cli.serve",
)


@app.callback()
def main(
    now: str | None = typer.Option(
        None, "--now", envvar="CBEC_NOW", help="Fixed platform time (ISO 8601, Asia/Shanghai if no offset)."
    ),
) -> None:
    """Cross-border e-commerce pilot-zone platform."""
    state.now = datetime.fromisoformat(now) if now else None


# Explicit assembly: every command group listed is imported; one that fails to import fails the CLI loudly.
for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)
