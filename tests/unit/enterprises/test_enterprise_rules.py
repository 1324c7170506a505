"""Pure enterprise-filing rules: codes, roles, drafts and the lifecycle."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cbec.common.ids import make_uscc
from cbec.enterprises.rules import (
    EnterpriseRef,
    EnterpriseRole,
    EnterpriseStatus,
    Transition,
    check_draft,
    check_transition,
    draft_differences,
    errors_only,
    has_role,
    make_draft,
    split_roles,
)

VALID = make_draft(
    uscc="91110000600037341L",
    customs_code="4601960002",
    name="海口全球购电子商务有限公司",
    dxp_id="DXPENT0000458763",
    roles="ecommerce_enterprise;ecommerce_platform",
    contact_name="王芳",
    contact_phone="13800138000",
)


def rules_of(uscc: str) -> list[str]:
    return [p.rule_id for p in errors_only(check_draft(replace(VALID, uscc=uscc)))]


def test_valid_draft_has_no_problem() -> None:
    assert check_draft(VALID) == []


@pytest.mark.parametrize(
    ("code", "rules"),
    [
        ("91110000600037341L", []),  # CC-1
        ("91110000600037341N", ["USCC-CHECKSUM"]),  # CC-2
        ("9111000060003IOZSV", ["USCC-CHARSET"]),  # CC-4
        ("9111000060003734", ["USCC-LENGTH"]),
    ],
)
def test_tax_rules_vectors(code: str, rules: list[str]) -> None:
    assert rules_of(code) == rules


@pytest.mark.parametrize("prefix17", ["Y1110000MA01AB2C3", "N2110105MA01AB2C3", "A1110000600037341"])
def test_letter_initial_credit_codes_are_accepted(prefix17: str) -> None:
    # python-stdnum rejects these GB 32100-valid codes (ruling 8).
    assert rules_of(make_uscc(prefix17)) == []


def test_lower_case_codes_are_normalised() -> None:
    draft = make_draft(
        uscc=" 91110000600037341l ", customs_code="4601960aB2", name=" 名称 ", roles=["ecommerce_platform"]
    )
    assert (draft.uscc, draft.customs_code, draft.name) == ("91110000600037341L", "4601960AB2", "名称")
    assert check_draft(draft) == []


@pytest.mark.parametrize(
    ("customs_code", "rule"),
    [
        ("460196000", "CUSTOMS-CODE-LENGTH"),
        ("46019600021", "CUSTOMS-CODE-LENGTH"),
        ("4601-96000", "CUSTOMS-CODE-FORMAT"),
    ],
)
def test_customs_code_is_ten_letters_or_digits(customs_code: str, rule: str) -> None:
    assert [p.rule_id for p in check_draft(replace(VALID, customs_code=customs_code))] == [rule]


def test_every_problem_of_a_draft_is_reported() -> None:
    draft = make_draft(
        uscc="91110000600037341N",
        customs_code="123",
        name="",
        dxp_id="DXP ENT",
        roles="ecommerce_platform;bank",
        contact_phone="call me",
        zone="Hub Zone",
    )
    assert [(p.rule_id, p.field) for p in check_draft(draft, "row[2].")] == [
        ("USCC-CHECKSUM", "row[2].uscc"),
        ("CUSTOMS-CODE-LENGTH", "row[2].customs_code"),
        ("ENT-NAME", "row[2].name"),
        ("ENT-DXP-ID", "row[2].dxp_id"),
        ("ENT-ROLE", "row[2].roles"),
        ("ENT-PHONE", "row[2].contact_phone"),
        ("ENT-ZONE", "row[2].zone"),
    ]


def test_roles_are_required() -> None:
    [problem] = check_draft(replace(VALID, roles=()))
    assert (problem.rule_id, problem.field, problem.message) == (
        "ENT-ROLES",
        "roles",
        "至少需要一个企业角色 / at least one role is required",
    )


def test_split_roles_trims_dedupes_and_sorts() -> None:
    assert split_roles(" payment_company ; ECOMMERCE_PLATFORM;;payment_company") == (
        "ecommerce_platform",
        "payment_company",
    )
    assert split_roles(["logistics_company", " declaring_agent "]) == ("declaring_agent", "logistics_company")
    assert split_roles(None) == ()


def test_role_values_are_the_documented_names() -> None:
    assert [role.value for role in EnterpriseRole] == [
        "ecommerce_platform",
        "ecommerce_enterprise",
        "payment_company",
        "logistics_company",
        "declaring_agent",
        "tax_guarantor",
        "bonded_warehouse_operator",
        "supervised_site_operator",
        "foreign_trade_service",
    ]


ALLOWED = {
    (EnterpriseStatus.PENDING, Transition.APPROVE),
    (EnterpriseStatus.APPROVED, Transition.SUSPEND),
    (EnterpriseStatus.SUSPENDED, Transition.REINSTATE),
    (EnterpriseStatus.PENDING, Transition.REVOKE),
    (EnterpriseStatus.APPROVED, Transition.REVOKE),
    (EnterpriseStatus.SUSPENDED, Transition.REVOKE),
}


@pytest.mark.parametrize("status", list(EnterpriseStatus))
@pytest.mark.parametrize("transition", list(Transition))
def test_lifecycle_table(status: EnterpriseStatus, transition: Transition) -> None:
    problems = check_transition(status, transition, "资料齐全", "officer-1")
    if (status, transition) in ALLOWED:
        assert problems == []
    else:
        assert [p.rule_id for p in problems] == ["ENT-TRANSITION"]


def test_revoked_is_terminal() -> None:
    [problem] = check_transition(EnterpriseStatus.REVOKED, Transition.REINSTATE, "r", "a")
    assert problem.message == "不能从 revoked 执行 reinstate / cannot reinstate a filing that is revoked"


def test_a_transition_needs_a_reason_and_an_actor() -> None:
    problems = check_transition(EnterpriseStatus.PENDING, Transition.APPROVE, "  ", "")
    assert [(p.rule_id, p.field) for p in problems] == [("ENT-REASON", "reason"), ("ENT-ACTOR", "actor")]


def test_has_role() -> None:
    ref = EnterpriseRef(
        id=1,
        customs_code="4601960002",
        uscc="91110000600037341L",
        name="x",
        dxp_id=None,
        roles=frozenset({EnterpriseRole.ECOMMERCE_ENTERPRISE}),
        status=EnterpriseStatus.APPROVED,
    )
    assert has_role(ref, EnterpriseRole.ECOMMERCE_ENTERPRISE) is True
    assert has_role(ref, "ecommerce_enterprise") is True
    assert has_role(ref, EnterpriseRole.PAYMENT_COMPANY) is False


def test_draft_differences_names_changed_fields() -> None:
    assert draft_differences(VALID, replace(VALID, name="新名称", contact_phone="13900139000")) == [
        "name",
        "contact_phone",
    ]
    assert draft_differences(VALID, VALID) == []
