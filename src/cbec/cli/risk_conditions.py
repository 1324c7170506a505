"""`cbec risk conditions …`: entity conditions (实体条件) — block, non-overridable block, override — on a buyer key,
an enterprise or an inventory, with expiry; each is a supervision hold clearance reads (docs/risk.md)."""

from __future__ import annotations

import json
from datetime import datetime

import typer
from rich.markup import escape
from rich.table import Table

from cbec.cli.reference import console, fail
from cbec.cli.risk_lists import _risk_group
from cbec.cli.state import state
from cbec.common.clock import SHANGHAI
from cbec.common.errors import DomainError
from cbec.risk.conditions import ConditionCreate, lift_condition, list_conditions, place_condition


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=SHANGHAI)


def register(app: typer.Typer) -> None:
    """Add `cbec risk conditions …` to the risk command group."""
    group = typer.Typer(help="Entity conditions: blocks and overrides (实体条件).", no_args_is_help=True)

    @group.command("place")
    def place(
        subject_kind: str = typer.Argument(..., help="buyer | enterprise | inventory"),
        subject_key: str = typer.Argument(..., help="The buyer's keyed hash, the enterprise code or the E-port no."),
        kind: str = typer.Option(..., "--kind", help="block | hard_block | override"),
        reason: str = typer.Option(..., "--reason", help="Why (shown on the dossier of a held inventory)."),
        until: str | None = typer.Option(None, "--until", help="End (ISO 8601, Asia/Shanghai if no offset)."),
        actor: str = typer.Option("cli", "--actor", help="Who places it (recorded and audited)."),
    ) -> None:
        """Place a condition from now on; its supervision holds take effect at once."""
        data = ConditionCreate(
            subject_kind=subject_kind, subject_key=subject_key, kind=kind, reason=reason, valid_until=_moment(until)
        )
        try:
            done = place_condition(state.context(), data, actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"condition {done.id}: {done.kind} on {done.subject_kind}:{escape(done.subject_key)}")

    @group.command("lift")
    def lift(
        condition_id: int = typer.Argument(..., help="The condition's number."),
        reason: str = typer.Option(..., "--reason", help="Why it is lifted (audited)."),
        actor: str = typer.Option("cli", "--actor", help="Who lifts it."),
    ) -> None:
        """Lift a condition now (a non-overridable block only this way, after review)."""
        try:
            done = lift_condition(state.context(), condition_id, reason=reason, actor=actor)
        except DomainError as exc:
            fail(exc)
        console().print(f"condition {done.id} lifted")

    @group.command("list")
    def show(
        subject_key: str | None = typer.Option(None, "--subject", help="Only this subject key."),
        in_force: bool = typer.Option(False, "--in-force", help="Only those in force now."),
        fmt: str = typer.Option("table", "--format", help="table | jsonl"),
    ) -> None:
        """List the conditions, newest first."""
        found = list_conditions(state.context(), subject_key=subject_key, in_force=in_force)
        if fmt == "jsonl":
            for c in found:
                typer.echo(json.dumps(c.model_dump(mode="json"), ensure_ascii=False))
            return
        table = Table("id", "subject", "kind", "from", "until", "in force", "reason", title=f"{len(found)} conditions")
        for c in found:
            table.add_row(
                str(c.id),
                f"{c.subject_kind}:{escape(c.subject_key[:16])}",
                c.kind,
                c.valid_from.isoformat(timespec="minutes"),
                f"lifted {c.lifted_at:%Y-%m-%d %H:%M}"
                if c.lifted_at
                else (c.valid_until.isoformat(timespec="minutes") if c.valid_until else "—"),
                "yes" if c.in_force else "no",
                escape(c.reason),
            )
        console().print(table)

    _risk_group(app).add_typer(group, name="conditions")
