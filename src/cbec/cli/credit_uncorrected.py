"""`cbec credit uncorrected flag|list|decide`: publication past the maximum for uncorrected behaviour (未整改继续公示).

Flagging and confirming are maker-checker steps: the CLI acts as an account (``--as USERNAME`` or the holder of
``CBEC_API_KEY``), compared with the REST API's callers by account.
"""

from __future__ import annotations

import typer

from cbec.cli.credit_repair import FORMAT, _day, _out
from cbec.cli.operator import AS, operator
from cbec.cli.reference import fail
from cbec.cli.state import state
from cbec.common.errors import DomainError
from cbec.credit.schemas import DecisionIn, UncorrectedIn
from cbec.credit.service import decide_uncorrected, flag_uncorrected, list_uncorrected

COLUMNS = ("id", "fact_id", "subject", "status", "window_max", "until", "flagged_by", "decided_by", "result_fact_id")
MANAGE = "credit.manage"


def register(group: typer.Typer) -> None:
    """Add `cbec credit uncorrected …` to the credit group."""
    uncorrected = typer.Typer(
        help="Facts published past their maximum window as uncorrected (second officer confirms)."
    )
    group.add_typer(uncorrected, name="uncorrected")

    @uncorrected.command("flag")
    def flag(
        fact_id: int = typer.Argument(..., help="The fact (its current row)."),
        basis: str = typer.Option(..., "--basis", help="The sector rule under which publication continues."),
        reason: str = typer.Option(..., "--reason", help="What was not corrected."),
        until: str | None = typer.Option(None, "--until", help="The new end of publication (default: until repaired)."),
        as_user: str | None = AS,
        output: str = FORMAT,
    ) -> None:
        """Flag a fact uncorrected before its maximum window (another account confirms)."""
        ctx = state.context()
        who = operator(ctx, as_user, MANAGE)
        body = UncorrectedIn(fact_id=fact_id, legal_basis=basis, reason=reason, until=_day(until))
        try:
            result = flag_uncorrected(ctx, body, actor=who.name, account=who.account)
        except DomainError as exc:
            fail(exc)
        _out(result, output, COLUMNS, f"uncorrected flag {result.id}: {result.status}")

    @uncorrected.command("list")
    def list_(
        status: str | None = typer.Option(None, "--status", help="pending, confirmed or rejected."),
        output: str = FORMAT,
    ) -> None:
        """List the flags, newest first."""
        try:
            found = list_uncorrected(state.context(), status=status)
        except DomainError as exc:
            fail(exc)
        _out(found, output, COLUMNS, f"{len(found)} uncorrected flags")

    @uncorrected.command("decide")
    def decide(
        flag_id: int = typer.Argument(..., help="The pending flag."),
        action: str = typer.Option(..., "--action", help="confirm or reject."),
        note: str | None = typer.Option(None, "--note", help="Why (required to reject)."),
        as_user: str | None = AS,
        output: str = FORMAT,
    ) -> None:
        """Confirm (another account than the flagger's) or reject a flag."""
        ctx = state.context()
        who = operator(ctx, as_user, MANAGE)
        try:
            result = decide_uncorrected(
                ctx, flag_id, DecisionIn(action=action, note=note), actor=who.name, account=who.account
            )
        except DomainError as exc:
            fail(exc)
        _out(result, output, COLUMNS, f"uncorrected flag {result.id}: {result.status}")


__all__ = ["register"]
