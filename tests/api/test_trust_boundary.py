"""The trust boundary (issue 14): every route, API and web, against another tenant's and another enterprise's data.

Enterprise A (its inventory held for review, a consumer's report of it, a hub subscription) is filed at the hub;
enterprise B at the Zhengzhou sub-platform (tests/api/test_authorization.py builds them). The city's zone admin
and customs officer, and enterprise B, must not read or change anything of A; enterprise A nothing of B. Each
route is called as every caller: those its guard refuses get 401/403/303, those it admits but whose scope does
not reach the data get exactly the refusal ``FOREIGN`` names — and afterwards nothing of A has changed. A route
without a ``FOREIGN`` call must be listed in ``NAMES_NOTHING_FOREIGN`` with the reason, so a new route fails
``test_every_route_is_classified`` until someone decides how it is tested.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from tests.api import test_authorization as authz
from tests.api.test_authorization import (
    ANONYMOUS,
    CALLERS,
    ROUTES,
    SHOP_B,
    Api,
    Page,
    Public,
    SignedIn,
    World,
    expected_status,
)
from tests.builders import PARTIES
from tests.unit.enterprises.builders import product

from cbec.audit.models import AuditRecord
from cbec.clearance.models import InventoryRecord
from cbec.common.ids import make_uscc
from cbec.credit.models import CreditFact
from cbec.enterprises.certificates import list_certificates
from cbec.enterprises.service import get_enterprise
from cbec.exports.models import ExportTaxProfile, PurchaseInvoiceLink
from cbec.messages.signature_signers import SignatureAlgorithm, generate_test_identity
from cbec.products.service import get_product
from cbec.sharing.models import Subscription
from cbec.sharing.schemas import SubscriptionCreate
from cbec.sharing.service import create_subscription, get_subscription
from cbec.statistics.models import ConsumerReport, ZoneTarget
from cbec.statistics.repository import add_report

A, B = PARTIES.ecommerce.code, SHOP_B.code
CITY_CALLERS = ("city_admin", "city_customs")
NOT_A = {"city_admin": 404, "city_customs": 404, "shop_b": 404, "agent": 404}  # A's filing and products
NOT_A_INVENTORY = {"city_admin": 404, "city_customs": 404, "shop_b": 404}  # the agent is a party to A's inventory
HUB_ONLY = {"city_admin": 403, "city_customs": 403}  # zone-wide actions (AUTH-SCOPE)
CITY_NOT_A = {"city_admin": 404, "city_customs": 404}  # A's export tax file, to the city's console
FEED = "hub-customs"
world = authz.world  # the fixture: A at the hub, B at the city, a key per caller
REPORT = "QR20260302A"


@dataclass(frozen=True)
class Foreign:
    """A call naming a resource of another tenant or enterprise, and the exact refusal per caller in reach."""

    url: str
    refused: dict[str, int]
    json: Any = None
    form: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def foreign(world: World) -> World:
    """Hold A's inventory for review, file a consumer's report of it and subscribe the hub's customs to a feed."""
    ctx = world.app.state.ctx
    with ctx.uow() as uow:
        uow.session.execute(
            update(InventoryRecord).where(InventoryRecord.inventory_no == world.ids["inv_a"]).values(status="300")
        )
        eport_a = uow.session.scalar(
            select(InventoryRecord.eport_no).where(InventoryRecord.inventory_no == world.ids["inv_a"])
        )
        add_report(
            uow.session,
            reference_no=REPORT,
            buyer_key="buyer",
            inventory_ref=eport_a,
            order_no="ORD20260302000001",
            note=None,
            status="open",
            reported_at=ctx.clock.now(),
        )
        uow.commit()
    create_subscription(
        ctx,
        SubscriptionCreate(name=FEED, subscriber_kind="agency", subscriber_code="customs"),
    )
    with ctx.uow() as uow:  # a webhook without the target vetting (no network in tests): replay has something to do
        uow.session.execute(
            update(Subscription).where(Subscription.name == FEED).values(webhook_url="https://x.test/h")
        )
        uow.commit()
    world.ids["eport_a"] = eport_a
    world.ids["uscc_a"] = get_enterprise(ctx, A).uscc
    world.ids["serial_a"] = list_certificates(ctx, A)[0].serial_hex if list_certificates(ctx, A) else "00"
    return world


def certificate_b64(world: World) -> str:
    """A usable certificate of the attacker's own key, which the city admin tries to register as A's."""
    now = world.app.state.ctx.clock.now()
    _, der = generate_test_identity(SignatureAlgorithm.RSA_SHA1, "mallory", not_before=now - timedelta(days=1))
    return base64.b64encode(der).decode()


def enterprise_at_the_hub() -> dict[str, Any]:
    return {
        "uscc": make_uscc("91460000MA5T00777"),
        "customs_code": "4601960777",
        "name": "海南测试跨境电商有限公司",
        "dxp_id": "DXPENT0000000777",
        "roles": ["ecommerce_enterprise"],
        "zone": "hub",
    }


def product_of_a() -> dict[str, Any]:
    return product(A, item_no="ATTACK-1").model_dump(mode="json")


def invoice_of_a(ids: dict[str, Any]) -> dict[str, Any]:
    return {
        "ecommerce_code": A,
        "invoice_no": "INV-1",
        "invoice_date": "2026-03-01",
        "inventory_no": ids["inv_a"],
        "line_no": 1,
        "amount": "100",
        "vat_rate": "0.13",
    }


def invoice_form_of_a(ids: dict[str, Any]) -> dict[str, str]:
    """The console's invoice form for A (the page posts the enterprise in its path)."""
    return {k: str(v) for k, v in invoice_of_a(ids).items() if k != "ecommerce_code"}


def credit_fact_of_a() -> dict[str, Any]:
    return {
        "subject": A,
        "fact_type": "penalty",
        "source": "customs",
        "severity": "serious",
        "decided_on": "2026-03-01",
        "document_no": "攻击-1",
        "legal_basis": "attack",
        "actor": "mallory",
    }


def list_entry_of_a() -> dict[str, Any]:
    return {
        "subject": A,
        "list_type": "customs_serious",
        "source": "customs",
        "severity": "serious",
        "decided_on": "2026-03-01",
        "document_no": "攻击-2",
        "legal_basis": "attack",
    }


def warehouse() -> dict[str, Any]:
    return {"name": "洛杉矶仓", "operator_code": A, "country": "502", "address": "Los Angeles", "area_m2": "1000"}


def foreign_calls(world: World) -> dict[tuple[str, str], list[Foreign]]:
    """Return, per route, the calls that name A's (or, for enterprise A, B's) data and their exact refusals."""
    ids = world.ids
    e, p, c, x, f = "/api/v1/enterprises", "/api/v1/products", "/api/v1/clearance", "/api/v1/exports", "/api/v1/feeds"
    reason = {"reason": "攻击 / attack"}
    decision = {"action": "release", "comment": "放行 / release"}
    order = f"/api/v1/orders/{PARTIES.platform.code}/ORD20260302000001/flows"
    return {
        ("GET", e + "/{enterprise_id}"): [
            Foreign(f"{e}/{ids['ent_a']}", NOT_A),
            Foreign(f"{e}/{ids['ent_b']}", {"shop_a": 404, "agent": 404}),
        ],
        ("GET", e + "/{enterprise_id}/audit"): [
            Foreign(f"{e}/{ids['ent_a']}/audit", NOT_A),
            Foreign(f"{e}/{ids['ent_b']}/audit", {"shop_a": 404, "agent": 404}),
        ],
        ("POST", e): [Foreign(e, {"city_admin": 403}, json=enterprise_at_the_hub())],  # ENT-ZONE-SCOPE
        **{
            ("POST", e + "/{enterprise_id}/" + action): [Foreign(f"{e}/{ids['ent_a']}/{action}", NOT_A, json=reason)]
            for action in ("approve", "suspend", "reinstate", "revoke")
        },
        ("POST", e + "/{key}/certificates"): [
            Foreign(f"{e}/{A}/certificates", NOT_A, json={"certificate": certificate_b64(world)})
        ],
        ("GET", e + "/{key}/certificates"): [
            Foreign(f"{e}/{A}/certificates", NOT_A),
            Foreign(f"{e}/{B}/certificates", {"shop_a": 404, "agent": 404}),
        ],
        ("POST", e + "/{key}/certificates/{certificate}/revoke"): [
            Foreign(f"{e}/{A}/certificates/{ids['serial_a']}/revoke", NOT_A, json=reason)
        ],
        ("POST", p): [Foreign(p, {"city_admin": 403, "shop_b": 403, "agent": 403}, json=product_of_a())],
        ("GET", p + "/{product_id}"): [
            Foreign(f"{p}/{ids['prd_a']}", NOT_A),
            Foreign(f"{p}/{ids['prd_b']}", {"shop_a": 404, "agent": 404}),
        ],
        ("GET", p + "/{product_id}/audit"): [Foreign(f"{p}/{ids['prd_a']}/audit", NOT_A)],
        ("POST", p + "/{product_id}/approve"): [Foreign(f"{p}/{ids['prd_a']}/approve", NOT_A, json=reason)],
        ("POST", p + "/{product_id}/revoke"): [Foreign(f"{p}/{ids['prd_a']}/revoke", NOT_A, json=reason)],
        ("GET", c + "/inventories/{number}"): [
            Foreign(f"{c}/inventories/{ids['inv_a']}", NOT_A_INVENTORY),
            Foreign(f"{c}/inventories/{ids['inv_b']}", {"shop_a": 404}),
        ],
        ("POST", c + "/inventories/{inventory_no}/decision"): [
            Foreign(f"{c}/inventories/{ids['inv_a']}/decision", NOT_A_INVENTORY, json=decision)
        ],
        ("POST", c + "/inventories/{number}/reveal"): [
            Foreign(f"{c}/inventories/{ids['inv_a']}/reveal", NOT_A_INVENTORY, json={**reason, "actor": "mallory"})
        ],
        ("POST", c + "/jobs/daily"): [Foreign(c + "/jobs/daily", HUB_ONLY)],
        ("GET", "/api/v1/orders/{platform_code}/{order_no}/flows"): [Foreign(order, NOT_A_INVENTORY)],
        ("GET", "/api/v1/audit/verify"): [Foreign("/api/v1/audit/verify", HUB_ONLY)],
        ("GET", x + "/tax-ledgers/{ecommerce_code}/{period}"): [Foreign(f"{x}/tax-ledgers/{A}/2026", NOT_A)],
        ("PUT", x + "/tax-profiles/{ecommerce_code}"): [
            Foreign(f"{x}/tax-profiles/{A}", NOT_A, json={"refund_qualified": True})
        ],
        ("POST", x + "/invoices"): [Foreign(x + "/invoices", NOT_A, json=invoice_of_a(ids))],
        ("POST", x + "/summaries/{month}"): [Foreign(x + "/summaries/2026-02", HUB_ONLY)],
        ("POST", x + "/warehouses"): [Foreign(x + "/warehouses", HUB_ONLY, json=warehouse())],
        ("POST", f): [
            Foreign(f, HUB_ONLY, json={"name": "city", "subscriber_kind": "agency", "subscriber_code": "customs"})
        ],
        ("GET", f + "/{subscription}"): [Foreign(f"{f}/{FEED}", {"city_admin": 404, "city_customs": 404})],
        ("GET", f + "/{subscription}/events"): [
            Foreign(f"{f}/{FEED}/events", {"city_admin": 404, "city_customs": 404})
        ],
        ("GET", f + "/{subscription}/dead-letters"): [Foreign(f"{f}/{FEED}/dead-letters", {"city_admin": 404})],
        ("POST", f + "/{subscription}/pause"): [Foreign(f"{f}/{FEED}/pause", {"city_admin": 404}, json=reason)],
        ("POST", f + "/{subscription}/resume"): [Foreign(f"{f}/{FEED}/resume", {"city_admin": 404}, json=reason)],
        ("POST", f + "/{subscription}/replay"): [
            Foreign(f"{f}/{FEED}/replay", {"city_admin": 404}, json={"dead": True, "actor": "mallory"})
        ],
        ("PUT", f + "/{subscription}/cursor"): [
            Foreign(f"{f}/{FEED}/cursor", {"city_admin": 404, "city_customs": 404}, json={"position": 0})
        ],
        ("POST", "/api/v1/accounts/users/{username}/disable"): [
            Foreign("/api/v1/accounts/users/caller-zone-admin/disable", {"city_admin": 404})
        ],
        ("POST", "/api/v1/accounts/delegations"): [
            Foreign(
                "/api/v1/accounts/delegations",
                {"shop_b": 403, "agent": 403, "city_admin": 403},  # ACC-GRANTOR: only A delegates in A's name
                json={
                    "grantor_code": A,
                    "agent_code": PARTIES.agent.code,
                    "scopes": ["ceb.submit"],
                    "valid_to": ids["valid_to"],
                },
            )
        ],
        # web pages
        ("GET", "/console/inventories/{number}"): [Foreign(f"/console/inventories/{ids['inv_a']}", NOT_A_INVENTORY)],
        ("POST", "/console/inventories/{number}/decision"): [
            Foreign(f"/console/inventories/{ids['inv_a']}/decision", NOT_A_INVENTORY, form=decision)
        ],
        ("POST", "/console/enterprises/{code}/decision"): [
            Foreign(f"/console/enterprises/{A}/decision", NOT_A, form={"action": "suspend", **reason})
        ],
        ("POST", "/console/reports/{reference_no}/review"): [
            Foreign(
                f"/console/reports/{REPORT}/review",
                NOT_A_INVENTORY,
                form={"comment": "已核实 / checked", "outcome": "confirmed"},
            )
        ],
        ("GET", "/console/export-tax"): [Foreign(f"/console/export-tax?enterprise={A}", CITY_NOT_A)],
        ("POST", "/console/export-tax/{code}/profile"): [
            Foreign(f"/console/export-tax/{A}/profile", {"city_admin": 404}, form={"refund_qualified": "yes"})
        ],
        ("POST", "/console/export-tax/{code}/invoices"): [
            Foreign(f"/console/export-tax/{A}/invoices", {"city_admin": 404}, form=invoice_form_of_a(ids))
        ],
        ("POST", "/dashboard/targets"): [
            Foreign("/dashboard/targets", HUB_ONLY, form={"year": "2026", "indicator": "trade_value", "target": "1"})
        ],
        # credit: another tenant's or enterprise's subject is not found; rating everyone is the hub's
        ("GET", "/api/v1/credit/subjects/{code}"): [
            Foreign(f"/api/v1/credit/subjects/{A}", NOT_A),
            Foreign(f"/api/v1/credit/subjects/{B}", {"shop_a": 404, "agent": 404}),
        ],
        ("POST", "/api/v1/credit/facts"): [
            Foreign("/api/v1/credit/facts", {"city_admin": 404, "city_customs": 404}, json=credit_fact_of_a())
        ],
        ("POST", "/api/v1/credit/rate"): [Foreign("/api/v1/credit/rate?dry_run=false", HUB_ONLY)],
        ("POST", "/api/v1/credit/aeo/assessments"): [
            Foreign(
                "/api/v1/credit/aeo/assessments",
                NOT_A,
                json={"subject": A, "items": [{"module": "financial", "item": "2.1", "score": 0}]},
            )
        ],
        ("GET", "/api/v1/credit/aeo/assessments"): [
            Foreign(f"/api/v1/credit/aeo/assessments?subject={A}", NOT_A),
            Foreign(f"/api/v1/credit/aeo/assessments?subject={B}", {"shop_a": 404, "agent": 404}),
        ],
        ("GET", "/api/v1/credit/subjects/{code}/evidence"): [
            Foreign(f"/api/v1/credit/subjects/{A}/evidence", NOT_A),
            Foreign(f"/api/v1/credit/subjects/{B}/evidence", {"shop_a": 404, "agent": 404}),
        ],
        ("POST", "/api/v1/credit/lists/entries"): [
            Foreign("/api/v1/credit/lists/entries", {"city_admin": 404, "city_customs": 404}, json=list_entry_of_a())
        ],
        ("GET", "/api/v1/credit/subjects/{code}/facts"): [
            Foreign(f"/api/v1/credit/subjects/{A}/facts", NOT_A),
            Foreign(f"/api/v1/credit/subjects/{B}/facts", {"shop_a": 404, "agent": 404}),
        ],
        ("POST", "/api/v1/credit/overrides"): [
            Foreign(
                "/api/v1/credit/overrides",
                {"city_admin": 404},
                json={"subject": A, "level": "A", "reason": "attack", "until": "2026-12-31"},
            )
        ],
        ("POST", "/api/v1/credit/daily"): [Foreign("/api/v1/credit/daily", HUB_ONLY)],
        ("GET", "/api/v1/credit/measures"): [
            Foreign(f"/api/v1/credit/measures?subject={A}", NOT_A),
            Foreign(f"/api/v1/credit/measures?subject={B}", {"shop_a": 404, "agent": 404}),
        ],
        # third-party reports and rulesets are zone-wide: the hub's (AUTH-SCOPE) before anything is read
        ("POST", "/api/v1/credit/thirdparty/reports"): [
            Foreign("/api/v1/credit/thirdparty/reports", HUB_ONLY, json={"reports": []})
        ],
        ("POST", "/api/v1/credit/rulesets"): [Foreign("/api/v1/credit/rulesets", HUB_ONLY, json={"document": {}})],
        ("POST", "/api/v1/credit/config"): [
            Foreign("/api/v1/credit/config", HUB_ONLY, json={"documents": [{"kind": "lists", "document": {}}]})
        ],
        ("POST", "/api/v1/credit/rulesets/{proposal_id}/dry-run"): [
            Foreign("/api/v1/credit/rulesets/1/dry-run", HUB_ONLY)
        ],
        ("POST", "/api/v1/credit/rulesets/{proposal_id}/decision"): [
            Foreign("/api/v1/credit/rulesets/1/decision", HUB_ONLY, json={"action": "publish"})
        ],
        ("POST", "/console/credit/lists/entries"): [
            Foreign("/console/credit/lists/entries", {"city_admin": 404, "city_customs": 404}, form=list_entry_of_a())
        ],
        ("POST", "/console/credit/facts"): [
            Foreign(
                "/console/credit/facts",
                {"city_admin": 404, "city_customs": 404},
                form={
                    "subject": A,
                    "fact_type": "penalty",
                    "source": "customs",
                    "severity": "minor",
                    "decided_on": "2026-03-01",
                    "legal_basis": "attack",
                    "document_no": "attack-1",
                },
            )
        ],
        ("POST", "/console/credit/overrides"): [
            Foreign(
                "/console/credit/overrides",
                {"city_admin": 404},
                form={"subject": A, "level": "A", "reason": "attack", "until": "2026-12-31"},
            )
        ],
        ("POST", "/console/credit/rulesets"): [Foreign("/console/credit/rulesets", HUB_ONLY, form={"document": "{}"})],
        ("POST", "/console/credit/rulesets/{proposal_id}"): [
            Foreign("/console/credit/rulesets/1", HUB_ONLY, form={"action": "publish"})
        ],
        ("POST", "/console/credit/thirdparty"): [
            Foreign("/console/credit/thirdparty", HUB_ONLY, form={"document": '{"reports": []}'})
        ],
        ("POST", "/console/credit/aeo"): [
            Foreign(
                "/console/credit/aeo",
                {"city_admin": 404, "city_customs": 404},
                form={"subject": A, "items": "financial 2.1 0", "action": "store"},
            )
        ],
        ("POST", "/api/v1/risk/versions"): [
            Foreign("/api/v1/risk/versions", HUB_ONLY, json={"document": {"version": "x"}})
        ],
        **{
            ("POST", f"/api/v1/risk/versions/{{version}}/{action}"): [
                Foreign(f"/api/v1/risk/versions/2026.6/{action}", HUB_ONLY)
            ]
            for action in ("backtest", "shadow", "publish", "retire")
        },
        ("POST", "/api/v1/risk/lists/{kind}"): [
            Foreign("/api/v1/risk/lists/watch", HUB_ONLY, json={"document": {"kind": "watch", "entries": []}})
        ],
        ("GET", "/api/v1/risk/conditions"): [Foreign("/api/v1/risk/conditions", HUB_ONLY)],
        ("POST", "/api/v1/risk/conditions"): [
            Foreign(
                "/api/v1/risk/conditions",
                HUB_ONLY,
                json={"subject_kind": "enterprise", "subject_key": A, "kind": "block", "reason": "attack"},
            )
        ],
        ("POST", "/api/v1/risk/conditions/{condition_id}/lift"): [
            Foreign("/api/v1/risk/conditions/1/lift", HUB_ONLY, json={"reason": "attack"})
        ],
        ("POST", "/console/risk/lists/{kind}"): [
            Foreign("/console/risk/lists/watch", HUB_ONLY, form={"format": "json", "document": "{}"})
        ],
        ("GET", "/console/risk/conditions"): [Foreign("/console/risk/conditions", HUB_ONLY)],
        ("POST", "/console/risk/conditions"): [
            Foreign(
                "/console/risk/conditions",
                HUB_ONLY,
                form={"subject_kind": "enterprise", "subject_key": A, "kind": "block", "reason": "attack"},
            )
        ],
        ("POST", "/console/risk/conditions/{condition_id}/lift"): [
            Foreign("/console/risk/conditions/1/lift", HUB_ONLY, form={"reason": "attack"})
        ],
        ("POST", "/console/risk/versions"): [Foreign("/console/risk/versions", HUB_ONLY, form={"document": "{}"})],
        ("POST", "/console/risk/versions/{version}/{action}"): [
            Foreign("/console/risk/versions/2026.6/retire", HUB_ONLY, form={})
        ],
        # statistics: the hub's figures (and another city's) are outside a city's tenant
        ("GET", "/api/v1/statistics/indicators"): [
            Foreign("/api/v1/statistics/indicators?from=2026-03-01&to=2026-03-31&tenant=hub", HUB_ONLY)
        ],
        ("GET", "/api/v1/statistics/figures"): [
            Foreign("/api/v1/statistics/figures?period=2026-03&tenant=hub", HUB_ONLY)
        ],
        ("GET", "/api/v1/statistics/breakdown"): [
            Foreign("/api/v1/statistics/breakdown?period=2026-03&by=mode&tenant=hub", HUB_ONLY)
        ],
        ("GET", "/api/v1/statistics/hub"): [Foreign("/api/v1/statistics/hub?period=2026&tenant=hub", HUB_ONLY)],
        ("GET", "/api/v1/statistics/targets"): [Foreign("/api/v1/statistics/targets?tenant=hub", HUB_ONLY)],
        ("PUT", "/api/v1/statistics/targets"): [
            Foreign(
                "/api/v1/statistics/targets",
                {"city_admin": 403},
                json={"tenant": "hub", "indicator": "trade_value_cny", "period": "2026", "target": "1"},
            )
        ],
        ("GET", "/dashboard/figures"): [Foreign("/dashboard/figures?period=2026-03&tenant=hub", HUB_ONLY)],
        ("GET", "/dashboard/figures/file"): [Foreign("/dashboard/figures/file?period=2026&tenant=hub", HUB_ONLY)],
        ("POST", "/dashboard/plan"): [
            Foreign(
                "/dashboard/plan",
                HUB_ONLY,
                form={"tenant": "hub", "indicator": "trade_value_cny", "period": "2026", "target": "1"},
            )
        ],
        ("POST", "/dashboard/reports"): [
            Foreign("/dashboard/reports", HUB_ONLY, form={"period": "2026-03", "tenant": "hub"})
        ],
        ("POST", "/dashboard/index"): [
            Foreign("/dashboard/index", HUB_ONLY, form={"label": "hub-2026", "zones": "hub", "years": "2026"})
        ],
        ("POST", "/api/v1/statistics/index/editions"): [
            Foreign(
                "/api/v1/statistics/index/editions",
                {"city_admin": 403},
                json={"label": "hub-2026", "zones": ["hub"], "years": [2026]},
            )
        ],
        ("GET", "/workspace/documents/{number}"): [Foreign(f"/workspace/documents/{ids['inv_b']}", {"shop_a": 404})],
    }


# Routes that name no other tenant's or enterprise's resource, and where their scope is tested instead.
NAMES_NOTHING_FOREIGN: dict[tuple[str, str], str] = {
    **{key: "public" for key, access in ROUTES.items() if isinstance(access, Public)},
    **{key: "the caller's own session" for key, access in ROUTES.items() if isinstance(access, SignedIn)},
    ("GET", "/api/v1/reference/goods/{hs_code}"): "reference data is the same for everyone",
    ("GET", "/api/v1/reference/{table}"): "reference data is the same for everyone",
    ("GET", "/api/v1/events/schema"): "the event catalogue is the same for everyone",
    ("GET", "/api/v1/statistics/catalogue"): "the indicator catalogue is the same for everyone",
    **{
        key: "no edition in this world; an edition is seen up and down its tenant tree, never sideways (404): "
        "tests/integration/statistics/test_index_editions.py"
        for key in (
            ("GET", "/api/v1/statistics/index/editions"),
            ("GET", "/api/v1/statistics/index/editions/{label}"),
            ("GET", "/api/v1/statistics/index/editions/{label}/verify"),
            ("GET", "/api/v1/statistics/index/editions/{label}/files/{name}"),
            ("GET", "/dashboard/index/{label}"),
            ("GET", "/dashboard/index/{label}/files/{name}"),
        )
    },
    ("GET", "/dashboard/plan"): "the targets of the caller's tenant subtree (no parameter names another's)",
    ("GET", "/dashboard/index"): "the editions the caller's tenant tree sees (no parameter names another's)",
    ("GET", "/dashboard/reports"): "the reports of the caller's tenant subtree (no parameter names another's)",
    ("GET", "/dashboard/surveys"): "the surveys of the caller's tenant subtree (no parameter names another's)",
    ("POST", "/dashboard/surveys"): "defines a survey of the caller's own tenant (no parameter names another)",
    ("POST", "/dashboard/surveys/{code}/{step}"): "no survey in this world; another tenant's survey is not found "
    "(404 STAT-SURVEY-NOT-FOUND): tests/integration/statistics/test_surveys.py",
    ("GET", "/workspace/surveys"): "the surveys that sampled the caller's own enterprise only",
    ("POST", "/workspace/surveys/{code}"): "answers for the caller's own enterprise only (its code from the identity): "
    "tests/web/test_survey_pages.py",
    ("GET", "/dashboard/reports/{report_id}"): "no report in this world; another tenant's report is 404: "
    "tests/integration/statistics/test_period_reports.py",
    ("POST", "/api/v1/statistics/b2b/declarations"): "imports into the caller's own tenant (no parameter names "
    "another's; a number stored for another tenant is refused B2B-ROW-TENANT): "
    "tests/integration/statistics/b2b/test_b2b_api.py",
    ("POST", "/api/v1/statistics/b2b/runs"): "identifies the caller's own tenant only: "
    "tests/integration/statistics/b2b/test_b2b_api.py",
    ("GET", "/api/v1/statistics/b2b/runs"): "lists the caller's tenant subtree only: "
    "tests/integration/statistics/b2b/test_b2b_api.py",
    ("GET", "/api/v1/statistics/b2b/runs/{run_id}"): "a run of another tenant is not found (404 B2B-RUN): "
    "tests/integration/statistics/b2b/test_b2b_api.py",
    ("GET", "/api/v1/statistics/b2b/figures"): "figures of the caller's tenant subtree only: "
    "tests/integration/statistics/b2b/test_b2b_api.py",
    ("GET", "/api/v1/risk/alerts"): "lists the caller's tenant only (no parameter names another's): "
    "tests/api/test_risk_statistics_api.py",
    ("GET", "/console/risk"): "the alerts of GET /api/v1/risk/alerts in the caller's tenant (no parameter names "
    "another's): tests/web/test_risk_page.py",
    ("GET", "/api/v1/risk/cases"): "lists the caller's tenant only: tests/api/test_risk_cases_api.py",
    ("GET", "/api/v1/risk/cases/{case_id}"): "another tenant's case is not found (404): "
    "tests/api/test_risk_cases_api.py",
    ("POST", "/api/v1/risk/cases/{case_id}/actions"): "another tenant's case is not found (404), nothing "
    "recorded: tests/api/test_risk_cases_api.py",
    ("POST", "/api/v1/risk/cases/{case_id}/actions/{action_id}/decision"): "another tenant's case is not found "
    "(404): tests/api/test_risk_cases_api.py",
    ("POST", "/api/v1/risk/cases/{case_id}/snoozes"): "another tenant's case is not found (404): "
    "tests/api/test_risk_cases_api.py",
    ("GET", "/api/v1/risk/snoozes"): "lists the caller's tenant only: tests/api/test_risk_cases_api.py",
    ("GET", "/api/v1/risk/review"): "figures of the caller's tenant only: tests/api/test_risk_cases_api.py",
    ("GET", "/console/risk/cases"): "the cases of GET /api/v1/risk/cases: tests/web/test_risk_cases_pages.py",
    ("GET", "/console/risk/cases/{case_id}"): "another tenant's case is not found (404): "
    "tests/web/test_risk_cases_pages.py",
    ("POST", "/console/risk/cases/{case_id}/actions"): "as the REST action: tests/web/test_risk_cases_pages.py",
    ("POST", "/console/risk/cases/{case_id}/actions/{action_id}"): "as the REST decision: "
    "tests/web/test_risk_cases_pages.py",
    ("POST", "/console/risk/cases/{case_id}/snoozes"): "as the REST snooze: tests/web/test_risk_cases_pages.py",
    ("GET", "/console/risk/review"): "figures of the caller's tenant only: tests/web/test_risk_cases_pages.py",
    **{
        ("GET", path): "ruleset versions are zone-wide configuration, the same for every risk.read caller"
        for path in (
            "/api/v1/risk/versions",
            "/api/v1/risk/versions/{version}",
            "/api/v1/risk/versions/{version}/delta",
            "/api/v1/risk/versions/{version}/backtest",
            "/console/risk/versions",
            "/api/v1/risk/lists",
            "/console/risk/lists",
        )
    },
    ("POST", "/api/v1/quota/query"): "by ID number and name, not by scope",
    ("POST", "/api/v1/credit/screen"): "screens against the published negative lists, the same for every "
    "credit.read caller; persons for the hub only (403 CRD-SCREEN-PERSON): tests/api/credit/test_credit_api.py",
    ("POST", "/api/v1/credit/repairs"): "names a fact: another subject's fact is not found (404), "
    "tests/api/credit/test_credit_repair_api.py",
    ("GET", "/api/v1/credit/repairs"): "lists the caller's scope only: tests/api/credit/test_credit_repair_api.py",
    ("POST", "/api/v1/credit/repairs/{repair_id}/decision"): "another tenant's application is not found (404), "
    "another agency's fact 403 CRD-SOURCE-SCOPE: tests/api/credit/test_credit_repair_api.py",
    ("POST", "/api/v1/credit/objections"): "as repairs: tests/api/credit/test_credit_repair_api.py",
    ("GET", "/api/v1/credit/objections"): "lists the caller's scope only: tests/api/credit/test_credit_repair_api.py",
    ("POST", "/api/v1/credit/objections/{objection_id}/decision"): "as repair decisions: "
    "tests/api/credit/test_credit_repair_api.py",
    ("GET", "/api/v1/credit/overrides"): "lists the caller's scope only (credit.rate)",
    ("POST", "/api/v1/credit/uncorrected"): "names a fact: another tenant's fact is not found (404), another agency's "
    "403 CRD-SOURCE-SCOPE: tests/api/credit/test_credit_uncorrected_api.py",
    (
        "GET",
        "/api/v1/credit/uncorrected",
    ): "lists the caller's scope only: tests/api/credit/test_credit_uncorrected_api.py",
    ("POST", "/api/v1/credit/uncorrected/{flag_id}/decision"): "another tenant's flag is not found (404): "
    "tests/api/credit/test_credit_uncorrected_api.py",
    ("POST", "/api/v1/credit/overrides/{request_id}/decision"): "another tenant's request is not found (404): "
    "tests/api/credit/test_credit_repair_api.py",
    ("GET", "/api/v1/credit/lists"): "the published negative lists, the same for every credit.read caller "
    "(persons for the hub only): tests/api/credit/test_credit_lists_api.py",
    ("GET", "/api/v1/credit/alerts"): "lists the alerts of the caller's scope only: "
    "tests/api/credit/test_credit_lists_api.py",
    ("POST", "/api/v1/credit/lists/entries/{fact_id}/end"): "no list entry in this world; another tenant's entry is "
    "not found (404): tests/api/credit/test_credit_list_management_api.py",
    ("POST", "/api/v1/credit/lists/entries/{fact_id}/correction"): "as ending an entry: "
    "tests/api/credit/test_credit_list_management_api.py",
    ("GET", "/api/v1/credit/lists/requests"): "lists the caller's scope only: "
    "tests/api/credit/test_credit_list_management_api.py",
    ("POST", "/api/v1/credit/lists/requests/{request_id}/decision"): "another tenant's request is not found (404): "
    "tests/api/credit/test_credit_list_management_api.py",
    ("POST", "/api/v1/credit/alerts/{alert_id}/decision"): "another tenant's alert is not found (404), the reviewer "
    "is the principal: tests/api/credit/test_credit_lists_api.py",
    ("GET", "/workspace/credit"): "the caller's own enterprise only (no parameter names another)",
    ("POST", "/workspace/credit/repairs"): "as POST /api/v1/credit/repairs: tests/web/test_credit_pages.py",
    ("POST", "/workspace/credit/objections"): "as POST /api/v1/credit/objections: tests/web/test_credit_pages.py",
    ("GET", "/console/credit"): "subjects and queues of the caller's scope only: tests/web/test_credit_pages.py",
    ("POST", "/console/credit/repairs/{repair_id}"): "as the REST decision: tests/web/test_credit_pages.py",
    ("POST", "/console/credit/objections/{objection_id}"): "as the REST decision: tests/web/test_credit_pages.py",
    ("GET", "/console/credit/lists"): "the published lists and the alerts of the caller's scope only: "
    "tests/web/test_credit_lists_pages.py",
    ("GET", "/console/credit/lists/entries/{fact_id}"): "no list entry in this world; another tenant's entry is not "
    "found (404): as the REST routes, tests/api/credit/test_credit_list_management_api.py",
    ("POST", "/console/credit/lists/entries/{fact_id}/end"): "as the REST end of an entry (another tenant's: 404)",
    ("POST", "/console/credit/lists/entries/{fact_id}/correct"): "as the REST correction (another tenant's: 404)",
    ("POST", "/console/credit/lists/requests/{request_id}"): "as the REST decision (another tenant's request: 404)",
    ("POST", "/console/credit/lists/alerts/{alert_id}"): "as the REST alert decision (another tenant's: 404): "
    "tests/web/test_credit_lists_pages.py",
    ("GET", "/api/v1/credit/thirdparty/reports"): "lists the caller's scope only (credit.manage)",
    ("GET", "/api/v1/credit/thirdparty/reviews"): "lists the caller's scope only (credit.manage)",
    ("POST", "/api/v1/credit/thirdparty/reviews/{task_id}/decision"): "no review task in this world; another "
    "scope's task is not found (404): tests/api/credit/test_credit_office_api.py",
    ("GET", "/api/v1/credit/method"): "the zone's published method, the same for everyone (public)",
    ("POST", "/api/v1/credit/aeo/score"): "scores the submitted self-assessment; reads nothing stored",
    ("GET", "/api/v1/credit/evidence/{evidence_id}"): "no evidence file in this world; another enterprise's or "
    "tenant's file is not found (404): tests/api/credit/test_credit_evidence_api.py",
    ("GET", "/api/v1/credit/config"): "the zone-wide configuration documents, the same for every credit.read caller",
    ("GET", "/api/v1/credit/config/{kind}/{code}/{version}"): "a zone-wide configuration document, the same for "
    "every credit.read caller",
    ("GET", "/console/credit/facts/new"): "an empty form; the agency's own source only",
    ("GET", "/console/credit/overrides"): "lists the caller's scope only (credit.rate)",
    ("POST", "/console/credit/overrides/{request_id}"): "as the REST decision (another scope's request: 404)",
    ("GET", "/console/credit/thirdparty"): "lists the caller's scope only: tests/web/test_credit_office_pages.py",
    ("POST", "/console/credit/thirdparty/reviews/{task_id}"): "as the REST decision: "
    "tests/web/test_credit_office_pages.py",
    ("GET", "/public/credit/method"): "the zone's published method, the same for everyone (public)",
    ("GET", "/console/credit/evidence/{evidence_id}"): "no evidence file in this world; another tenant's file is not "
    "found (404): tests/web/test_credit_console_pages.py",
    ("GET", "/workspace/credit/evidence/{evidence_id}"): "no evidence file in this world; another enterprise's "
    "file, or an officer's decision file, is not found (404): tests/web/test_credit_evidence_pages.py",
    ("GET", "/console/credit/uncorrected"): "lists the caller's scope only; a subject outside it is not shown: "
    "tests/web/test_credit_console_pages.py",
    ("POST", "/console/credit/uncorrected"): "names a fact: another tenant's fact is not found (404), as POST "
    "/api/v1/credit/uncorrected: tests/web/test_credit_console_pages.py",
    ("POST", "/console/credit/uncorrected/{flag_id}"): "no flag in this world; another tenant's flag is not found "
    "(404): tests/web/test_credit_console_pages.py",
    ("GET", "/console/credit/aeo"): "a subject outside the caller's scope is not shown: "
    "tests/web/test_credit_console_pages.py",
    ("GET", "/api/v1/credit/rulesets"): "ruleset proposals are zone-wide configuration, the same for every "
    "credit.rate caller; proposing and publishing are the hub's",
    ("GET", "/console/credit/rulesets"): "as GET /api/v1/credit/rulesets",
    ("POST", "/api/v1/clearance/returns/{return_id}/arrival"): "no return in this world; scoped like decisions",
    ("POST", "/ceb"): "as another sender: AUTH-SENDER in tests/api/clearance/test_ceb_endpoint.py",
    ("GET", "/ceb/answers/{digest}"): "only the account that sent the message collects its answer (404 for any "
    "other): tests/integration/intake/test_intake_stream.py",
    ("GET", "/api/v1/exports/inventories/{number}"): "no export inventory in this world; scoped like imports",
    ("POST", "/api/v1/exports/inventories/{inventory_no}/decision"): "no export inventory in this world",
    ("GET", "/api/v1/accounts/api-keys"): "the caller's own keys",
    ("POST", "/api/v1/accounts/api-keys"): "the caller's own keys",
    ("POST", "/api/v1/accounts/api-keys/{key_id}/revoke"): "the caller's own keys (others: 404, accounts tests)",
    ("POST", "/api/v1/accounts/users/{username}/enable"): "as disable",
    ("POST", "/api/v1/accounts/tenants"): "below the caller's tenant only (tests/api/accounts)",
    ("POST", "/api/v1/accounts/users"): "at the caller's tenant only (tests/api/accounts)",
    ("POST", "/api/v1/accounts/delegations/{delegation_id}/revoke"): "the caller's own delegations",
    ("GET", "/workspace/upload"): "a form",
    ("POST", "/workspace/upload"): "as the caller's enterprise: AUTH-SENDER",
    ("POST", "/workspace/products"): "files for the caller's own enterprise only",
    ("GET", "/workspace/export-tax"): "the caller's own enterprise only (no parameter names another)",
    ("GET", "/workspace/warehouses"): "the zone's registry, the same for everyone (the counts: the hub's only)",
    ("GET", "/console/warehouses"): "the zone's registry, the same for everyone (the counts: the hub's only)",
    **{
        key: "no export inventory in this world; 404 outside the scope in tests/web/test_export_pages.py"
        for key in (
            ("GET", "/workspace/exports/{number}"),
            ("GET", "/console/exports/{number}"),
            ("POST", "/console/exports/{number}/decision"),
        )
    },
    **{
        key: "lists in the export.read scope (an enterprise not party sees none: tests/web/test_export_pages.py)"
        for key in (
            ("GET", "/workspace/exports"),
            ("GET", "/workspace/export-summaries"),
            ("GET", "/console/exports"),
        )
    },
    **{
        key: "another enterprise's code falls back to the caller's own (test_an_enterprise_asking_for_anothers_ledger)"
        for key in (("GET", "/workspace/export-ledger"), ("GET", "/workspace/export-ledger/file"))
    },
    **{
        key: "a list: test_lists_leave_out_other_tenants"
        for key in (
            ("GET", "/api/v1/enterprises"),
            ("GET", "/api/v1/products"),
            ("GET", "/api/v1/clearance/inventories"),
            ("GET", "/api/v1/clearance/held"),
            ("GET", "/api/v1/clearance/tax-bills"),
            ("GET", "/api/v1/exports/inventories"),
            ("GET", "/api/v1/exports/status-counts"),
            ("GET", "/api/v1/exports/held"),
            ("GET", "/api/v1/exports/summaries"),
            ("GET", "/api/v1/exports/reminders"),
            ("GET", "/api/v1/exports/warehouses"),
            ("GET", "/api/v1/audit/records"),
            ("GET", "/api/v1/feeds"),
            ("GET", "/api/v1/accounts/tenants"),
            ("GET", "/api/v1/accounts/users"),
            ("GET", "/api/v1/accounts/delegations"),
            ("GET", "/console"),
            ("GET", "/console/search"),
            ("GET", "/console/enterprises"),
            ("GET", "/console/reports"),
            ("GET", "/dashboard"),
            ("GET", "/dashboard/targets"),
            ("GET", "/workspace"),
            ("GET", "/workspace/documents"),
            ("GET", "/workspace/receipts"),
            ("GET", "/workspace/tax-bills"),
            ("GET", "/workspace/products"),
        )
    },
}


def client_of(world: World, caller: str) -> TestClient:
    headers = {"Authorization": f"Bearer {world.keys[caller]}"} if caller != ANONYMOUS else {}
    return TestClient(world.app, headers=headers, follow_redirects=False, raise_server_exceptions=False)


def name_of(world: World, caller: str) -> str:
    """The principal's name an API key's actions are audited under: username:display prefix."""
    return f"caller-{caller}".replace("_", "-") + ":" + world.keys[caller][:13]


def state_of_a(world: World) -> dict[str, Any]:
    """What the attacks must not change: A's inventory, filing, certificates, product, report, the hub's feed."""
    ctx, ids = world.app.state.ctx, world.ids
    with ctx.uow() as uow:
        session = uow.session
        facts: dict[str, Any] = {
            "inventory": session.scalar(
                select(InventoryRecord.status).where(InventoryRecord.inventory_no == ids["inv_a"])
            ),
            "report": session.scalar(select(ConsumerReport.status).where(ConsumerReport.reference_no == REPORT)),
            "reveals": session.scalars(
                select(AuditRecord.actor).where(AuditRecord.action == "privacy.inventory_buyer.revealed")
            ).all(),
            "targets": session.scalars(select(ZoneTarget.indicator)).all(),
            "profiles": session.scalars(select(ExportTaxProfile.ecommerce_code)).all(),
            "invoices": session.scalars(select(PurchaseInvoiceLink.invoice_no)).all(),
            "subscriptions": session.scalars(
                select(AuditRecord.entity_key).where(AuditRecord.entity_type == "subscription")
            ).all(),
            "credit_facts": session.scalars(select(CreditFact.id)).all(),
        }
    facts["enterprise"] = get_enterprise(ctx, A).status
    facts["certificates"] = [(c.serial_hex, c.status) for c in list_certificates(ctx, A)]
    facts["product"] = get_product(ctx, ids["prd_a"]).status
    facts["feed"] = get_subscription(ctx, FEED).active
    return facts


def test_every_route_is_classified(foreign: World) -> None:
    named = set(foreign_calls(foreign))
    exempt = set(NAMES_NOTHING_FOREIGN)
    assert sorted(named & exempt) == []
    assert sorted(set(ROUTES) - named - exempt) == [], "add a Foreign call (or a reason) for these routes"
    assert sorted((named | exempt) - set(ROUTES)) == []


def test_no_caller_reaches_another_tenants_or_enterprises_data(foreign: World) -> None:
    before = state_of_a(foreign)
    failures: list[str] = []
    for key, route_calls in foreign_calls(foreign).items():
        access = ROUTES[key]
        assert isinstance(access, Api | Page)
        method = key[0]
        for call in route_calls:
            for caller in [ANONYMOUS, *CALLERS]:
                want = expected_status(access, caller, None)  # the guard's refusal, None when it admits
                if want is None:
                    if caller not in call.refused:
                        continue  # in reach: the data is the caller's (tests/api/test_authorization.py)
                    want = call.refused[caller]
                answer = client_of(foreign, caller).request(method, call.url, json=call.json, data=call.form)
                if answer.status_code != want:
                    failures.append(f"{caller} {method} {call.url}: {answer.status_code}, expected {want}")
    assert failures == []
    assert state_of_a(foreign) == before


def test_the_refusals_name_their_rule(foreign: World) -> None:
    """403s beyond the scope carry AUTH-SCOPE (zone-wide actions) or the domain's owner rule; 404s say nothing."""
    city = client_of(foreign, "city_admin")
    assert [p["rule_id"] for p in city.post("/api/v1/clearance/jobs/daily").json()["problems"]] == ["AUTH-SCOPE"]
    assert [p["rule_id"] for p in city.get("/api/v1/audit/verify").json()["problems"]] == ["AUTH-SCOPE"]
    created = city.post("/api/v1/feeds", json={"name": "c", "subscriber_kind": "agency", "subscriber_code": "tax"})
    assert [p["rule_id"] for p in created.json()["problems"]] == ["AUTH-SCOPE"]
    found = city.get(f"/api/v1/enterprises/{A}/certificates").json()
    assert (found["error"], found["problems"]) == ("not_found", [])


# --- the attacks of issue 14, one test each ----------------------------------------------------------------------


def test_attack_city_customs_releases_a_hub_inventory_in_the_console(foreign: World) -> None:
    url = f"/console/inventories/{foreign.ids['inv_a']}/decision"
    form = {"action": "release", "comment": "放行"}
    assert client_of(foreign, "city_customs").post(url, data=form).status_code == 404
    assert state_of_a(foreign)["inventory"] == "300"
    done = client_of(foreign, "customs").post(url, data=form)  # the hub's customs may
    assert (done.status_code, done.headers["location"]) == (
        303,
        f"/console?decided={foreign.ids['inv_a']}&action=release",
    )
    assert state_of_a(foreign)["inventory"] == "800"


def test_attack_city_admin_suspends_a_hub_enterprise_in_the_console(foreign: World) -> None:
    form = {"action": "suspend", "reason": "攻击", "status": "approved"}
    assert client_of(foreign, "city_admin").post(f"/console/enterprises/{A}/decision", data=form).status_code == 404
    assert get_enterprise(foreign.app.state.ctx, A).status == "approved"
    done = client_of(foreign, "city_admin").post(f"/console/enterprises/{B}/decision", data=form)
    assert (done.status_code, get_enterprise(foreign.app.state.ctx, B).status) == (303, "suspended")


def test_attack_console_lists_show_the_hubs_data(foreign: World) -> None:
    inv_a, inv_b = foreign.ids["inv_a"], foreign.ids["inv_b"]
    city, hub = client_of(foreign, "city_customs"), client_of(foreign, "customs")
    link_a, link_b = f"/console/inventories/{inv_a}", f"/console/inventories/{inv_b}"
    assert link_a in hub.get("/console").text and link_a not in city.get("/console").text
    assert link_a not in city.get(f"/console/search?q={inv_a}").text and link_b in city.get("/console/search").text
    city_admin = client_of(foreign, "city_admin").get("/console/enterprises?status=approved").text
    assert A not in city_admin and B in city_admin
    assert REPORT in hub.get("/console/reports").text and REPORT not in city.get("/console/reports").text


def test_attack_tax_and_market_officers_read_dossiers_in_the_console(foreign: World) -> None:
    for caller in ("tax", "market"):
        client = client_of(foreign, caller)
        assert client.get(f"/console/inventories/{foreign.ids['inv_b']}").status_code == 403
        assert client.get("/console").status_code == 403
        assert client.get("/console/search").status_code == 403
        assert client.get("/console/enterprises").status_code == 200  # filings: enterprises.read, as the API
    assert client_of(foreign, "customs").get(f"/console/inventories/{foreign.ids['inv_b']}").status_code == 200


def test_attack_city_customs_reveals_a_hub_buyer(foreign: World) -> None:
    url = f"/api/v1/clearance/inventories/{foreign.ids['inv_a']}/reveal"
    body = {"reason": "核查", "actor": "mallory"}
    assert client_of(foreign, "city_customs").post(url, json=body).status_code == 404
    assert state_of_a(foreign)["reveals"] == []
    revealed = client_of(foreign, "customs").post(url, json=body)
    assert revealed.status_code == 200 and revealed.json()["revealed_by"] == name_of(foreign, "customs")
    assert state_of_a(foreign)["reveals"] == [name_of(foreign, "customs")]  # not the body's actor


def test_attack_city_admin_registers_its_key_for_a_hub_enterprise(foreign: World) -> None:
    before = state_of_a(foreign)["certificates"]
    body = {"certificate": certificate_b64(foreign), "actor": "mallory"}
    assert client_of(foreign, "city_admin").post(f"/api/v1/enterprises/{A}/certificates", json=body).status_code == 404
    serial = before[0][0]
    revoke = {"reason": "攻击", "actor": "mallory"}
    url = f"/api/v1/enterprises/{A}/certificates/{serial}/revoke"
    assert client_of(foreign, "city_admin").post(url, json=revoke).status_code == 404
    assert state_of_a(foreign)["certificates"] == before
    added = client_of(foreign, "zone_admin").post(f"/api/v1/enterprises/{A}/certificates", json=body)
    assert added.status_code == 201
    assert audit_actors(foreign, "enterprises.certificate.registered")[-1] == name_of(foreign, "zone_admin")


def test_attack_enterprise_lists_another_enterprises_certificates(foreign: World) -> None:
    assert client_of(foreign, "shop_a").get(f"/api/v1/enterprises/{B}/certificates").status_code == 404
    assert client_of(foreign, "shop_b").get(f"/api/v1/enterprises/{A}/certificates").status_code == 404
    own = client_of(foreign, "shop_b").get(f"/api/v1/enterprises/{B}/certificates")
    assert own.status_code == 200 and {c["enterprise"] for c in own.json()} == {B}


def audit_actors(world: World, action: str) -> list[str]:
    with world.app.state.ctx.uow() as uow:
        return list(
            uow.session.scalars(select(AuditRecord.actor).where(AuditRecord.action == action).order_by(AuditRecord.id))
        )


def test_attack_actor_from_the_body_of_feed_changes(foreign: World) -> None:
    admin, me = client_of(foreign, "zone_admin"), name_of(foreign, "zone_admin")
    body = {"name": "hub-tax", "subscriber_kind": "agency", "subscriber_code": "tax", "actor": "mallory"}
    assert admin.post("/api/v1/feeds", json=body).status_code == 201
    assert admin.post(f"/api/v1/feeds/{FEED}/pause", json={"reason": "维护", "actor": "mallory"}).status_code == 200
    assert admin.post(f"/api/v1/feeds/{FEED}/resume", json={"reason": "恢复", "actor": "mallory"}).status_code == 200
    assert admin.post(f"/api/v1/feeds/{FEED}/replay", json={"dead": True, "actor": "mallory"}).status_code == 200
    with foreign.app.state.ctx.uow() as uow:
        made = uow.session.execute(
            select(AuditRecord.action, AuditRecord.actor)
            .where(AuditRecord.entity_type == "subscription", AuditRecord.actor != "api")
            .order_by(AuditRecord.id)
        ).all()
    assert [tuple(row) for row in made] == [
        ("sharing.subscription.created", me),
        ("sharing.subscription.paused", me),
        ("sharing.subscription.resumed", me),
        ("sharing.webhook.replayed", me),
    ]


def test_attack_actor_from_the_body_of_an_export_decision(foreign: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import cbec.api.routes.exports as exports

    seen: dict[str, Any] = {}

    def decide(ctx: Any, inventory_no: str, **kwargs: Any) -> Any:
        seen.update(kwargs, inventory_no=inventory_no)
        return type("Result", (), {"receipts": []})()

    monkeypatch.setattr(exports, "decide_held_export", decide)
    body = {"action": "release", "comment": "放行", "actor": "mallory"}
    answer = client_of(foreign, "customs").post("/api/v1/exports/inventories/E1/decision", json=body)
    assert (answer.status_code, seen["actor"], seen["inventory_no"]) == (200, name_of(foreign, "customs"), "E1")


def test_attack_city_reads_the_hubs_audit_trail(foreign: World) -> None:
    keys_of_a = {foreign.ids["uscc_a"], foreign.ids["eport_a"], str(foreign.ids["prd_a"])}
    hub = client_of(foreign, "auditor").get("/api/v1/audit/records?limit=500").json()["items"]
    city = client_of(foreign, "city_admin").get("/api/v1/audit/records?limit=500").json()["items"]
    assert keys_of_a & {r["entity_key"] for r in hub} == keys_of_a
    assert keys_of_a & {r["entity_key"] for r in city} == set()
    ctx = foreign.app.state.ctx
    with ctx.uow() as uow:
        eport_b = uow.session.scalar(
            select(InventoryRecord.eport_no).where(InventoryRecord.inventory_no == foreign.ids["inv_b"])
        )
    assert sorted({(r["entity_type"], r["entity_key"]) for r in city}) == [
        ("enterprise", get_enterprise(ctx, B).uscc),
        ("enterprise_certificate", f"{B}/{list_certificates(ctx, B)[0].serial_hex}"),
        ("inventory", eport_b),
        ("product", str(foreign.ids["prd_b"])),
    ]
    assert client_of(foreign, "city_admin").get(f"/api/v1/enterprises/{foreign.ids['ent_a']}/audit").status_code == 404
    assert client_of(foreign, "city_admin").get(f"/api/v1/products/{foreign.ids['prd_a']}/audit").status_code == 404


def test_attack_city_reads_hub_export_ledgers_and_summarises(foreign: World) -> None:
    city, hub = client_of(foreign, "city_customs"), client_of(foreign, "customs")
    assert city.get(f"/api/v1/exports/tax-ledgers/{A}/2026").status_code == 404
    assert hub.get(f"/api/v1/exports/tax-ledgers/{A}/2026").status_code == 200
    assert city.post("/api/v1/exports/summaries/2026-02").status_code == 403
    assert client_of(foreign, "city_admin").put(f"/api/v1/exports/tax-profiles/{A}", json={}).status_code == 404
    assert state_of_a(foreign)["profiles"] == []


def test_attack_city_reads_hub_order_flows(foreign: World) -> None:
    platform = PARTIES.platform.code
    city = client_of(foreign, "city_customs")
    assert city.get(f"/api/v1/orders/{platform}/ORD20260302000001/flows").status_code == 404
    assert city.get(f"/api/v1/orders/{platform}/ORD20260302000002/flows").status_code == 200  # B's order


def test_attack_city_reads_and_pauses_hub_feeds(foreign: World) -> None:
    city = client_of(foreign, "city_admin")
    assert city.get("/api/v1/feeds").json() == []
    assert [s["name"] for s in client_of(foreign, "zone_admin").get("/api/v1/feeds").json()] == [FEED]
    assert city.get(f"/api/v1/feeds/{FEED}/events").status_code == 404
    assert city.post(f"/api/v1/feeds/{FEED}/pause", json={"reason": "x"}).status_code == 404
    assert get_subscription(foreign.app.state.ctx, FEED).active is True


def test_attack_city_admin_runs_the_daily_jobs(foreign: World) -> None:
    assert client_of(foreign, "city_admin").post("/api/v1/clearance/jobs/daily").status_code == 403
    assert client_of(foreign, "zone_admin").post("/api/v1/clearance/jobs/daily").status_code == 200


def test_attack_city_admin_changes_hub_targets(foreign: World) -> None:
    form = {"year": "2026", "indicator": "trade_value", "target": "1"}
    assert client_of(foreign, "city_admin").post("/dashboard/targets", data=form).status_code == 403
    assert state_of_a(foreign)["targets"] == []
    assert client_of(foreign, "zone_admin").post("/dashboard/targets", data=form).status_code == 303


def test_lists_leave_out_other_tenants(foreign: World) -> None:
    inv_a = foreign.ids["inv_a"]

    def get(caller: str, url: str) -> Any:
        answer = client_of(foreign, caller).get(url)
        assert answer.status_code == 200, (caller, url, answer.status_code)
        return answer.json()

    for caller in CITY_CALLERS:
        assert A not in {e["customs_code"] for e in get(caller, "/api/v1/enterprises?limit=500")["items"]}
        assert [i["ecommerce_code"] for i in get(caller, "/api/v1/clearance/inventories")["items"]] == [B]
        assert inv_a not in {i["inventory_no"] for i in get(caller, "/api/v1/clearance/held")["items"]}
        assert get(caller, "/api/v1/feeds") == []
        for url in ("/console", "/console/search", "/console/reports", "/dashboard"):
            assert f"/console/inventories/{inv_a}" not in client_of(foreign, caller).get(url).text
    assert A not in {p["owner_code"] for p in get("city_admin", "/api/v1/products")["items"]}
    assert inv_a in {i["inventory_no"] for i in get("customs", "/api/v1/clearance/held")["items"]}
    for url in ("/workspace", "/workspace/documents", "/workspace/receipts", "/workspace/tax-bills"):
        assert f"/workspace/documents/{inv_a}" not in client_of(foreign, "shop_b").get(url).text
