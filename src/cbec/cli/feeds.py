"""`cbec feeds ...` and `cbec clearance flows`: subscriptions, feeds, webhook delivery, NATS, three flows (信息共享)."""

from __future__ import annotations

import json
import time

import typer
from rich.markup import escape
from rich.table import Table

from cbec.clearance.queries import inventory_detail
from cbec.cli.certificates import parent_group
from cbec.cli.format import TIME_COLUMN, text, when
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
from cbec.storage.context import Context


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
        once: bool = typer.Option(False, "--once", help="One pass, then exit (status 1 when a delivery failed)."),
        nats: bool = typer.Option(True, "--nats/--no-nats", help="Also publish to NATS when CBEC_NATS_URL is set."),
        owner: str | None = typer.Option(None, "--owner", help="Worker name in delivery leases (default: host:pid)."),
    ) -> None:
        """Deliver events to webhooks (and NATS JetStream): one pass with --once, else a worker until Ctrl-C.

        Every pass that did something prints one line per subscription (delivered, failed, dead-lettered) and,
        for a failure, why (the HTTP status or network error); the worker says when it starts and what it waits
        for. With nothing to deliver to (no webhook subscription, no NATS) it says so and exits.
        """
        ctx = state.context()
        out = console()
        use_nats = nats and bool(ctx.settings.nats_url)
        if not once:
            hooks = [s.name for s in list_subscriptions(ctx) if s.webhook_url and s.active]
            if not hooks and not use_nats:
                out.print("Nothing to deliver to: no active subscription has a webhook and CBEC_NATS_URL is not set.")
                return
            out.print(
                f"Delivering to {len(hooks)} webhook subscription(s){' and NATS' if use_nats else ''}, "
                f"looking every {ctx.settings.feeds_poll_seconds:g} s when idle; Ctrl-C stops."
            )
        try:
            while True:
                failed = _deliver_pass(ctx, owner, use_nats, quiet_when_idle=not once)
                if once:
                    if failed:
                        raise typer.Exit(1)
                    return
                time.sleep(ctx.settings.feeds_poll_seconds)
        except KeyboardInterrupt:
            out.print("stopped")

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
        table = Table("position", "business key", "attempts", "last error", TIME_COLUMN)
        for row in rows:
            table.add_row(
                str(row.position), row.business_key, str(row.attempts), text(row.last_error), when(row.updated_at)
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
    def flows(
        platform_code: str | None = typer.Argument(None, help="The order's e-commerce platform (ebpCode)."),
        order_no: str | None = typer.Argument(None, help="The order number."),
        inventory: str | None = typer.Option(
            None, "--inventory", help="Or: the order of this inventory (customs or E-port number)."
        ),
    ) -> None:
        """Show an order's information, money and goods flows (三流合一), personal data masked."""
        ctx = state.context()
        try:
            if inventory is not None:
                if platform_code is not None or order_no is not None:
                    raise typer.BadParameter("give PLATFORM ORDER_NO or --inventory, not both")
                summary = inventory_detail(ctx, inventory).summary
                platform_code, order_no = summary.platform_code, summary.order_no
            elif platform_code is None or order_no is None:
                raise typer.BadParameter("give PLATFORM ORDER_NO, or --inventory INVENTORY_NO")
            view = order_flows(ctx, platform_code, order_no)
        except DomainError as exc:
            fail(exc)
        table = Table(
            TIME_COLUMN, "flow", "what", "reference", "status", "detail", title=f"order {platform_code}/{order_no}"
        )
        for step in view.timeline:
            table.add_row(when(step.at), step.flow, step.what, step.reference, step.status or "", text(step.detail))
        console().print(table)


def _deliver_pass(ctx: Context, owner: str | None, use_nats: bool, *, quiet_when_idle: bool) -> int:
    """Run one delivery pass, print what it did and why deliveries failed; return how many failed."""
    out = console()
    report = deliver_webhooks(ctx, owner=owner)
    published = 0
    nats_error: str | None = None
    if use_nats:
        try:
            published = publish_to_nats(ctx)
        except BrokerUnavailable as exc:
            nats_error = exc.message
    for name, counts in report.subscriptions.items():
        if not quiet_when_idle or any(counts.values()):
            line = f"{name}: {counts['delivered']} delivered, {counts['failed']} failed, {counts['dead']} dead-lettered"
            error = report.errors.get(name)
            out.print(escape(line + (f" — last failure: {error}" if error else "")))
    if not report.subscriptions and not quiet_when_idle:
        out.print("no active subscription has a webhook")
    if published or (use_nats and not quiet_when_idle and nats_error is None):
        out.print(f"nats: {published} events published")
    if nats_error is not None:
        out.print(f"[yellow]nats:[/yellow] {escape(nats_error)}")
    return report.failed + (1 if nats_error is not None else 0)
