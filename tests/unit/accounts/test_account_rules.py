"""Pure rules of accounts: the permission matrix, tenant paths, account checks, scopes of identities."""

from __future__ import annotations

import pytest

from cbec.accounts import Identity, Mandate, Role, permissions_for
from cbec.accounts.rules import (
    account_problems,
    is_within,
    kind_of_path,
    make_account_draft,
    parent_path,
    password_problems,
    tenant_path_problems,
)
from cbec.common.scope import Scope


def perms(role: str, agency: str | None = None) -> set[str]:
    return {p.value for p in permissions_for(role, agency)}


def test_only_customs_decides_held_inventories() -> None:
    deciders = {
        (role.value, agency)
        for role in Role
        for agency in (
            [None] if role is not Role.AGENCY_OFFICER else ["customs", "tax", "fx", "market", "post", "commerce"]
        )
        if "clearance.decide" in perms(role, agency)
    }
    assert deciders == {("agency_officer", "customs")}


def test_only_the_zone_office_approves_filings() -> None:
    approvers = {role.value for role in Role if "enterprises.decide" in perms(role, "customs")}
    assert approvers == {"zone_admin"}


def test_every_agency_reads_enterprise_filings_and_only_its_mandate() -> None:
    base = {"reference.read", "enterprises.read", "apikeys.own", "feeds.read", "feeds.consume", "statistics.read"}
    assert perms("agency_officer", "tax") == base | {"taxbills.read", "export.read", "credit.read", "credit.manage"}
    assert perms("agency_officer", "post") == base
    assert "clearance.read" not in perms("agency_officer", "market")
    assert perms("agency_officer", None) == set()


def test_consumer_only_queries_quota_and_auditor_reads_without_personal_data() -> None:
    assert perms("consumer") == {"quota.query"}
    auditor = perms("auditor")
    assert not auditor & {"quota.query", "personal.reveal"}
    assert all(p.endswith((".read", ".own", ".trail")) for p in auditor)
    assert {role.value for role in Role if "personal.reveal" in perms(role, "customs")} == {"agency_officer"}


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("hub/zhengzhou", None),
        ("hub/zhengzhou/window-3", None),
        ("hub", "ACC-TENANT-PATH"),
        ("zhengzhou", "ACC-TENANT-PATH"),
        ("hub/Zheng", "ACC-TENANT-PATH"),
        ("hub/a/b/c", "ACC-TENANT-PATH"),
        ("hub//a", "ACC-TENANT-PATH"),
    ],
)
def test_tenant_paths(path: str, problem: str | None) -> None:
    assert [p.rule_id for p in tenant_path_problems(path)] == ([problem] if problem else [])


def test_tenant_tree_helpers() -> None:
    assert (parent_path("hub/zz/w1"), parent_path("hub/zz"), parent_path("hub")) == ("hub/zz", "hub", None)
    assert [kind_of_path(p).value for p in ("hub", "hub/zz", "hub/zz/w1")] == ["hub", "sub_platform", "window"]
    assert is_within("hub/zz/w1", "hub/zz") and is_within("hub/zz", "hub/zz")
    assert not is_within("hub/zzz", "hub/zz")


@pytest.mark.parametrize(
    ("fields", "rules"),
    [
        ({"role": "agency_officer"}, ["ACC-AGENCY"]),
        ({"role": "agency_officer", "agency": "police"}, ["ACC-AGENCY"]),
        ({"role": "enterprise_user"}, ["ACC-ENTERPRISE"]),
        ({"role": "consumer", "enterprise_code": "4601960002"}, ["ACC-ENTERPRISE"]),
        ({"role": "zone_admin", "agency": "customs"}, ["ACC-AGENCY"]),
        ({"role": "superuser"}, ["ACC-ROLE"]),
        ({"role": "zone_admin", "tenant": "luoyang"}, ["ACC-TENANT-PATH"]),
        ({"role": "agency_officer", "agency": "customs", "tenant": "hub/zhengzhou"}, []),
    ],
)
def test_account_checks(fields: dict[str, str], rules: list[str]) -> None:
    draft = make_account_draft(username="wang.fang", **fields)
    assert [p.rule_id for p in account_problems(draft)] == rules


def test_usernames_and_passwords() -> None:
    assert [p.rule_id for p in account_problems(make_account_draft(username="A b", role="consumer"))] == [
        "ACC-USERNAME"
    ]
    assert [p.rule_id for p in password_problems("short")] == ["ACC-PASSWORD"]
    assert [p.rule_id for p in password_problems("wang.fang.1", "WANG.FANG.1")] == ["ACC-PASSWORD"]
    assert password_problems("correct horse battery", "wang") == []


def identity(role: Role, **fields: object) -> Identity:
    base: dict[str, object] = {
        "account_id": 1,
        "username": "u",
        "name": "u",
        "role": role,
        "agency": None,
        "enterprise_code": None,
        "own_codes": frozenset(),
        "tenant": "hub",
        "tenants_visible": frozenset({"hub"}),
    }
    base.update(fields)
    return Identity(**base)  # type: ignore[arg-type]


def test_scopes_of_officers_follow_their_tenant() -> None:
    assert identity(Role.ZONE_ADMIN).scope_for("enterprises.read") == Scope()
    city = identity(Role.ZONE_ADMIN, tenant="hub/zhengzhou")
    assert city.scope_for("enterprises.read") == Scope(tenant="hub/zhengzhou")


def test_scopes_of_agents_follow_each_mandate() -> None:
    agent = identity(
        Role.DECLARING_AGENT,
        enterprise_code="4601960005",
        own_codes=frozenset({"4601960005", "91460100MA5T00050X"}),
        mandates=(
            Mandate("4601960002", frozenset({"4601960002", "USCC2"}), frozenset({"ceb.submit"})),
            Mandate("4601960009", frozenset({"4601960009", "USCC9"}), frozenset({"clearance.read"})),
        ),
    )
    assert agent.acting_for == frozenset({"4601960002", "4601960009"})
    assert agent.scope_for("ceb.submit") == Scope(
        parties=frozenset({"4601960005", "91460100MA5T00050X", "4601960002", "USCC2"})
    )
    assert agent.scope_for("clearance.read") == Scope(
        parties=frozenset({"4601960005", "91460100MA5T00050X", "4601960009", "USCC9"})
    )
    assert identity(Role.CONSUMER).scope_for("quota.query") == Scope(parties=frozenset())


def test_an_api_key_narrows_the_role() -> None:
    keyed = identity(Role.AGENCY_OFFICER, agency="customs", key_scopes=frozenset({"clearance.read", "accounts.manage"}))
    assert keyed.permissions == frozenset({"clearance.read"})
    assert keyed.may("clearance.read") and not keyed.may("clearance.decide")


def test_scope_admits_subtrees_and_parties() -> None:
    city = Scope(tenant="hub/zz")
    assert city.admits_tenant("hub/zz/w1") and city.admits_tenant("hub/zz")
    assert not city.admits_tenant("hub/zzz") and not city.admits_tenant("hub")
    shop = Scope(parties=frozenset({"A"}))
    assert shop.admits_party(["B", "A"]) and not shop.admits_party(["B", None])
    assert Scope().unrestricted and not shop.unrestricted
