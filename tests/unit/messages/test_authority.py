"""Party authority rules (申报主体): every declaration type has declaring parties; the pure checks."""

from __future__ import annotations

import typing
from dataclasses import replace

from cbec.demo.builders import build_arrival, build_cancel
from cbec.messages.authority import (
    DECLARERS,
    PartyAuthority,
    declaring_codes,
    draft_changes_nothing,
)
from cbec.messages.documents import AppStatus, AppType, ImportDocument
from cbec.messages.export_documents import ExportDocument
from tests.builders import AT, PARTIES, a_set


def test_every_declaration_type_the_codec_reads_names_its_declaring_parties() -> None:
    parsed = set(typing.get_args(ImportDocument)) | set(typing.get_args(ExportDocument))
    assert parsed == set(DECLARERS)
    for cls, spec in DECLARERS.items():
        fields = {f for f in cls.__dataclass_fields__}  # type: ignore[attr-defined]
        assert spec.fields, cls
        assert set(spec.fields) <= fields, (cls, set(spec.fields) - fields)


def test_the_declaring_codes_of_an_inventory_are_its_agent_and_its_e_commerce_enterprise() -> None:
    s = a_set()
    assert declaring_codes(s.inventory) == (
        ("agent_code", PARTIES.agent.code),
        ("ecommerce_code", PARTIES.ecommerce.code),
    )


def test_a_sender_that_is_none_of_the_declaring_parties_is_refused_with_field_and_hint() -> None:
    s = a_set()
    authority = PartyAuthority(PARTIES.ecommerce.code, frozenset({PARTIES.ecommerce.code}))
    assert authority.document_problems(s.order) == []
    [problem] = authority.document_problems(s.payment)
    assert problem.rule_id == "AUTH-PARTY"
    assert problem.field == "payment_voucher.payment_code"
    assert PARTIES.payment.code in problem.message
    assert "ceb.submit" in problem.hint
    [arrival] = authority.document_problems(build_arrival(PARTIES, ["L1"], bill_no="B1", at=AT))
    assert arrival.field == "arrival_record.operator_code"


def test_a_delegators_code_admits_its_documents() -> None:
    s = a_set()
    agent = PartyAuthority(PARTIES.agent.code, frozenset({PARTIES.agent.code}))
    assert [p.rule_id for p in agent.document_problems(s.order)] == ["AUTH-PARTY"]
    delegated = PartyAuthority(PARTIES.agent.code, frozenset({PARTIES.agent.code, PARTIES.ecommerce.code}))
    assert delegated.document_problems(s.order) == []


def test_acting_on_an_original_needs_a_party_of_the_original() -> None:
    s = a_set()
    cancel = build_cancel(s.inventory, "46012026I000000001", at=AT)
    other = PartyAuthority("4601960009", frozenset({"4601960009"}))
    original = {"agent_code": PARTIES.agent.code, "ecommerce_code": PARTIES.ecommerce.code}
    [problem] = other.original_problems(cancel, original, what="inventory")
    assert (problem.rule_id, problem.field) == ("AUTH-ORIGINAL", "cancel_request.inventory_no")
    own = PartyAuthority(PARTIES.ecommerce.code, frozenset({PARTIES.ecommerce.code}))
    assert (
        own.original_problems(
            cancel, {"agent_code": PARTIES.agent.code, "ecommerce_code": PARTIES.ecommerce.code}, what="inventory"
        )
        == []
    )


def test_only_new_orders_payments_waybills_and_inventories_are_kept_as_drafts() -> None:
    s = a_set()

    def draft(document: object, app_type: AppType = AppType.NEW) -> object:
        declaration = replace(document.declaration, app_status=AppStatus.DRAFT, app_type=app_type)  # type: ignore[attr-defined]
        return replace(document, declaration=declaration)  # type: ignore[type-var]

    assert not draft_changes_nothing(s.order)  # declared
    assert not draft_changes_nothing(draft(s.order))
    assert not draft_changes_nothing(draft(s.inventory))
    assert draft_changes_nothing(draft(s.order, AppType.CHANGE))
    assert draft_changes_nothing(draft(s.inventory, AppType.DELETE))
    assert draft_changes_nothing(draft(build_cancel(s.inventory, "46012026I000000001", at=AT)))
    assert draft_changes_nothing(draft(build_arrival(PARTIES, ["L1"], bill_no="B1", at=AT)))


def test_the_access_control_page_holds_the_codes_table_of_who_may_declare_what() -> None:
    from pathlib import Path

    from cbec.messages.authority import declarers_table

    page = (Path(__file__).resolve().parents[3] / "docs" / "access-control.md").read_text("utf-8")
    start, end = page.index("<!-- declarers:start -->\n"), page.index("<!-- declarers:end -->")
    assert page[start + len("<!-- declarers:start -->\n") : end].strip() == declarers_table()
