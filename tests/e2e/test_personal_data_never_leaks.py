"""No ID number, phone, name or address appears in clear in any log line or default API answer (PIPL).

A demo-sized day (2 000 buyers, 1 000 orders, every fault) runs through intake with every logger at DEBUG;
then every GET route of the REST API is called and every JSON answer is read. A smaller day runs again with
SQLAlchemy's statement log (SQL and parameters) on. Personal values are generated (Faker buyers, the demo's
contacts), so the scan knows each one exactly.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import select
from tests.api.auth import client_for

from cbec.api.app import create_app
from cbec.clearance.models import InventoryRecord, OrderRecord
from cbec.common.clock import business_date
from cbec.demo.generator import DemoOptions, run_demo
from cbec.demo.people import make_buyers, wrong_checksum
from cbec.demo.zone import ENTERPRISES
from cbec.enterprises.models import Enterprise
from cbec.products.models import Product
from cbec.sharing.schemas import SubscriptionCreate
from cbec.sharing.service import create_subscription
from cbec.storage.context import Context

DEMO = DemoOptions()  # the demo's own size: 2 000 buyers, 1 000 orders
SMALL = DemoOptions(buyers=200, orders=150, seed=7)  # still every fault
ID_NUMBER = re.compile(r"(?=(\d{17}[\dXx]))")
PHONE = re.compile(r"(?=(1\d{10}))")
QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
CJK = re.compile(r"[\u4e00-\u9fff]+")


@dataclass
class Secrets:
    """Every personal value the run handled, and where any of them was found in clear."""

    id_numbers: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)
    found: list[str] = field(default_factory=list)

    def scan_text(self, where: str, text: str) -> None:
        """Look for personal values anywhere in free text (log lines)."""
        for match in ID_NUMBER.findall(text):
            if match.upper() in self.id_numbers:
                self.found.append(f"{where}: ID number {match}")
        for match in PHONE.findall(text):
            if match in self.phones:
                self.found.append(f"{where}: phone {match}")
        for quoted in QUOTED.findall(text):
            self.scan_value(where, quoted[0] or quoted[1])
        runs = CJK.findall(text)
        # A name is looked for inside short runs of Chinese text (a message that embeds it); long runs are
        # descriptions from reference data (an HS code's "白黄柳安木" is not the buyer 黄柳).
        names = {run[i : i + n] for run in runs if len(run) <= 12 for n in (2, 3, 4) for i in range(len(run) - n + 1)}
        for name in self.names & names:
            self.found.append(f"{where}: name {name}")
        prefixes = {run[i : i + 8] for run in runs for i in range(len(run) - 7)}
        for address in self.addresses:
            if address[:8] in prefixes:  # a masked address shows 6 characters at most
                self.found.append(f"{where}: address {address}")
        for phone in (p for p in self.phones if not p.isdigit() and p in text):
            self.found.append(f"{where}: phone {phone}")

    def scan_value(self, where: str, value: str) -> None:
        """Look at one string value of a JSON answer or a quoted log parameter."""
        if value in self.names or value in self.addresses or value in self.phones or value.upper() in self.id_numbers:
            self.found.append(f"{where}: {value}")
            return
        for match in ID_NUMBER.findall(value):
            if match.upper() in self.id_numbers:
                self.found.append(f"{where}: ID number in {value!r}")
        for match in PHONE.findall(value):
            if match in self.phones:
                self.found.append(f"{where}: phone in {value!r}")

    def scan_json(self, where: str, value: Any) -> None:
        """Walk a JSON answer and look at every string in it."""
        for text in _strings(value):
            self.scan_value(where, text)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def personal_values(ctx: Context, options: DemoOptions) -> Secrets:
    """Return the buyers the demo generated (and their mistyped ID numbers) and the enterprises' contacts."""
    secrets = Secrets()
    for buyer in make_buyers(options.buyers, seed=options.seed, today=business_date(ctx.clock.now())):
        secrets.id_numbers |= {buyer.id_number.upper(), wrong_checksum(buyer.id_number)}
        secrets.phones.add(buyer.phone)
        secrets.names.add(buyer.name)
        secrets.addresses.add(buyer.address)
    for enterprise in ENTERPRISES:
        secrets.names.add(enterprise.contact_name)
        secrets.phones.add(enterprise.contact_phone)
    return secrets


def path_values(ctx: Context) -> dict[str, str]:
    """Return a real value for each path parameter name of the API."""
    with ctx.uow() as uow:
        session = uow.session
        inventory = session.scalars(
            select(InventoryRecord).where(InventoryRecord.status == "800").order_by(InventoryRecord.id)
        ).first()
        order = session.scalars(select(OrderRecord).order_by(OrderRecord.id)).first()
        enterprise = session.scalars(select(Enterprise).order_by(Enterprise.id)).first()
        product = session.scalars(select(Product).order_by(Product.id)).first()
        assert inventory is not None and order is not None and enterprise is not None and product is not None
        return {
            "number": inventory.inventory_no or "",
            "inventory_no": inventory.inventory_no or "",
            "eport_no": inventory.eport_no,
            "platform_code": order.platform_code,
            "order_no": order.order_no,
            "key": enterprise.customs_code,
            "enterprise_id": str(enterprise.id),
            "code": enterprise.customs_code,
            "product_id": str(product.id),
            "subscription": "customs-all",
        }


def get_routes(app: FastAPI) -> list[str]:
    """Return the paths of every GET route of the REST API."""
    return sorted(
        {
            str(route.path)
            for route in iter_route_contexts(app.routes)
            if "GET" in (route.methods or set()) and str(route.path).startswith("/api/")
        }
    )


def scan_logs(secrets: Secrets, records: list[logging.LogRecord]) -> None:
    """Scan every captured log line (at least one per message ingested)."""
    lines = [record.getMessage() for record in records]
    assert any("CEB621Message" in line for line in lines)
    for number, line in enumerate(lines):
        secrets.scan_text(f"log line {number} ({records[number].name})", line)


@pytest.mark.slow
def test_no_personal_data_in_sql_statement_logs(ctx: Context, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")  # every statement, its parameters and rows
    run_demo(ctx, SMALL)
    caplog.set_level(logging.WARNING, logger="sqlalchemy.engine")
    secrets = personal_values(ctx, SMALL)
    assert len(caplog.records) > 10_000
    scan_logs(secrets, caplog.records)
    assert secrets.found == [], json.dumps(secrets.found[:20], ensure_ascii=False)


@pytest.mark.slow
def test_no_personal_data_in_logs_or_default_api_answers(ctx: Context, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    report = run_demo(ctx, DEMO)
    assert report.failures == []
    secrets = personal_values(ctx, DEMO)
    assert len(secrets.id_numbers) == 2 * DEMO.buyers
    scan_logs(secrets, caplog.records)

    create_subscription(
        ctx, SubscriptionCreate(name="customs-all", subscriber_kind="agency", subscriber_code="customs")
    )
    values = path_values(ctx)
    routes = get_routes(create_app(ctx))
    answered: list[str] = []
    for role, account in (("zone_admin", {}), ("agency_officer", {"agency": "customs"})):
        client = client_for(ctx, role, **account)
        for route in routes:
            names = re.findall(r"{(\w+)}", route)
            if any(name not in values for name in names):
                continue
            url = route.format(**{name: values[name] for name in names})
            response = client.get(url)
            if response.headers.get("content-type", "").startswith("application/json"):
                secrets.scan_json(f"{role} GET {url} ({response.status_code})", response.json())
                if response.status_code == 200:
                    answered.append(route)
    for wanted in (
        "/api/v1/clearance/inventories",
        "/api/v1/clearance/inventories/{number}",
        "/api/v1/orders/{platform_code}/{order_no}/flows",
        "/api/v1/feeds/{subscription}/events",
        "/api/v1/audit/records",
        "/api/v1/enterprises/{enterprise_id}",
    ):
        assert wanted in answered, wanted
    assert secrets.found == [], json.dumps(secrets.found[:20], ensure_ascii=False)


def test_the_scan_finds_personal_values_in_clear_and_passes_masked_ones() -> None:
    secrets = Secrets(
        id_numbers={"11010519491231002X"},
        phones={"13800138000"},
        names={"黄柳"},
        addresses={"海南省海口市美兰区国兴大道1号"},
    )
    secrets.scan_text(
        "masked", "buyer 黄* 110105********002X 138****8000 海南省海口市******** 白黄柳安木等木材用于家具制造的各种木"
    )
    secrets.scan_json("masked", {"buyer_name": "黄*", "phone": "138****8000"})
    assert secrets.found == []
    secrets.scan_text("log", "refused: 订购人黄柳不一致 (11010519491231002x)")
    secrets.scan_text("sql", "('U13800138000', '海南省海口市美兰区国兴大道1号')")
    secrets.scan_json("json", {"items": [{"consignee": "黄柳"}]})
    assert secrets.found == [
        "log: ID number 11010519491231002x",
        "log: name 黄柳",
        "sql: phone 13800138000",
        "sql: phone in 'U13800138000'",
        "sql: 海南省海口市美兰区国兴大道1号",
        "sql: address 海南省海口市美兰区国兴大道1号",
        "json: 黄柳",
    ]
