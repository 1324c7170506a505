"""Helpers of the web portal tests: accounts, signed-in clients, and CEB message files made with the demo builders."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.builders import AT, PARTIES, a_set
from tests.zone import Zone

from cbec.accounts.schemas import AccountCreate
from cbec.accounts.service import create_account, sign_in
from cbec.api.app import create_app
from cbec.demo.builders import DocumentSet, Party, build_arrival, build_message, with_changes
from cbec.messages import ImportDocument, render_message, seal_envelope
from cbec.messages.signature import sign_document

PASSWORD = "Web-portal-2026"
BILL = "MAWB20260302001"
USERS: dict[str, tuple[str, dict[str, str]]] = {
    "shop": ("enterprise_user", {"enterprise_code": PARTIES.ecommerce.code}),
    "payer": ("enterprise_user", {"enterprise_code": PARTIES.payment.code}),
    "agent": ("declaring_agent", {"enterprise_code": PARTIES.agent.code}),
    "officer": ("agency_officer", {"agency": "customs"}),
    "taxman": ("agency_officer", {"agency": "tax"}),
    "admin": ("zone_admin", {}),
    "auditor": ("auditor", {}),
    "consumer": ("consumer", {}),
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def create_user(zone: Zone, username: str) -> None:
    """Create one of the USERS accounts (the password is PASSWORD)."""
    role, extra = USERS[username]
    create_account(
        zone.ctx,
        AccountCreate(username=username, role=role, password=PASSWORD, display_name=username.title(), **extra),
        actor="test",
    )


@dataclass
class Portal:
    """The application of a test zone, with its accounts."""

    zone: Zone
    app: FastAPI = field(init=False)
    users: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.app = create_app(self.zone.ctx)

    def user(self, username: str) -> str:
        """Create the account of one of USERS on first use; return its name."""
        if username not in self.users:
            create_user(self.zone, username)
            self.users.add(username)
        return username

    def client(self, username: str | None = None, *, lang: str | None = None) -> TestClient:
        """Return a client signed in as one of USERS (anonymous when None)."""
        client = TestClient(self.app)
        if username is not None:
            signed = sign_in(self.zone.ctx, self.user(username), PASSWORD, client="testclient")
            client.cookies.set("cbec_session", signed.token)
        if lang is not None:
            client.cookies.set("lang", lang)
        return client


def csrf_of(html: str) -> str:
    """Return the anti-forgery token a page put in its forms."""
    found = CSRF.search(html)
    assert found is not None, "the page has no csrf_token field"
    return found.group(1)


def signed(zone: Zone, documents: list[ImportDocument], sender: Party) -> bytes:
    """Render documents as one CEB message signed by the zone's test identity."""
    return sign_document(render_message(build_message(documents, sender)), zone.signer)


def released_set(order_no: str) -> DocumentSet:
    """Return a matching 9610 set that will be released once its parcel arrives."""
    return a_set(order_no, bill_no=BILL)


def mismatched_set(order_no: str) -> DocumentSet:
    """Return a set whose payment is 10 yuan short of the order (CEB-M3)."""
    good = a_set(order_no, bill_no=BILL)
    payment = with_changes(good.payment, amount_paid=good.payment.amount_paid - Decimal("10"))
    return DocumentSet(good.order, payment, good.waybill, good.inventory)  # type: ignore[arg-type]


def send_sets(zone: Zone, sets: list[DocumentSet], *, arrive: bool = True) -> None:
    """Send the sets' orders, payments, waybills and inventories as four messages, then the arrival."""
    zone.send([s.order for s in sets], PARTIES.ecommerce)
    zone.send([s.payment for s in sets], PARTIES.payment)
    zone.send([s.waybill for s in sets], PARTIES.logistics)
    zone.send([s.inventory for s in sets], PARTIES.agent)
    if arrive:
        zone.send(
            [build_arrival(PARTIES, [s.waybill.logistics_no for s in sets], bill_no=BILL, at=AT)], PARTIES.site_operator
        )


def batch_files(zone: Zone, folder: Path, sets: list[DocumentSet]) -> list[Path]:
    """Write an upload batch transmitted by the declaring agent for every party (it holds their mandates, see
    delegate_to_agent): orders (XML), payments (DxpMsg), waybills and inventories (zip), arrival (XML)."""
    delegate_to_agent(zone)
    agent = PARTIES.agent
    folder.mkdir(parents=True, exist_ok=True)
    orders = folder / "01-orders.xml"
    orders.write_bytes(signed(zone, [s.order for s in sets], agent))
    payments = folder / "02-payments-dxp.xml"
    payments.write_bytes(
        seal_envelope(
            signed(zone, [s.payment for s in sets], agent),
            message_type="CEB411Message",
            sender_id=agent.dxp_id,
            created_at=AT,
        )
    )
    archive = folder / "03-waybills-and-inventories.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("a-waybills.xml", signed(zone, [s.waybill for s in sets], agent))
        bundle.writestr("b-inventories.xml", signed(zone, [s.inventory for s in sets], agent))
    arrival = folder / "04-arrival.xml"
    arrival.write_bytes(
        signed(zone, [build_arrival(PARTIES, [s.waybill.logistics_no for s in sets], bill_no=BILL, at=AT)], agent)
    )
    return [orders, payments, archive, arrival]


def delegate_to_agent(zone: Zone) -> None:
    """Let the declaring agent transmit messages (ceb.submit) for the e-commerce enterprise, the payment and
    logistics companies and the supervised-site operator (委托申报), once."""
    from cbec.accounts.schemas import DelegationCreate
    from cbec.accounts.service import grant_delegation, list_delegations

    if list_delegations(zone.ctx):
        return
    for grantor in (PARTIES.ecommerce, PARTIES.payment, PARTIES.logistics, PARTIES.site_operator):
        grant_delegation(
            zone.ctx,
            DelegationCreate(agent_code=PARTIES.agent.code, scopes=["ceb.submit"], valid_to=AT + timedelta(days=365)),
            grantor_code=grantor.code,
            actor="test",
        )
