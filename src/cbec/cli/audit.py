"""`cbec audit ...`: verify the keyed audit chain, take signed checkpoints of it, search it (审计日志).

Exit codes of `verify` and `checkpoint`: 0 the chain verified, 1 it did not (the first bad position is named),
2 a usage error (bad options, a checkpoint file that cannot be read or written, an unusable audit key).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cbec.audit.errors import AuditKeyError, CheckpointFileError
from cbec.audit.service import ChainReport, search_audit, take_checkpoint, verify_audit_chain
from cbec.cli.format import TIME_COLUMN, when
from cbec.cli.reference import console
from cbec.cli.state import state

USAGE_ERROR = 2


def _usage(exc: AuditKeyError | CheckpointFileError) -> NoReturn:
    Console(stderr=True, width=160).print(f"[red]error ({exc.code}):[/red] {escape(exc.message)}")
    raise typer.Exit(USAGE_ERROR)


def _checkpoint_file(given: Path | None) -> Path | None:
    return given if given is not None else state.context().settings.audit_checkpoint_file


def _print_report(report: ChainReport) -> None:
    out = console()
    if report.ok:
        out.print(
            f"[green]audit chain intact[/green] (审计链完整): {report.checked} records; head seq {report.head_seq},"
            f" hash {report.head_hash}; audit key {report.key_id}"
        )
        if report.checkpoints:
            out.print(f"{report.checkpoints} signed checkpoints hold (已签名检查点均吻合)")
        else:
            out.print(
                "[yellow]no checkpoint given[/yellow]: records deleted from the end together with the head are found"
                " only against a checkpoint (未提供检查点：链尾连同链头一并删除只能靠检查点发现)"
            )
        if report.unkeyed:
            out.print(
                f"{report.unkeyed} records from before the keyed chain (trust02) verified by the old unkeyed rule"
                f" (升级前的 {report.unkeyed} 条记录按旧的无密钥规则校验)"
            )
        return
    seq = report.first_broken_seq
    if report.first_broken_id is not None:
        where = f"record id {report.first_broken_id} (seq {seq})"
    else:
        where = f"seq {seq}" if seq is not None else "the checkpoint file"
    out.print(f"[red]audit chain broken[/red] at {where} (审计链断裂): {escape(report.reason or '')}")
    out.print(f"  {escape(report.reason_zh or '')}")


def register(app: typer.Typer) -> None:
    """Add the `audit` command group."""
    group = typer.Typer(
        help="Audit trail (审计日志): verify the keyed chain, take signed checkpoints, search records.",
        no_args_is_help=True,
    )

    @group.command("verify")
    def verify(
        checkpoint: Path | None = typer.Option(
            None,
            "--checkpoint",
            help="Checkpoint file (JSON lines) every checkpoint of which must still be a prefix of the chain;"
            " default CBEC_AUDIT_CHECKPOINT_FILE.",
        ),
    ) -> None:
        """Recompute the chain from the start; exit 1 and name the first bad position if it is broken."""
        try:
            report = verify_audit_chain(state.context(), _checkpoint_file(checkpoint))
        except (AuditKeyError, CheckpointFileError) as exc:
            _usage(exc)
        _print_report(report)
        if not report.ok:
            raise typer.Exit(1)

    @group.command("checkpoint")
    def checkpoint(
        out: Path | None = typer.Option(
            None, "--out", help="File the signed checkpoint is appended to; default CBEC_AUDIT_CHECKPOINT_FILE."
        ),
    ) -> None:
        """Verify the chain and append a signed checkpoint of its head to a file kept outside the database."""
        try:
            target = _checkpoint_file(out)
        except AuditKeyError as exc:
            _usage(exc)
        if target is None:
            Console(stderr=True, width=160).print(
                "[red]error:[/red] give --out FILE or set CBEC_AUDIT_CHECKPOINT_FILE / 请指定 --out 或设置"
                " CBEC_AUDIT_CHECKPOINT_FILE"
            )
            raise typer.Exit(USAGE_ERROR)
        try:
            result = take_checkpoint(state.context(), target)
        except (AuditKeyError, CheckpointFileError) as exc:
            _usage(exc)
        if result.checkpoint is None:
            _print_report(result.report)
            console().print("[red]no checkpoint written[/red] (未写入检查点)")
            raise typer.Exit(1)
        taken = result.checkpoint
        console().print(
            f"[green]checkpoint written[/green] (已写入检查点) to {escape(str(target))}: seq {taken.seq},"
            f" record id {taken.record_id}, hash {taken.hash}, {taken.records} records, at {taken.at},"
            f" audit key {taken.key_id}"
        )

    @group.command("list")
    def list_records(
        entity_type: str | None = typer.Option(None, "--entity-type"),
        entity_key: str | None = typer.Option(None, "--entity-key"),
        action: str | None = typer.Option(None, "--action"),
        actor: str | None = typer.Option(None, "--actor"),
        limit: int = typer.Option(50, "--limit"),
    ) -> None:
        """List audit records, newest first."""
        items, total = search_audit(
            state.context(), entity_type=entity_type, entity_key=entity_key, action=action, actor=actor, limit=limit
        )
        table = Table(
            "id", "seq", TIME_COLUMN, "actor", "action", "entity", "after", "reason", title=f"audit ({total})"
        )
        for item in items:
            table.add_row(
                str(item.id),
                str(item.seq),
                when(item.at),
                item.actor,
                item.action,
                f"{item.entity_type}:{item.entity_key}",
                json.dumps(item.after, ensure_ascii=False) if item.after else "",
                item.reason or "",
            )
        console().print(table)

    app.add_typer(group, name="audit")
