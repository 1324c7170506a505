"""`cbec feeds ...` and `cbec clearance flows`: subscriptions, feeds, webhook delivery, NATS, three flows (信息共享)."""

from __future__ import annotations

import json
import time

import typer
from rich.table import Table

from cbec.cli.certificates import parent_group
from cbec.cli.reference import console, fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.privacy import order_flows
from cbec.sharing.delivery import deliver_webhooks
from cbec.sharing.jetstream import BrokerUnavailable, publish_to_nats
from cbec.sharing.schemas import SubscriptionCreate
from cbec.sharing.service import (
    commit_cursor,
    create_subscription,
    dead_letters,
    list_subscriptions,
    read_feed,
    replay_webhook,
)


def register(app: typer.Typer) -> None:
    """Add the `feeds` group and `clearance flows`."""
    group = typer.Typer(help="Data feeds for agencies and enterprises (信息共享).", no_args_is_help=True)

    @group.command("subscribe")
    def subscribe(
        name: str,
        agency: str | None = typer.Option(None, "--agency", help="Subscribing agency (customs, tax, commerce…)."),
        enterprise: str | None = typer.Option(None, "--enterprise", help="Subscribing enterprise's customs code."),
        scope: str = typer.Option("ALL", "--scope", help="ALL, DATA (declarations) or RET (receipts)."),
        document_types: list[str] = typer.Option([], "--type", help="CEB message type; repeat for several."),
        zones: list[str] = typer.Option([], "--zone", help="Customs district; repeat for several."),
        parties: list[str] = typer.Option([], "--party", help="Enterprise code taking part; repeat for several."),
        statuses: list[str] = typer.Option([], "--status", help="Only these statuses (e.g. 800)."),
        webhook: str | None = typer.Option(None, "--webhook", help="Push events to this URL."),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Create a subscription; prints the webhook secret once."""
        if (agency is None) == (enterprise is None):
            raise typer.BadParameter("give exactly one of --agency and --enterprise")
        data = SubscriptionCreate(
            name=name,
            subscriber_kind="agency" if agency else "enterprise",
            subscriber_code=agency or enterprise or "",
            scope=scope,
            document_types=document_types,
            zones=zones,
            parties=parties,
            statuses=statuses,
            webhook_url=webhook,
            actor=actor,
        )
        try:
            created = create_subscription(state.context(), data)
        except DomainError as exc:
            fail(exc)
        console().print(f"subscription {created.name} ({created.subscriber_kind} {created.subscriber_code}) created")
        if created.webhook_secret:
            console().print(f"webhook secret (shown once): {created.webhook_secret}")

    @group.command("list")
    def list_() -> None:
        """List subscriptions."""
        table = Table("name", "subscriber", "scope", "types", "parties", "statuses", "webhook", "active")
        for s in list_subscriptions(state.context()):
            table.add_row(
                s.name,
                f"{s.subscriber_kind}:{s.subscriber_code}",
                s.scope,
                ",".join(s.document_types) or "*",
                ",".join(s.parties) or "*",
                ",".join(s.statuses) or "*",
                s.webhook_url or "",
                "yes" if s.active else "no",
            )
        console().print(table)

    @group.command("events")
    def events(
        name: str,
        after: int | None = typer.Option(None, "--after", help="Default: the stored cursor."),
        limit: int = typer.Option(100, "--limit"),
        commit: bool = typer.Option(False, "--commit", help="Store the cursor after printing."),
    ) -> None:
        """Print a page of a subscription's feed as JSON lines."""
        ctx = state.context()
        try:
            page = read_feed(ctx, name, after=after, limit=limit)
        except DomainError as exc:
            fail(exc)
        for event in page.events:
            typer.echo(json.dumps(event.model_dump(mode="json"), ensure_ascii=False, sort_keys=True))
        if commit:
            commit_cursor(ctx, name, page.next_after)
        typer.echo(f"# next_after={page.next_after}", err=True)

    @group.command("deliver")
    def deliver(
        once: bool = typer.Option(False, "--once", help="One pass, then exit."),
        nats: bool = typer.Option(True, "--nats/--no-nats", help="Also publish to NATS when CBEC_NATS_URL is set."),
        owner: str | None = typer.Option(None, "--owner", help="Worker name in delivery leases (default: host:pid)."),
    ) -> None:
        """Deliver events to webhooks (and NATS JetStream); loops until interrupted unless --once."""
        ctx = state.context()
        while True:
            report = deliver_webhooks(ctx, owner=owner)
            published = 0
            if nats and ctx.settings.nats_url:
                try:
                    published = publish_to_nats(ctx)
                except BrokerUnavailable as exc:
                    console().print(f"[yellow]nats:[/yellow] {exc.message}")
            for name, counts in report.subscriptions.items():
                if any(counts.values()):
                    console().print(f"{name}: {counts}")
            if published:
                console().print(f"nats: {published} events published")
            if once:
                return
            if not (report.delivered or published):
                time.sleep(ctx.settings.feeds_poll_seconds)

    @group.command("publish-nats")
    def publish_nats(url: str | None = typer.Option(None, "--url", help="Default: CBEC_NATS_URL.")) -> None:
        """Publish every event after the NATS cursor to JetStream, then exit."""
        ctx = state.context()
        total = 0
        try:
            while count := publish_to_nats(ctx, url=url):
                total += count
        except DomainError as exc:
            fail(exc)
        console().print(f"{total} events published")

    @group.command("dead-letters")
    def dead(name: str) -> None:
        """List events a webhook never accepted."""
        try:
            rows = dead_letters(state.context(), name)
        except DomainError as exc:
            fail(exc)
        table = Table("position", "business key", "attempts", "last error", "at")
        for row in rows:
            table.add_row(
                str(row.position), row.business_key, str(row.attempts), row.last_error or "", row.updated_at.isoformat()
            )
        console().print(table)

    @group.command("replay")
    def replay(
        name: str,
        dead_only: bool = typer.Option(False, "--dead", help="Re-queue every dead letter."),
        positions: list[int] = typer.Option([], "--position", help="Re-queue this event; repeat for several."),
        from_position: int | None = typer.Option(None, "--from", help="Deliver everything from this position again."),
        actor: str = typer.Option("cli", "--actor"),
    ) -> None:
        """Queue events for webhook delivery again (run `cbec feeds deliver` to send them)."""
        try:
            queued = replay_webhook(
                state.context(), name, actor=actor, dead=dead_only, positions=positions, from_position=from_position
            )
        except DomainError as exc:
            fail(exc)
        console().print(f"{queued} events queued")

    app.add_typer(group, name="feeds")

    clearance = parent_group(app, "clearance", "Officer actions and daily jobs (通关作业).")

    @clearance.command("flows")
    def flows(platform_code: str, order_no: str) -> None:
        """Show an order's information, money and goods flows (三流合一), personal data masked."""
        try:
            view = order_flows(state.context(), platform_code, order_no)
        except DomainError as exc:
            fail(exc)
        table = Table("at", "flow", "what", "reference", "status", "detail", title=f"order {platform_code}/{order_no}")
        for step in view.timeline:
            table.add_row(step.at.isoformat(), step.flow, step.what, step.reference, step.status or "", step.detail)
        console().print(table)
