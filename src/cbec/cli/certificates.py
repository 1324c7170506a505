"""`cbec enterprises certificate ...`: enterprises' signing certificates (签名证书备案)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cbec.cli.format import when
from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.enterprises.certificates import (
    CertificateRead,
    list_certificates,
    register_certificate,
    revoke_certificate,
)


def _print(rows: list[CertificateRead]) -> None:
    table = Table(
        "enterprise",
        "serial",
        "algorithm",
        "valid from (Asia/Shanghai)",
        "valid to (Asia/Shanghai)",
        "status",
        "subject",
    )
    for row in rows:
        table.add_row(
            row.enterprise,
            row.serial_hex,
            row.algorithm,
            when(row.valid_from)[:10],
            when(row.valid_to)[:10],
            row.status,
            row.subject,
        )
    console().print(table)


def parent_group(app: typer.Typer, name: str, help_text: str) -> typer.Typer:
    """Return the command group registered under a name, adding it when absent."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help=help_text, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


def register(app: typer.Typer) -> None:
    """Add `certificate` under the `enterprises` group."""
    group = typer.Typer(help="Signing certificates of an enterprise (签名证书).", no_args_is_help=True)

    @group.command("add")
    def add(
        enterprise: str = typer.Argument(..., help="Customs code or credit code."),
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Certificate, PEM or DER."),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Register a signing certificate; intake then trusts messages this enterprise signs with it."""
        try:
            row = register_certificate(state.context(), enterprise, file.read_bytes(), actor=actor)
        except DomainError as exc:
            fail(exc)
        _print([row])

    @group.command("list")
    def list_(enterprise: str) -> None:
        """List an enterprise's certificates."""
        try:
            rows = list_certificates(state.context(), enterprise)
        except DomainError as exc:
            fail(exc)
        _print(rows)

    @group.command("revoke")
    def revoke(
        enterprise: str,
        certificate: str = typer.Argument(..., help="Serial (hex) or SHA-256 fingerprint."),
        reason: str = typer.Option(..., "--reason"),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Revoke a certificate: messages signed with it are refused from now on."""
        try:
            row = revoke_certificate(state.context(), enterprise, certificate, actor=actor, reason=reason)
        except DomainError as exc:
            fail(exc)
        _print([row])

    parent_group(app, "enterprises", "Enterprise filing (企业备案).").add_typer(group, name="certificate")
