"""`cbec intake worker`: process the messages the HTTP front stored in the intake stream (报文队列处理)."""

from __future__ import annotations

import typer

from cbec.bootstrap import sign_outgoing
from cbec.cli.format import console
from cbec.cli.state import state
from cbec.intake.stream import run_worker


def _partitions(text: str, total: int) -> list[int]:
    """Read "all", "3" or "0-3,6" into partition numbers below the configured total."""
    if text == "all":
        return list(range(total))
    found: set[int] = set()
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise typer.BadParameter(f"{part!r}: give partitions as 3, 0-3 or all") from None
        if not 0 <= low <= high < total:
            raise typer.BadParameter(f"{part!r}: partitions run from 0 to {total - 1} (CBEC_INTAKE_PARTITIONS)")
        found.update(range(low, high + 1))
    return sorted(found)


def register(app: typer.Typer) -> None:
    """Add the `intake` group."""
    group = typer.Typer(help="Intake through NATS JetStream (报文队列), for scale-out.", no_args_is_help=True)

    @group.command("worker")
    def worker(
        partitions: str = typer.Option("all", "--partitions", help='Partitions to consume: "all", "3", "0-3,6".'),
        batch: int = typer.Option(50, "--batch", min=1, max=1000, help="Messages fetched at a time per partition."),
        idle_stop: float | None = typer.Option(None, "--idle-stop", help="Stop after this many idle seconds."),
        limit: int | None = typer.Option(None, "--limit", min=1, help="Stop after this many messages."),
    ) -> None:
        """Ingest the queued messages of some partitions, in stream order; answers go to GET /ceb/answers/{digest}.

        Run one worker per set of partitions (a partition's messages are processed by one worker at a time, in
        the order they were sent). A worker killed at any point loses nothing: what it had not acknowledged is
        delivered again and answered from what was stored, never processed twice.
        """
        ctx = state.context()
        if not ctx.settings.intake_stream_url:
            console().print("CBEC_INTAKE_STREAM_URL is not set: POST /ceb answers synchronously, nothing is queued.")
            raise typer.Exit(2)
        chosen = _partitions(partitions, ctx.settings.intake_partitions)
        report = run_worker(
            ctx, chosen, lambda xml: sign_outgoing(ctx.settings, xml), batch=batch, idle_stop=idle_stop, limit=limit
        )
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.by_outcome.items())) or "none"
        console().print(f"{report.processed} messages from partitions {chosen}: {outcomes}")

    app.add_typer(group, name="intake")
