"""Intake's handler table: assembled by the composition root, one family per message type, loud when missing."""

from __future__ import annotations

import pytest

from cbec.bootstrap import assemble_intake
from cbec.clearance.service import IMPORTS
from cbec.exports.service.family import EXPORTS
from cbec.intake import DocumentFamily, Handled, HandlerTable, IntakeNotAssembled, handler_table
from cbec.intake import handlers as table_module
from cbec.messages.documents import MessageType
from cbec.messages.export_documents import ExportMessageType


def _nothing(_run: object) -> Handled:
    return Handled([], [], [])


def test_the_composition_root_puts_every_declaration_type_in_exactly_one_family() -> None:
    assemble_intake()
    table = handler_table()
    assert {table.family_of(t.value).name for t in MessageType} == {IMPORTS.name}
    assert {table.family_of(t.value).name for t in ExportMessageType} == {EXPORTS.name}
    assert len(table.by_type) == len(MessageType) + len(ExportMessageType)
    assert EXPORTS.unsigned_refuses_message is True
    assert IMPORTS.unsigned_refuses_message is False


def test_a_message_type_offered_by_two_families_is_an_assembly_error() -> None:
    first = DocumentFamily("first", frozenset({"CEB311Message"}), _nothing)
    second = DocumentFamily("second", frozenset({"CEB311Message", "CEB411Message"}), _nothing)
    with pytest.raises(ValueError, match="CEB311Message is offered by first and second"):
        HandlerTable.of([first, second])


def test_intake_without_an_assembled_table_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_module, "_TABLE", [])
    with pytest.raises(IntakeNotAssembled, match=r"build the context with cbec\.bootstrap\.build_context"):
        handler_table()


def test_a_type_no_family_took_is_named() -> None:
    table = HandlerTable.of([DocumentFamily("imports only", frozenset({"CEB311Message"}), _nothing)])
    with pytest.raises(IntakeNotAssembled, match="no document family handles CEB303Message"):
        table.family_of("CEB303Message")


def test_the_customs_rate_source_is_assembled_with_intake_and_loud_without(monkeypatch: pytest.MonkeyPatch) -> None:
    from cbec.facts import RatesNotAssembled, customs_rates
    from cbec.facts import rates as rates_module

    assemble_intake()
    assert rates_module._SOURCE != []
    monkeypatch.setattr(rates_module, "_SOURCE", [])
    with pytest.raises(RatesNotAssembled, match=r"build the context with cbec\.bootstrap\.build_context"):
        customs_rates(object())  # type: ignore[arg-type]
