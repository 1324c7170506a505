"""`cbec enterprises ...`: file, import, approve, suspend, reinstate, revoke, list and show (企业备案)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from cbec.cli.format import TIME_COLUMN, text, when
from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.enterprises import ROLE_NAMES_ZH, Transition, fill_contact_keys
from cbec.enterprises.schemas import EnterpriseCreate, EnterpriseRead
from cbec.enterprises.service import (
    change_status,
    enterprise_audit,
    file_enterprise,
    get_enterprise,
    import_enterprises,
    list_enterprises,
)


def print_enterprise(enterprise: EnterpriseRead) -> None:
    """Print one filing as a two-column table."""
    table = Table("field", "value", title=f"enterprise {enterprise.id}")
    for name, value in enterprise.model_dump().items():
        if name == "roles":
            value = "; ".join(f"{role} {ROLE_NAMES_ZH.get(role, '')}".strip() for role in value)
        table.add_row(name, text(value))
    console().print(table)


def print_audit(rows: Sequence[Any]) -> None:
    """Print an audit trail."""
    table = Table(TIME_COLUMN, "actor", "action", "before", "after", "reason", title="audit")
    for row in rows:
        table.add_row(when(row.at), row.actor, row.action, text(row.before), text(row.after), text(row.reason))
    console().print(table)


def register(app: typer.Typer) -> None:
    """Add the `enterprises` command group."""
    group = typer.Typer(help="Enterprise filing (企业备案).", no_args_is_help=True)

    @group.command("file")
    def file(
        uscc: str = typer.Option(..., "--uscc", help="Unified social credit code, 18 characters."),
        customs_code: str = typer.Option(..., "--customs-code", help="Customs code, 10 characters."),
        name: str = typer.Option(..., "--name"),
        roles: list[str] = typer.Option(..., "--role", help="A role; repeat for several (or a;b)."),
        name_en: str | None = typer.Option(None, "--name-en"),
        dxp_id: str | None = typer.Option(None, "--dxp-id"),
        contact_name: str | None = typer.Option(None, "--contact-name"),
        contact_phone: str | None = typer.Option(None, "--contact-phone"),
        zone: str = typer.Option("hub", "--zone"),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """File an enterprise (it starts pending)."""
        data = EnterpriseCreate(
            uscc=uscc,
            customs_code=customs_code,
            name=name,
            name_en=name_en,
            dxp_id=dxp_id,
            roles=[part for item in roles for part in item.split(";")],
            contact_name=contact_name,
            contact_phone=contact_phone,
            zone=zone,
            actor=actor,
        )
        try:
            enterprise = file_enterprise(state.context(), data)
        except DomainError as exc:
            fail(exc)
        print_enterprise(enterprise)

    @group.command("import")
    def import_(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or JSON file."),
        update: bool = typer.Option(False, "--update", help="Change filings whose row differs."),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Import filings: every row is checked first; one bad row means nothing is imported."""
        with Progress(
            TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(), console=console()
        ) as bar:
            task = bar.add_task("writing filings", total=None)

            def advance(done: int, total: int) -> None:
                """Move the progress bar."""
                bar.update(task, completed=done, total=total)

            try:
                report = import_enterprises(state.context(), file, update=update, actor=actor, progress=advance)
            except DomainError as exc:
                bar.stop()
                fail(exc)
        summary = Table("rows", "created", "updated", "unchanged", "warnings", title=f"import {file.name}")
        summary.add_row(
            str(report.rows), str(report.created), str(report.updated), str(report.unchanged), str(len(report.warnings))
        )
        console().print(summary)
        for warning in report.warnings:
            console().print(f"[yellow]warning[/yellow] {warning['field']}: {warning['message']}")

    def _transition(transition: Transition) -> None:
        def command(
            key: str = typer.Argument(..., help="Id, customs code or credit code."),
            reason: str = typer.Option(..., "--reason", help="Why (recorded in the audit trail)."),
            actor: str = typer.Option("cli", "--actor"),
        ) -> None:
            try:
                enterprise = change_status(state.context(), key, transition, reason=reason, actor=actor)
            except DomainError as exc:
                fail(exc)
            console().print(f"enterprise {enterprise.customs_code} {enterprise.name}: {enterprise.status}")

        command.__doc__ = f"{transition.value.capitalize()} an enterprise filing (reason required)."
        group.command(transition.value)(command)

    for transition in Transition:
        _transition(transition)

    @group.command("list")
    def list_(
        status: str | None = typer.Option(None, "--status"),
        role: str | None = typer.Option(None, "--role"),
        zone: str | None = typer.Option(None, "--zone"),
        limit: int = typer.Option(50, "--limit"),
        offset: int = typer.Option(0, "--offset"),
    ) -> None:
        """List filings (contact phone masked)."""
        try:
            page = list_enterprises(state.context(), status=status, role=role, zone=zone, limit=limit, offset=offset)
        except DomainError as exc:
            fail(exc)
        table = Table("id", "customs_code", "uscc", "name", "roles", "status", "zone", "contact_phone")
        for e in page.items:
            table.add_row(
                str(e.id), e.customs_code, e.uscc, e.name, "; ".join(e.roles), e.status, e.zone, e.contact_phone or ""
            )
        table.title = f"enterprises: {page.total} (showing {len(page.items)} from {page.offset})"
        console().print(table)

    @group.command("show")
    def show(
        key: str = typer.Argument(..., help="Id, customs code or credit code."),
        audit: bool = typer.Option(False, "--audit", help="Also show the audit trail."),
    ) -> None:
        """Show one filing (contact masked)."""
        ctx = state.context()
        try:
            enterprise = get_enterprise(ctx, key)
            rows = enterprise_audit(ctx, key) if audit else []
        except DomainError as exc:
            fail(exc)
        print_enterprise(enterprise)
        if audit:
            print_audit(rows)

    @group.command("fill-contact-keys")
    def fill_keys(actor: str = typer.Option("cli", "--actor", help="Who runs it (audited).")) -> None:
        """Write the contact phone subject key of enterprises filed before it existed (risk R5.1); audited."""
        changed = fill_contact_keys(state.context(), actor=actor)
        console().print(f"contact keys written: {changed}")

    app.add_typer(group, name="enterprises")
