"""`cbec clearance held` and `cbec clearance returns`: what waits for an officer or for goods (通关待办).

Both print a table by default; ``-q`` prints only the numbers, one a line, for scripts and the README's tour
(``cbec clearance decide "$(cbec clearance held -q | head -n 1)" …``).
"""

from __future__ import annotations

import typer
from rich.table import Table

from cbec.clearance.queries import held_queue, list_returns
from cbec.cli.certificates import parent_group
from cbec.cli.format import TIME_COLUMN, text, when
from cbec.cli.reference import console
from cbec.cli.state import state

HELD_STATUS = {"300": "300 人工审核 / manual review", "500": "500 查验 / inspection"}
RETURN_STATES = ("applied", "completed", "lapsed")


def register(app: typer.Typer) -> None:
    """Add `clearance held` and `clearance returns`."""
    clearance = parent_group(app, "clearance", "Officer actions and daily jobs (通关作业).")

    @clearance.command("held")
    def held(
        limit: int = typer.Option(50, "--limit", min=1, help="At most this many, oldest first."),
        quiet: bool = typer.Option(False, "-q", "--quiet", help="Print only the inventory numbers, one a line."),
    ) -> None:
        """List inventories held for an officer (300 manual review, 500 inspection), oldest first."""
        rows = held_queue(state.context(), limit=limit)
        if quiet:
            for row in rows:
                typer.echo(row.inventory_no or row.eport_no)
            return
        table = Table(
            "inventory", "order", "e-commerce", "status", "why", "dutiable CNY", TIME_COLUMN, title="待处置清单 / held"
        )
        for row in rows:
            table.add_row(
                row.inventory_no or row.eport_no,
                row.order_no,
                row.ecommerce_code,
                HELD_STATUS.get(row.status, row.status),
                text(row.status_info),
                text(row.dutiable_value),
                when(row.declared_at),
            )
        out = console()
        out.print(table)
        if rows:
            out.print(f"Decide one: cbec clearance decide {rows[0].inventory_no} --action release|refuse|inspect ")
        else:
            out.print("Nothing is held.")

    @clearance.command("returns")
    def returns(
        waiting: bool = typer.Option(False, "--waiting", help="Only returns whose goods are not back yet."),
        return_state: str | None = typer.Option(
            None, "--state", help=f"Only returns in this state: {', '.join(RETURN_STATES)}."
        ),
        limit: int = typer.Option(50, "--limit", min=1, help="At most this many, newest first."),
        quiet: bool = typer.Option(False, "-q", "--quiet", help="Print only the return ids, one a line."),
    ) -> None:
        """List return requests (退货申请, CEB625), newest first, with the day their goods are due back."""
        if waiting and return_state not in (None, "applied"):
            raise typer.BadParameter("--waiting is --state applied; give one of them")
        rows = list_returns(state.context(), state="applied" if waiting else return_state, limit=limit)
        if quiet:
            for row in rows:
                typer.echo(str(row.id))
            return
        table = Table(
            "id",
            "inventory",
            "order",
            "state",
            "lines (line: quantity)",
            "applied on",
            "goods due by",
            "goods back (Asia/Shanghai)",
            "quota restored CNY",
            title="退货申请 / returns",
        )
        for row in rows:
            table.add_row(
                str(row.id),
                row.inventory_no,
                row.order_no or "",
                row.state,
                ", ".join(f"{line}: {quantity}" for line, quantity in sorted(row.lines.items())),
                text(row.applied_on),
                text(row.arrive_by),
                when(row.arrived_at),
                text(row.restored_value),
            )
        out = console()
        out.print(table)
        waiting_rows = [row for row in rows if row.state == "applied"]
        if waiting_rows:
            out.print(f"Goods back: cbec clearance return-arrived {waiting_rows[0].id}")
        elif not rows:
            out.print("No returns.")
