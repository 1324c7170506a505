"""Every route of the application for every role (权限矩阵): 401 (or the sign-in page) without credentials,
403 without the permission, and an enterprise never reaches another enterprise's data.

``ROUTES`` is the permission matrix of the routes (docs/access-control.md): a route missing from it, or whose guard
differs from it, fails ``test_every_route_is_declared`` — API routes by their require()/scoped() dependencies, web
pages by their cbec.web.access.guard() dependency (roles and permission). A page without a guard must be declared
PUBLIC (``ADMITTED_INSIDE`` is empty: every page declares its guard). tests/api/test_trust_boundary.py calls every
route against another tenant's and another enterprise's data. ``CALLS`` gives the exact answers per role on real
data of the test zone and a second enterprise at a city sub-platform; routes without calls are checked for the guard
alone (GET routes also for getting through it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from tests.api.auth import key_for
from tests.builders import AT, BUYER, MILK, PARTIES
from tests.unit.enterprises.builders import product
from tests.zone import Zone

from cbec.accounts import permissions_for
from cbec.accounts.schemas import TenantCreate
from cbec.accounts.service import create_tenant
from cbec.api.app import create_app
from cbec.api.security import permissions_of
from cbec.clearance.queries import search_inventories
from cbec.common.ids import make_uscc
from cbec.demo.builders import Parties, Party, build_set
from cbec.enterprises.certificates import register_certificate
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import approve_enterprise, file_enterprise, get_enterprise
from cbec.products.service import approve_product, file_product, list_products
from cbec.web.access import roles_of
from cbec.web.roles import CONSOLE_ROLES, DASHBOARD_ROLES, WORKSPACE_ROLES

SHOP_B = Party("4601960009", "郑州优品跨境电子商务有限公司", "DXPENT0000000019")
CITY = "hub/zhengzhou"


@dataclass(frozen=True)
class Public:
    """Anyone, signed in or not."""


@dataclass(frozen=True)
class Api:
    """An API route guarded by require()/scoped(): 401 without credentials, 403 without every permission."""

    permissions: frozenset[str]


@dataclass(frozen=True)
class Page:
    """A web page for some roles and a permission: the sign-in page (303) without a session, else 403 for other
    roles or without the permission (None: the roles alone, for pages of figures without documents)."""

    roles: frozenset[str]
    permission: str | None = None

    @property
    def permissions(self) -> frozenset[str]:
        return frozenset({self.permission} if self.permission else ())


@dataclass(frozen=True)
class SignedIn:
    """Any authenticated caller."""


def api(*permissions: str) -> Api:
    return Api(frozenset(permissions))


ZONE_OFFICE = frozenset({"zone_admin"})


PUBLIC, SIGNED_IN = Public(), SignedIn()

# The permission matrix of the routes. Add every new route here (and to docs/access-control.md).
ROUTES: dict[tuple[str, str], Public | Api | Page | SignedIn] = {
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    # reference data
    ("GET", "/api/v1/reference/goods/{hs_code}"): api("reference.read"),
    ("GET", "/api/v1/reference/{table}"): api("reference.read"),
    # enterprise filing
    ("POST", "/api/v1/enterprises"): api("enterprises.file"),
    ("GET", "/api/v1/enterprises"): api("enterprises.read"),
    ("GET", "/api/v1/enterprises/{enterprise_id}"): api("enterprises.read"),
    ("GET", "/api/v1/enterprises/{enterprise_id}/audit"): api("audit.read"),
    ("POST", "/api/v1/enterprises/{enterprise_id}/approve"): api("enterprises.decide"),
    ("POST", "/api/v1/enterprises/{enterprise_id}/suspend"): api("enterprises.decide"),
    ("POST", "/api/v1/enterprises/{enterprise_id}/reinstate"): api("enterprises.decide"),
    ("POST", "/api/v1/enterprises/{enterprise_id}/revoke"): api("enterprises.decide"),
    ("POST", "/api/v1/enterprises/{key}/certificates"): api("certificates.manage"),
    ("GET", "/api/v1/enterprises/{key}/certificates"): api("enterprises.read"),
    ("POST", "/api/v1/enterprises/{key}/certificates/{certificate}/revoke"): api("certificates.manage"),
    # product filing
    ("POST", "/api/v1/products"): api("products.file"),
    ("GET", "/api/v1/products"): api("products.read"),
    ("GET", "/api/v1/products/{product_id}"): api("products.read"),
    ("GET", "/api/v1/products/{product_id}/audit"): api("audit.read"),
    ("POST", "/api/v1/products/{product_id}/approve"): api("products.decide"),
    ("POST", "/api/v1/products/{product_id}/revoke"): api("products.decide"),
    # quota
    ("POST", "/api/v1/quota/query"): api("quota.query"),
    # import clearance
    ("GET", "/api/v1/clearance/inventories"): api("clearance.read"),
    ("GET", "/api/v1/clearance/held"): api("clearance.read"),
    ("GET", "/api/v1/clearance/tax-bills"): api("taxbills.read"),
    ("GET", "/api/v1/clearance/inventories/{number}"): api("clearance.read"),
    ("POST", "/api/v1/clearance/inventories/{inventory_no}/decision"): api("clearance.decide"),
    ("POST", "/api/v1/clearance/returns/{return_id}/arrival"): api("clearance.arrival"),
    ("POST", "/api/v1/clearance/jobs/daily"): api("clearance.jobs"),
    ("POST", "/api/v1/clearance/inventories/{number}/reveal"): api("personal.reveal"),
    ("GET", "/api/v1/orders/{platform_code}/{order_no}/flows"): api("flows.read"),
    ("POST", "/ceb"): api("ceb.submit"),
    ("GET", "/ceb/answers/{digest}"): api("ceb.submit"),
    # export
    ("GET", "/api/v1/exports/inventories"): api("export.read"),
    ("GET", "/api/v1/exports/status-counts"): api("export.read"),
    ("GET", "/api/v1/exports/held"): api("export.read"),
    ("GET", "/api/v1/exports/inventories/{number}"): api("export.read"),
    ("POST", "/api/v1/exports/inventories/{inventory_no}/decision"): api("export.read", "export.decide"),
    ("GET", "/api/v1/exports/summaries"): api("export.read"),
    ("POST", "/api/v1/exports/summaries/{month}"): api("export.read", "export.decide"),
    ("GET", "/api/v1/exports/reminders"): api("export.read"),
    ("GET", "/api/v1/exports/warehouses"): api("export.read"),
    ("POST", "/api/v1/exports/warehouses"): api("export.read", "export.manage"),
    ("POST", "/api/v1/exports/invoices"): api("export.read", "export.manage"),
    ("PUT", "/api/v1/exports/tax-profiles/{ecommerce_code}"): api("export.read", "export.manage"),
    ("GET", "/api/v1/exports/tax-ledgers/{ecommerce_code}/{period}"): api("export.read"),
    # audit trail and sharing
    ("GET", "/api/v1/audit/verify"): api("audit.trail"),
    ("GET", "/api/v1/audit/records"): api("audit.trail"),
    ("POST", "/api/v1/feeds"): api("feeds.read", "feeds.manage"),
    ("GET", "/api/v1/feeds"): api("feeds.read"),
    ("GET", "/api/v1/feeds/{subscription}"): api("feeds.read"),
    ("POST", "/api/v1/feeds/{subscription}/pause"): api("feeds.read", "feeds.manage"),
    ("POST", "/api/v1/feeds/{subscription}/resume"): api("feeds.read", "feeds.manage"),
    ("GET", "/api/v1/feeds/{subscription}/events"): api("feeds.read"),
    ("GET", "/api/v1/events/schema"): api("reference.read"),
    ("GET", "/api/v1/risk/alerts"): api("risk.read"),
    ("GET", "/api/v1/risk/cases"): api("risk.read"),
    ("GET", "/api/v1/risk/cases/{case_id}"): api("risk.read"),
    ("POST", "/api/v1/risk/cases/{case_id}/actions"): api("risk.manage"),
    ("POST", "/api/v1/risk/cases/{case_id}/actions/{action_id}/decision"): api("risk.manage"),
    ("POST", "/api/v1/risk/cases/{case_id}/snoozes"): api("risk.manage"),
    ("GET", "/api/v1/risk/snoozes"): api("risk.read"),
    ("GET", "/api/v1/risk/review"): api("risk.read"),
    ("GET", "/api/v1/risk/versions"): api("risk.read"),
    ("POST", "/api/v1/risk/versions"): api("risk.manage"),
    ("GET", "/api/v1/risk/versions/{version}"): api("risk.read"),
    ("GET", "/api/v1/risk/versions/{version}/delta"): api("risk.read"),
    ("GET", "/api/v1/risk/versions/{version}/backtest"): api("risk.read"),
    ("POST", "/api/v1/risk/versions/{version}/backtest"): api("risk.manage"),
    ("POST", "/api/v1/risk/versions/{version}/shadow"): api("risk.manage"),
    ("POST", "/api/v1/risk/versions/{version}/publish"): api("risk.manage"),
    ("POST", "/api/v1/risk/versions/{version}/retire"): api("risk.manage"),
    ("GET", "/api/v1/risk/lists"): api("risk.read"),
    ("POST", "/api/v1/risk/lists/{kind}"): api("risk.manage"),
    ("GET", "/api/v1/risk/conditions"): api("risk.read"),
    ("POST", "/api/v1/risk/conditions"): api("risk.manage"),
    ("POST", "/api/v1/risk/conditions/{condition_id}/lift"): api("risk.manage"),
    ("GET", "/api/v1/statistics/catalogue"): api("statistics.read"),
    ("GET", "/api/v1/statistics/indicators"): api("statistics.read"),
    ("GET", "/api/v1/statistics/figures"): api("statistics.read"),
    ("GET", "/api/v1/statistics/breakdown"): api("statistics.read"),
    ("GET", "/api/v1/statistics/hub"): api("statistics.read"),
    ("GET", "/api/v1/statistics/targets"): api("statistics.read"),
    ("PUT", "/api/v1/statistics/targets"): api("statistics.manage"),
    ("GET", "/api/v1/statistics/index/editions"): api("statistics.read"),
    ("POST", "/api/v1/statistics/index/editions"): api("statistics.manage"),
    ("GET", "/api/v1/statistics/index/editions/{label}"): api("statistics.read"),
    ("GET", "/api/v1/statistics/index/editions/{label}/verify"): api("statistics.read"),
    ("GET", "/api/v1/statistics/index/editions/{label}/files/{name}"): api("statistics.read"),
    ("POST", "/api/v1/statistics/b2b/declarations"): api("statistics.manage"),
    ("POST", "/api/v1/statistics/b2b/runs"): api("statistics.manage"),
    ("GET", "/api/v1/statistics/b2b/runs"): api("statistics.read"),
    ("GET", "/api/v1/statistics/b2b/runs/{run_id}"): api("statistics.read"),
    ("GET", "/api/v1/statistics/b2b/figures"): api("statistics.read"),
    ("PUT", "/api/v1/feeds/{subscription}/cursor"): api("feeds.read", "feeds.consume"),
    ("GET", "/api/v1/feeds/{subscription}/dead-letters"): api("feeds.read", "feeds.manage"),
    ("POST", "/api/v1/feeds/{subscription}/replay"): api("feeds.read", "feeds.manage"),
    # sign-in, accounts, keys, delegations, tenants
    ("POST", "/api/v1/session"): PUBLIC,
    ("GET", "/api/v1/session"): SIGNED_IN,
    ("DELETE", "/api/v1/session"): SIGNED_IN,
    ("GET", "/api/v1/accounts/tenants"): api("accounts.read"),
    ("POST", "/api/v1/accounts/tenants"): api("accounts.manage"),
    ("GET", "/api/v1/accounts/users"): api("accounts.read"),
    ("POST", "/api/v1/accounts/users"): api("accounts.manage"),
    ("POST", "/api/v1/accounts/users/{username}/disable"): api("accounts.manage"),
    ("POST", "/api/v1/accounts/users/{username}/enable"): api("accounts.manage"),
    ("GET", "/api/v1/accounts/api-keys"): api("apikeys.own"),
    ("POST", "/api/v1/accounts/api-keys"): api("apikeys.own"),
    ("POST", "/api/v1/accounts/api-keys/{key_id}/revoke"): api("apikeys.own"),
    ("GET", "/api/v1/accounts/delegations"): api("delegations.read"),
    ("POST", "/api/v1/accounts/delegations"): api("delegations.manage"),
    ("POST", "/api/v1/accounts/delegations/{delegation_id}/revoke"): api("delegations.manage"),
    # credit
    ("GET", "/api/v1/credit/subjects/{code}"): api("credit.read"),
    ("POST", "/api/v1/credit/facts"): api("credit.manage"),
    ("POST", "/api/v1/credit/rate"): api("credit.rate"),
    ("POST", "/api/v1/credit/screen"): api("credit.read"),
    ("GET", "/api/v1/credit/subjects/{code}/facts"): api("credit.read"),
    ("GET", "/api/v1/credit/subjects/{code}/evidence"): api("credit.read"),
    ("GET", "/api/v1/credit/evidence/{evidence_id}"): api("credit.read"),
    ("POST", "/api/v1/credit/repairs"): api("credit.read"),
    ("GET", "/api/v1/credit/repairs"): api("credit.read"),
    ("POST", "/api/v1/credit/repairs/{repair_id}/decision"): api("credit.manage"),
    ("POST", "/api/v1/credit/objections"): api("credit.read"),
    ("GET", "/api/v1/credit/objections"): api("credit.read"),
    ("POST", "/api/v1/credit/objections/{objection_id}/decision"): api("credit.manage"),
    ("POST", "/api/v1/credit/overrides"): api("credit.rate"),
    ("GET", "/api/v1/credit/overrides"): api("credit.rate"),
    ("POST", "/api/v1/credit/overrides/{request_id}/decision"): api("credit.rate"),
    ("POST", "/api/v1/credit/daily"): api("credit.rate"),
    ("POST", "/api/v1/credit/uncorrected"): api("credit.manage"),
    ("GET", "/api/v1/credit/uncorrected"): api("credit.manage"),
    ("POST", "/api/v1/credit/uncorrected/{flag_id}/decision"): api("credit.manage"),
    ("GET", "/api/v1/credit/lists"): api("credit.read"),
    ("GET", "/api/v1/credit/measures"): api("credit.read"),
    ("GET", "/api/v1/credit/alerts"): api("credit.manage"),
    ("POST", "/api/v1/credit/alerts/{alert_id}/decision"): api("credit.manage"),
    ("POST", "/api/v1/credit/lists/entries"): api("credit.manage"),
    ("POST", "/api/v1/credit/lists/entries/{fact_id}/end"): api("credit.manage"),
    ("POST", "/api/v1/credit/lists/entries/{fact_id}/correction"): api("credit.manage"),
    ("GET", "/api/v1/credit/lists/requests"): api("credit.manage"),
    ("POST", "/api/v1/credit/lists/requests/{request_id}/decision"): api("credit.manage"),
    ("POST", "/api/v1/credit/thirdparty/reports"): api("credit.manage"),
    ("GET", "/api/v1/credit/thirdparty/reports"): api("credit.manage"),
    ("GET", "/api/v1/credit/thirdparty/reviews"): api("credit.manage"),
    ("POST", "/api/v1/credit/thirdparty/reviews/{task_id}/decision"): api("credit.manage"),
    ("POST", "/api/v1/credit/rulesets"): api("credit.rate"),
    ("GET", "/api/v1/credit/rulesets"): api("credit.rate"),
    ("POST", "/api/v1/credit/rulesets/{proposal_id}/dry-run"): api("credit.rate"),
    ("POST", "/api/v1/credit/rulesets/{proposal_id}/decision"): api("credit.rate"),
    ("GET", "/api/v1/credit/method"): PUBLIC,
    ("POST", "/api/v1/credit/aeo/score"): api("credit.read"),
    ("POST", "/api/v1/credit/aeo/assessments"): api("credit.read"),
    ("GET", "/api/v1/credit/aeo/assessments"): api("credit.read"),
    ("GET", "/api/v1/credit/config"): api("credit.read"),
    ("GET", "/api/v1/credit/config/{kind}/{code}/{version}"): api("credit.read"),
    ("POST", "/api/v1/credit/config"): api("credit.manage"),
    # web pages
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/"): PUBLIC,
    ("GET", "/assets/{name}"): PUBLIC,
    ("GET", "/quota"): PUBLIC,
    ("POST", "/quota"): PUBLIC,
    ("POST", "/quota/report"): PUBLIC,
    ("GET", "/quota/report-status"): PUBLIC,
    ("GET", "/public/credit"): PUBLIC,
    ("GET", "/workspace"): Page(WORKSPACE_ROLES, "clearance.read"),
    ("GET", "/workspace/upload"): Page(WORKSPACE_ROLES, "ceb.submit"),
    ("POST", "/workspace/upload"): Page(WORKSPACE_ROLES, "ceb.submit"),
    ("GET", "/workspace/documents"): Page(WORKSPACE_ROLES, "clearance.read"),
    ("GET", "/workspace/documents/{number}"): Page(WORKSPACE_ROLES, "clearance.read"),
    ("GET", "/workspace/receipts"): Page(WORKSPACE_ROLES, "clearance.read"),
    ("GET", "/workspace/tax-bills"): Page(WORKSPACE_ROLES, "taxbills.read"),
    ("GET", "/workspace/products"): Page(WORKSPACE_ROLES, "products.read"),
    ("POST", "/workspace/products"): Page(WORKSPACE_ROLES, "products.file"),
    ("GET", "/console"): Page(CONSOLE_ROLES, "clearance.read"),
    ("GET", "/console/inventories/{number}"): Page(CONSOLE_ROLES, "clearance.read"),
    ("POST", "/console/inventories/{number}/decision"): Page(CONSOLE_ROLES, "clearance.decide"),
    ("GET", "/console/search"): Page(CONSOLE_ROLES, "clearance.read"),
    ("GET", "/console/enterprises"): Page(CONSOLE_ROLES, "enterprises.read"),
    ("POST", "/console/enterprises/{code}/decision"): Page(CONSOLE_ROLES, "enterprises.decide"),
    ("GET", "/console/reports"): Page(CONSOLE_ROLES, "clearance.read"),
    ("POST", "/console/reports/{reference_no}/review"): Page(ZONE_OFFICE, "clearance.read"),
    ("GET", "/workspace/exports"): Page(WORKSPACE_ROLES, "export.read"),
    ("GET", "/workspace/exports/{number}"): Page(WORKSPACE_ROLES, "export.read"),
    ("GET", "/workspace/export-summaries"): Page(WORKSPACE_ROLES, "export.read"),
    ("GET", "/workspace/export-ledger"): Page(WORKSPACE_ROLES, "export.read"),
    ("GET", "/workspace/export-ledger/file"): Page(WORKSPACE_ROLES, "export.read"),
    ("GET", "/console/exports"): Page(CONSOLE_ROLES, "export.read"),
    ("GET", "/console/exports/{number}"): Page(CONSOLE_ROLES, "export.read"),
    ("POST", "/console/exports/{number}/decision"): Page(CONSOLE_ROLES, "export.decide"),
    ("GET", "/workspace/export-tax"): Page(WORKSPACE_ROLES, "export.read"),
    ("GET", "/workspace/warehouses"): Page(WORKSPACE_ROLES, "export.read"),
    ("GET", "/console/export-tax"): Page(CONSOLE_ROLES, "export.read"),
    ("POST", "/console/export-tax/{code}/profile"): Page(CONSOLE_ROLES, "export.manage"),
    ("POST", "/console/export-tax/{code}/invoices"): Page(CONSOLE_ROLES, "export.manage"),
    ("GET", "/console/warehouses"): Page(CONSOLE_ROLES, "export.read"),
    ("GET", "/console/risk"): Page(CONSOLE_ROLES, "risk.read"),
    ("GET", "/console/risk/cases"): Page(CONSOLE_ROLES, "risk.read"),
    ("GET", "/console/risk/cases/{case_id}"): Page(CONSOLE_ROLES, "risk.read"),
    ("POST", "/console/risk/cases/{case_id}/actions"): Page(CONSOLE_ROLES, "risk.manage"),
    ("POST", "/console/risk/cases/{case_id}/actions/{action_id}"): Page(CONSOLE_ROLES, "risk.manage"),
    ("POST", "/console/risk/cases/{case_id}/snoozes"): Page(CONSOLE_ROLES, "risk.manage"),
    ("GET", "/console/risk/review"): Page(CONSOLE_ROLES, "risk.read"),
    ("GET", "/console/risk/versions"): Page(CONSOLE_ROLES, "risk.read"),
    ("POST", "/console/risk/versions"): Page(CONSOLE_ROLES, "risk.manage"),
    ("POST", "/console/risk/versions/{version}/{action}"): Page(CONSOLE_ROLES, "risk.manage"),
    ("GET", "/console/risk/lists"): Page(CONSOLE_ROLES, "risk.read"),
    ("POST", "/console/risk/lists/{kind}"): Page(CONSOLE_ROLES, "risk.manage"),
    ("GET", "/console/risk/conditions"): Page(CONSOLE_ROLES, "risk.read"),
    ("POST", "/console/risk/conditions"): Page(CONSOLE_ROLES, "risk.manage"),
    ("POST", "/console/risk/conditions/{condition_id}/lift"): Page(CONSOLE_ROLES, "risk.manage"),
    ("GET", "/workspace/credit"): Page(WORKSPACE_ROLES, "credit.read"),
    ("POST", "/workspace/credit/repairs"): Page(WORKSPACE_ROLES, "credit.read"),
    ("POST", "/workspace/credit/objections"): Page(WORKSPACE_ROLES, "credit.read"),
    ("GET", "/console/credit"): Page(CONSOLE_ROLES, "credit.manage"),
    ("POST", "/console/credit/repairs/{repair_id}"): Page(CONSOLE_ROLES, "credit.manage"),
    ("POST", "/console/credit/objections/{objection_id}"): Page(CONSOLE_ROLES, "credit.manage"),
    ("GET", "/console/credit/lists"): Page(CONSOLE_ROLES, "credit.manage"),
    ("POST", "/console/credit/lists/alerts/{alert_id}"): Page(CONSOLE_ROLES, "credit.manage"),
    ("POST", "/console/credit/lists/entries"): Page(CONSOLE_ROLES, "credit.manage"),
    ("GET", "/console/credit/lists/entries/{fact_id}"): Page(CONSOLE_ROLES, "credit.manage"),
    ("POST", "/console/credit/lists/entries/{fact_id}/end"): Page(CONSOLE_ROLES, "credit.manage"),
    ("POST", "/console/credit/lists/entries/{fact_id}/correct"): Page(CONSOLE_ROLES, "credit.manage"),
    ("POST", "/console/credit/lists/requests/{request_id}"): Page(CONSOLE_ROLES, "credit.manage"),
    ("GET", "/console/credit/facts/new"): Page(CONSOLE_ROLES, "credit.manage"),
    ("POST", "/console/credit/facts"): Page(CONSOLE_ROLES, "credit.manage"),
    ("GET", "/console/credit/overrides"): Page(CONSOLE_ROLES, "credit.rate"),
    ("POST", "/console/credit/overrides"): Page(CONSOLE_ROLES, "credit.rate"),
    ("POST", "/console/credit/overrides/{request_id}"): Page(CONSOLE_ROLES, "credit.rate"),
    ("GET", "/console/credit/rulesets"): Page(CONSOLE_ROLES, "credit.rate"),
    ("POST", "/console/credit/rulesets"): Page(CONSOLE_ROLES, "credit.rate"),
    ("POST", "/console/credit/rulesets/{proposal_id}"): Page(CONSOLE_ROLES, "credit.rate"),
    ("GET", "/console/credit/thirdparty"): Page(CONSOLE_ROLES, "credit.manage"),
    ("POST", "/console/credit/thirdparty"): Page(CONSOLE_ROLES, "credit.manage"),
    ("POST", "/console/credit/thirdparty/reviews/{task_id}"): Page(CONSOLE_ROLES, "credit.manage"),
    ("GET", "/console/credit/evidence/{evidence_id}"): Page(CONSOLE_ROLES, "credit.manage"),
    ("GET", "/workspace/credit/evidence/{evidence_id}"): Page(WORKSPACE_ROLES, "credit.read"),
    ("GET", "/console/credit/uncorrected"): Page(CONSOLE_ROLES, "credit.manage"),
    ("POST", "/console/credit/uncorrected"): Page(CONSOLE_ROLES, "credit.manage"),
    ("POST", "/console/credit/uncorrected/{flag_id}"): Page(CONSOLE_ROLES, "credit.manage"),
    ("GET", "/console/credit/aeo"): Page(CONSOLE_ROLES, "credit.read"),
    ("POST", "/console/credit/aeo"): Page(CONSOLE_ROLES, "credit.read"),
    ("GET", "/public/credit/method"): PUBLIC,
    ("GET", "/dashboard"): Page(DASHBOARD_ROLES),
    ("GET", "/dashboard/targets"): Page(DASHBOARD_ROLES),
    ("POST", "/dashboard/targets"): Page(ZONE_OFFICE),
    ("GET", "/dashboard/figures"): Page(DASHBOARD_ROLES, "statistics.read"),
    ("GET", "/dashboard/figures/file"): Page(DASHBOARD_ROLES, "statistics.read"),
    ("GET", "/dashboard/plan"): Page(DASHBOARD_ROLES, "statistics.read"),
    ("POST", "/dashboard/plan"): Page(ZONE_OFFICE, "statistics.manage"),
    ("GET", "/dashboard/index"): Page(DASHBOARD_ROLES, "statistics.read"),
    ("POST", "/dashboard/index"): Page(ZONE_OFFICE, "statistics.manage"),
    ("GET", "/dashboard/index/{label}"): Page(DASHBOARD_ROLES, "statistics.read"),
    ("GET", "/dashboard/index/{label}/files/{name}"): Page(DASHBOARD_ROLES, "statistics.read"),
    ("GET", "/dashboard/reports"): Page(DASHBOARD_ROLES, "statistics.read"),
    ("POST", "/dashboard/reports"): Page(ZONE_OFFICE, "statistics.manage"),
    ("GET", "/dashboard/reports/{report_id}"): Page(DASHBOARD_ROLES, "statistics.read"),
    ("GET", "/dashboard/surveys"): Page(DASHBOARD_ROLES, "statistics.read"),
    ("POST", "/dashboard/surveys"): Page(ZONE_OFFICE, "statistics.manage"),
    ("POST", "/dashboard/surveys/{code}/{step}"): Page(ZONE_OFFICE, "statistics.manage"),
    ("GET", "/workspace/surveys"): Page(WORKSPACE_ROLES),
    ("POST", "/workspace/surveys/{code}"): Page(WORKSPACE_ROLES),
}

# Pages that check roles and permissions inside their handler (cbec.web.access.admit) instead of a guard()
# dependency: the enterprise workspace, whose handlers scope every query by the principal. Move them to guard().
# Routes that admit their callers inside the handler instead of by a declared guard: none (keep it so).
ADMITTED_INSIDE: frozenset[tuple[str, str]] = frozenset()

# The callers: role, and agency / enterprise / tenant of the account.
CALLERS: dict[str, dict[str, str]] = {
    "zone_admin": {"role": "zone_admin"},
    "city_admin": {"role": "zone_admin", "tenant": CITY},
    "customs": {"role": "agency_officer", "agency": "customs"},
    "city_customs": {"role": "agency_officer", "agency": "customs", "tenant": CITY},
    "tax": {"role": "agency_officer", "agency": "tax"},
    "fx": {"role": "agency_officer", "agency": "fx"},
    "market": {"role": "agency_officer", "agency": "market"},
    "post": {"role": "agency_officer", "agency": "post"},
    "commerce": {"role": "agency_officer", "agency": "commerce"},
    "auditor": {"role": "auditor"},
    "shop_a": {"role": "enterprise_user", "enterprise_code": PARTIES.ecommerce.code},
    "shop_b": {"role": "enterprise_user", "enterprise_code": SHOP_B.code},
    "agent": {"role": "declaring_agent", "enterprise_code": PARTIES.agent.code},
    "consumer": {"role": "consumer"},
}
ANONYMOUS = "anonymous"


def holds(caller: str, permissions: frozenset[str]) -> bool:
    spec = CALLERS[caller]
    granted = {p.value for p in permissions_for(spec["role"], spec.get("agency"))}
    return permissions <= granted


@dataclass(frozen=True)
class Call:
    """One request and its exact answer for each caller allowed through the guard (others: 401/403/303)."""

    url: str
    ok: int
    json: Any = None
    content: bytes | None = None
    per_caller: dict[str, int] = field(default_factory=dict)

    def expected(self, caller: str) -> int:
        return self.per_caller.get(caller, self.ok)


@dataclass
class World:
    """The test zone, enterprise B at the Zhengzhou sub-platform, their filings, products and inventories."""

    app: FastAPI
    keys: dict[str, str]
    ids: dict[str, Any]


def file_shop_b(zone: Zone) -> None:
    ctx = zone.ctx
    create_tenant(ctx, TenantCreate(path=CITY, name="郑州分平台"), actor="test")
    filed = file_enterprise(
        ctx,
        EnterpriseCreate(
            uscc=make_uscc("91410100MA5T00098"),
            customs_code=SHOP_B.code,
            name=SHOP_B.name,
            dxp_id=SHOP_B.dxp_id,
            roles=["ecommerce_enterprise", "tax_guarantor"],
            zone=CITY,
        ),
    )
    approve_enterprise(ctx, filed.id, reason="资料齐全", actor="zone-office")
    serum = file_product(ctx, product(SHOP_B.code))
    approve_product(ctx, serum.id, reason="备案通过", actor="zone-office")
    register_certificate(ctx, SHOP_B.code, zone.signer.certificate_der(), actor="zone-office")


def declare(zone: Zone, parties: Parties, order_no: str) -> None:
    s = build_set(parties, BUYER, [(MILK, Decimal(1))], order_no=order_no, logistics_no=f"L{order_no}", at=AT)
    zone.send([s.order], parties.ecommerce)
    zone.send([s.payment], parties.payment)
    zone.send([s.waybill], parties.logistics)
    zone.send([s.inventory], parties.agent)


@pytest.fixture
def world(zone: Zone) -> World:
    """Build the world and one API key per caller."""
    file_shop_b(zone)
    declare(zone, PARTIES, "ORD20260302000001")
    b_parties = Parties(
        platform=PARTIES.platform,
        ecommerce=SHOP_B,
        payment=PARTIES.payment,
        logistics=PARTIES.logistics,
        agent=PARTIES.agent,
        site_operator=PARTIES.site_operator,
    )
    declare(zone, b_parties, "ORD20260302000002")
    ctx = zone.ctx
    inventories = {i.ecommerce_code: i for i in search_inventories(ctx, limit=10)[0]}
    assert set(inventories) == {PARTIES.ecommerce.code, SHOP_B.code}
    assert all(i.inventory_no for i in inventories.values())
    products = {p.owner_code: p.id for p in list_products(ctx).items}
    ids = {
        "ent_a": get_enterprise(ctx, PARTIES.ecommerce.code).id,
        "ent_b": get_enterprise(ctx, SHOP_B.code).id,
        "prd_a": products[PARTIES.ecommerce.code],
        "prd_b": products[SHOP_B.code],
        "inv_a": inventories[PARTIES.ecommerce.code].inventory_no,
        "inv_b": inventories[SHOP_B.code].inventory_no,
        "valid_to": (ctx.clock.now() + timedelta(days=30)).isoformat(),
    }
    keys = {name: key_for(ctx, username=f"caller-{name}".replace("_", "-"), **spec) for name, spec in CALLERS.items()}  # type: ignore[arg-type]
    return World(create_app(ctx), keys, ids)


def calls(ids: dict[str, Any]) -> dict[tuple[str, str], list[Call]]:
    """Return the exact calls of the routes whose answers this test knows, by route."""
    a_only = {"city_admin": 404, "city_customs": 404, "shop_b": 404, "agent": 404}  # A is at the hub
    b_only = {"shop_a": 404, "agent": 404}  # B is at the city: hub and city officers see it
    inv_a = {"city_admin": 404, "city_customs": 404, "shop_b": 404}  # the agent is a party to both inventories
    inv_b = {"shop_a": 404}
    reason = {"reason": ""}
    delegation = {"agent_code": PARTIES.agent.code, "scopes": [], "valid_to": ids["valid_to"]}
    bad_product = product(PARTIES.ecommerce.code, hs_code="9999999999").model_dump(mode="json")
    e, p = "/api/v1/enterprises", "/api/v1/products"
    return {
        ("GET", "/healthz"): [Call("/healthz", 200)],
        ("GET", "/openapi.json"): [Call("/openapi.json", 200)],
        ("GET", "/api/v1/reference/goods/{hs_code}"): [Call("/api/v1/reference/goods/3304990099", 200)],
        ("GET", "/api/v1/reference/{table}"): [Call("/api/v1/reference/trade_mode", 200)],
        ("POST", e): [Call(e, 422, json={"uscc": "x"})],
        ("GET", e): [Call(e, 200)],
        ("GET", e + "/{enterprise_id}"): [
            Call(f"{e}/{ids['ent_a']}", 200, per_caller=a_only),
            Call(f"{e}/{ids['ent_b']}", 200, per_caller=b_only),
        ],
        ("GET", e + "/{enterprise_id}/audit"): [
            Call(f"{e}/{ids['ent_a']}/audit", 200, per_caller=a_only),
            Call(f"{e}/{ids['ent_b']}/audit", 200, per_caller=b_only),
        ],
        ("POST", e + "/{enterprise_id}/approve"): [
            Call(f"{e}/{ids['ent_a']}/approve", 409, json=reason, per_caller=a_only),
            Call(f"{e}/{ids['ent_b']}/approve", 409, json=reason),
        ],
        ("POST", e + "/{enterprise_id}/suspend"): [
            Call(f"{e}/{ids['ent_a']}/suspend", 422, json=reason, per_caller=a_only)
        ],
        ("POST", e + "/{enterprise_id}/reinstate"): [
            Call(f"{e}/{ids['ent_a']}/reinstate", 409, json=reason, per_caller=a_only)
        ],
        ("POST", e + "/{enterprise_id}/revoke"): [Call(f"{e}/{ids['ent_b']}/revoke", 422, json=reason)],
        ("POST", p): [Call(p, 422, json=bad_product, per_caller={"city_admin": 403, "shop_b": 403, "agent": 403})],
        ("GET", p): [Call(p, 200)],
        ("GET", p + "/{product_id}"): [
            Call(f"{p}/{ids['prd_a']}", 200, per_caller=a_only),
            Call(f"{p}/{ids['prd_b']}", 200, per_caller=b_only),
        ],
        ("GET", p + "/{product_id}/audit"): [
            Call(f"{p}/{ids['prd_a']}/audit", 200, per_caller=a_only),
            Call(f"{p}/{ids['prd_b']}/audit", 200, per_caller=b_only),
        ],
        ("POST", p + "/{product_id}/approve"): [Call(f"{p}/{ids['prd_b']}/approve", 409, json=reason)],
        ("POST", p + "/{product_id}/revoke"): [Call(f"{p}/{ids['prd_a']}/revoke", 422, json=reason, per_caller=a_only)],
        ("POST", "/api/v1/quota/query"): [
            Call("/api/v1/quota/query", 404, json={"id_number": "110105198001011238", "name": "张三"})
        ],
        ("GET", "/api/v1/clearance/inventories"): [Call("/api/v1/clearance/inventories", 200)],
        ("GET", "/api/v1/clearance/held"): [Call("/api/v1/clearance/held", 200)],
        ("GET", "/api/v1/clearance/tax-bills"): [Call("/api/v1/clearance/tax-bills", 200)],
        ("GET", "/api/v1/clearance/inventories/{number}"): [
            Call(f"/api/v1/clearance/inventories/{ids['inv_a']}", 200, per_caller=inv_a),
            Call(f"/api/v1/clearance/inventories/{ids['inv_b']}", 200, per_caller=inv_b),
        ],
        ("POST", "/api/v1/clearance/inventories/{inventory_no}/decision"): [
            Call(
                f"/api/v1/clearance/inventories/{ids['inv_a']}/decision",
                409,  # not held
                json={"action": "release", "comment": "核对无误"},
                per_caller=inv_a,
            )
        ],
        ("POST", "/api/v1/clearance/returns/{return_id}/arrival"): [
            Call("/api/v1/clearance/returns/999999/arrival", 404, json={})
        ],
        ("POST", "/api/v1/clearance/jobs/daily"): [
            Call("/api/v1/clearance/jobs/daily", 200, per_caller={"city_admin": 403})  # the hub's (AUTH-SCOPE)
        ],
        ("GET", "/api/v1/audit/verify"): [Call("/api/v1/audit/verify", 200, per_caller={"city_admin": 403})],
        # entity conditions are zone-wide: a city's officers are refused (AUTH-SCOPE), as for loading lists
        ("GET", "/api/v1/risk/conditions"): [
            Call("/api/v1/risk/conditions", 200, per_caller={"city_admin": 403, "city_customs": 403})
        ],
        ("GET", "/console/risk/conditions"): [
            Call("/console/risk/conditions", 200, per_caller={"city_admin": 403, "city_customs": 403})
        ],
        ("GET", "/api/v1/audit/records"): [Call("/api/v1/audit/records", 200)],
        ("POST", "/ceb"): [Call("/ceb", 422, content=b"<not-ceb/>")],
        ("GET", "/ceb/answers/{digest}"): [Call(f"/ceb/answers/{'0' * 64}", 404)],  # no intake stream here
        ("POST", "/api/v1/session"): [Call("/api/v1/session", 422, json={"username": "nobody"})],  # not throttled
        ("GET", "/api/v1/session"): [Call("/api/v1/session", 200)],
        ("DELETE", "/api/v1/session"): [Call("/api/v1/session", 200)],
        ("GET", "/api/v1/accounts/tenants"): [Call("/api/v1/accounts/tenants", 200)],
        ("POST", "/api/v1/accounts/tenants"): [Call("/api/v1/accounts/tenants", 422, json={"path": "x", "name": "x"})],
        ("GET", "/api/v1/accounts/users"): [Call("/api/v1/accounts/users", 200)],
        ("POST", "/api/v1/accounts/users"): [
            Call("/api/v1/accounts/users", 422, json={"username": "X Y", "role": "consumer"})
        ],
        ("POST", "/api/v1/accounts/users/{username}/disable"): [Call("/api/v1/accounts/users/nobody/disable", 404)],
        ("POST", "/api/v1/accounts/users/{username}/enable"): [Call("/api/v1/accounts/users/nobody/enable", 404)],
        ("GET", "/api/v1/accounts/api-keys"): [Call("/api/v1/accounts/api-keys", 200)],
        ("POST", "/api/v1/accounts/api-keys"): [Call("/api/v1/accounts/api-keys", 422, json={"label": ""})],
        ("POST", "/api/v1/accounts/api-keys/{key_id}/revoke"): [Call("/api/v1/accounts/api-keys/999999/revoke", 404)],
        ("GET", "/api/v1/accounts/delegations"): [Call("/api/v1/accounts/delegations", 200)],
        ("POST", "/api/v1/accounts/delegations"): [
            Call(
                "/api/v1/accounts/delegations",
                422,
                json={**delegation, "grantor_code": PARTIES.ecommerce.code},
                per_caller={"city_admin": 403, "shop_b": 403, "agent": 403},
            )
        ],
        ("POST", "/api/v1/accounts/delegations/{delegation_id}/revoke"): [
            Call("/api/v1/accounts/delegations/999999/revoke", 404, json={"reason": "x"})
        ],
        ("GET", "/login"): [Call("/login", 200)],
        ("POST", "/login"): [Call("/login", 403)],
        ("POST", "/logout"): [Call("/logout", 303)],
        ("GET", "/"): [Call("/", 200)],
    }


def route_table(app: FastAPI) -> Iterator[tuple[str, str, frozenset[str], frozenset[str] | None]]:
    """Yield (method, path, permissions its dependencies check, roles its page guard admits or None) of every
    route of the application."""
    for route in iter_route_contexts(app.routes):
        found: set[str] = set()
        roles: frozenset[str] | None = None
        stack = [getattr(route, "dependant", None)]
        while stack:
            dependant = stack.pop()
            if dependant is None:
                continue
            for sub in dependant.dependencies:
                found |= permissions_of(sub.call) or set()
                roles = roles_of(sub.call) or roles
                stack.append(sub)
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            yield method, str(route.path), frozenset(found), roles


def placeholder_url(path: str) -> str:
    """Fill path parameters with a value no record has."""
    parts = [("1" if part.startswith("{") and part.endswith("}") else part) for part in path.split("/")]
    return "/".join(parts)


def test_every_route_is_declared(ctx) -> None:  # type: ignore[no-untyped-def]
    app = create_app(ctx)
    table = {(method, path): (permissions, roles) for method, path, permissions, roles in route_table(app)}
    undeclared = sorted(set(table) - set(ROUTES))
    assert undeclared == [], f"declare these routes in ROUTES and docs/access-control.md: {undeclared}"
    assert sorted(set(ROUTES) - set(table)) == [], "ROUTES lists routes the application no longer has"
    for key, access in ROUTES.items():
        permissions, roles = table[key]
        expected = access.permissions if isinstance(access, Api | Page) else frozenset()
        assert permissions == expected, f"{key} checks {sorted(permissions)}, the matrix says {sorted(expected)}"
        if isinstance(access, Page) and key not in ADMITTED_INSIDE:
            assert roles == access.roles, f"{key} admits {sorted(roles or ())}, the matrix says {sorted(access.roles)}"
        elif key not in ADMITTED_INSIDE:
            assert roles is None, f"{key} has a page guard but is declared {access}"
        guarded = bool(permissions) or roles is not None or key in ADMITTED_INSIDE
        assert guarded or isinstance(access, Public | SignedIn), f"{key} has no guard and is not declared public"


def test_an_unguarded_route_fails_the_declaration(ctx) -> None:  # type: ignore[no-untyped-def]
    """A new page or API route without a guard and without a ROUTES line is caught."""
    app = create_app(ctx)

    @app.get("/console/new-page")
    def new_page() -> dict[str, str]:
        return {}

    declared = {(method, path) for method, path, _, _ in route_table(app)}
    assert sorted(declared - set(ROUTES)) == [("GET", "/console/new-page")]


def expected_status(access: Public | Api | Page | SignedIn, caller: str, call: Call | None) -> int | None:
    """Return the exact status a caller gets, or None when it only must get through the guard."""
    if caller == ANONYMOUS:
        if isinstance(access, Public):
            return call.expected(caller) if call else None
        return 303 if isinstance(access, Page) else 401
    role = CALLERS[caller]["role"]
    if isinstance(access, Api) and not holds(caller, access.permissions):
        return 403
    if isinstance(access, Page) and (role not in access.roles or not holds(caller, access.permissions)):
        return 403
    return call.expected(caller) if call else None


def test_every_route_for_every_caller(world: World) -> None:
    known = calls(world.ids)
    failures: list[str] = []
    for (method, path), access in ROUTES.items():
        route_calls = known.get((method, path)) or [Call(placeholder_url(path), 0)]
        for call in route_calls:
            exact = (method, path) in known
            for caller in [ANONYMOUS, *CALLERS]:
                want = expected_status(access, caller, call if exact else None)
                if want is None and (method != "GET" or exact):
                    continue  # a foreign route that changes things: only its guard is checked
                if want is None and isinstance(access, Public) and method != "GET":
                    continue
                headers = {"Authorization": f"Bearer {world.keys[caller]}"} if caller != ANONYMOUS else {}
                client = TestClient(world.app, headers=headers, follow_redirects=False, raise_server_exceptions=False)
                response = client.request(method, call.url, json=call.json, content=call.content)
                got = response.status_code
                if want is None:
                    if got in (401, 403) or (isinstance(access, Page) and got == 303):
                        failures.append(f"{caller} {method} {call.url}: {got}, expected to get through")
                elif got != want:
                    failures.append(f"{caller} {method} {call.url}: {got}, expected {want}")
                elif want == 303 and isinstance(access, Page):
                    assert response.headers["location"].startswith("/login?next=")
    assert failures == []


def test_enterprise_lists_hold_only_their_own_documents(world: World) -> None:
    def get(caller: str, url: str) -> Any:
        client = TestClient(world.app, headers={"Authorization": f"Bearer {world.keys[caller]}"})
        response = client.get(url)
        assert response.status_code == 200
        return response.json()

    def ecommerce_codes(caller: str) -> list[str]:
        return sorted(i["ecommerce_code"] for i in get(caller, "/api/v1/clearance/inventories")["items"])

    assert ecommerce_codes("shop_a") == [PARTIES.ecommerce.code]
    assert ecommerce_codes("shop_b") == [SHOP_B.code]
    assert ecommerce_codes("agent") == [PARTIES.ecommerce.code, SHOP_B.code]
    assert ecommerce_codes("city_customs") == [SHOP_B.code]
    assert ecommerce_codes("customs") == [PARTIES.ecommerce.code, SHOP_B.code]
    assert [e["customs_code"] for e in get("shop_b", "/api/v1/enterprises")["items"]] == [SHOP_B.code]
    assert [e["customs_code"] for e in get("city_admin", "/api/v1/enterprises")["items"]] == [SHOP_B.code]
    assert len(get("tax", "/api/v1/enterprises")["items"]) == 7
    assert [p["owner_code"] for p in get("shop_a", "/api/v1/products")["items"]] == [PARTIES.ecommerce.code]
    assert get("shop_b", "/api/v1/clearance/inventories?ecommerce_code=" + PARTIES.ecommerce.code)["total"] == 0
