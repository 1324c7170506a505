"""The handler table (单证处理表): which document family handles a message type, assembled by the composition root.

Intake knows no document domain. Import clearance (``cbec.clearance``) and exports (``cbec.exports``) each offer
a ``DocumentFamily``: the message types they take and one function that runs a parsed message's documents in
intake's transaction. ``cbec.bootstrap`` puts them in the table (``assemble``) when it builds a context; a
message type nobody took, or intake used before the table was assembled, fails loudly.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from cbec.common.errors import Problem
from cbec.intake.models import IssuedReceipt
from cbec.messages.authority import PartyAuthority
from cbec.messages.documents import Message, TaxBill
from cbec.storage.bulk import Values
from cbec.storage.context import Context


def new_guid() -> str:
    """Return an upper-case 36-character guid (receipts, tax bills)."""
    return str(uuid.uuid4()).upper()


@dataclass(slots=True)
class DocumentOutcome:
    """What happened to one document of a message."""

    kind: str
    key: str
    status: str
    problems: list[Problem] = field(default_factory=list)
    note: str = ""


@dataclass(slots=True)
class IntakeRun:
    """One parsed, logged message in its transaction, with what intake established before any document ran.

    ``unverified`` holds the message's signature problems (empty when it verified or carries no signature);
    ``authority`` is whom its sender may declare for (its own codes and its delegators').
    """

    ctx: Context
    session: Session
    now: datetime
    message_id: int | None
    message: Message
    authority: PartyAuthority
    unverified: list[Problem]


@dataclass(slots=True)
class Handled:
    """What a family did with a message's documents: the receipts issued, the tax bills, one outcome per document."""

    receipts: list[Values | IssuedReceipt]
    tax_bills: list[TaxBill]
    documents: list[DocumentOutcome]


@dataclass(frozen=True, slots=True)
class DocumentFamily:
    """A document domain's offer to intake.

    ``handle`` runs every document of a message (no commit: intake commits). ``replay`` gives the tax bills to
    answer again with when the same bytes come back (the receipts come from the message log). With
    ``unsigned_refuses_message`` a failed signature refuses the message as a whole with one format receipt
    (CEB900) instead of a refusal receipt per document.
    """

    name: str
    message_types: frozenset[str]
    handle: Callable[[IntakeRun], Handled]
    replay: Callable[[Session, Sequence[IssuedReceipt]], list[TaxBill]] = lambda _session, _rows: []
    unsigned_refuses_message: bool = False


class IntakeNotAssembled(RuntimeError):
    """Intake was used before the composition root put the document families in the handler table."""


@dataclass(frozen=True, slots=True)
class HandlerTable:
    """Message type → document family; a message type belongs to exactly one family."""

    by_type: dict[str, DocumentFamily]

    @classmethod
    def of(cls, families: Iterable[DocumentFamily]) -> HandlerTable:
        """Return the table of these families; a message type offered twice is an assembly error."""
        by_type: dict[str, DocumentFamily] = {}
        for family in families:
            for message_type in family.message_types:
                if message_type in by_type:
                    raise ValueError(
                        f"message type {message_type} is offered by {by_type[message_type].name} and {family.name}"
                    )
                by_type[message_type] = family
        return cls(by_type)

    def family_of(self, message_type: str) -> DocumentFamily:
        """Return the family that handles a message type (the parser only yields types some family declared)."""
        try:
            return self.by_type[str(message_type)]
        except KeyError:
            raise IntakeNotAssembled(
                f"no document family handles {message_type}: cbec.bootstrap assembles the intake handler table"
            ) from None


_TABLE: list[HandlerTable] = []


def assemble(families: Iterable[DocumentFamily]) -> HandlerTable:
    """Put the document families in intake's handler table (the composition root's call; idempotent)."""
    table = HandlerTable.of(families)
    _TABLE[:] = [table]
    return table


def handler_table() -> HandlerTable:
    """Return the assembled handler table, or fail loudly when the composition root has not assembled it."""
    if not _TABLE:
        raise IntakeNotAssembled(
            "the intake handler table is empty: build the context with cbec.bootstrap.build_context, "
            "which assembles the document families"
        )
    return _TABLE[0]
