"""`cbec facts ...`: trade facts (贸易事实) from the command line: build them for inventories stored before facts01."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from cbec.clearance.service.facts import backfill_import_facts
from cbec.cli.state import state
from cbec.exports.service.facts import backfill_export_facts
from cbec.facts import BackfillReport


def register(app: typer.Typer) -> None:
    """Add the `facts` command group."""
    facts = typer.Typer(help="Trade facts (贸易事实): one non-personal row per goods line.", no_args_is_help=True)

    @facts.command("backfill")
    def backfill(
        chunk: int = typer.Option(200, "--chunk", min=1, help="Inventories per transaction."),
    ) -> None:
        """Build the facts of every stored import and export inventory from its stored documents.

        Import documents are decrypted with the personal-data key to read their lines (only non-personal fields
        and keyed pseudonyms are written). Idempotent: facts that already equal what intake would hold are left
        alone, so running it again changes nothing.
        """
        console = Console()
        ctx = state.context()
        reports: list[BackfillReport] = []
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            for label, run in (
                ("import inventories 进口清单", backfill_import_facts),
                ("export inventories 出口清单", backfill_export_facts),
            ):
                task = progress.add_task(label, total=None)

                def step(done: int, total: int, task: TaskID = task) -> None:
                    progress.update(task, completed=done, total=total)

                reports.append(run(ctx, progress=step, chunk=chunk))
                progress.update(task, total=reports[-1].inventories, completed=reports[-1].inventories)
        table = Table("direction", "inventories", "inserted", "replaced", "unchanged")
        for report in reports:
            table.add_row(
                report.direction,
                str(report.inventories),
                str(report.inserted),
                str(report.replaced),
                str(report.unchanged),
            )
        console.print(table)

    app.add_typer(facts, name="facts")
