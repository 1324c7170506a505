"""Party authority end to end (申报主体权限): every import document type, sent in the name of every party that may
not declare it — unsigned and signed, appStatus 1 and 2, appType 1, 2 and 3 — is refused and changes nothing.

Plus the attacks found against the demo zone: a forged 三单 and arrival that released goods, and enterprises
changing, deleting, cancelling or returning another's documents.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from tests.builders import AT, PARTIES, a_set
from tests.zone import ROLES, Zone

from cbec.accounts.schemas import DelegationCreate
from cbec.accounts.service import grant_delegation, revoke_delegation
from cbec.common.clock import FixedClock
from cbec.common.ids import make_uscc
from cbec.demo.builders import Party, build_arrival, build_cancel, build_message, build_return
from cbec.enterprises.certificates import register_certificate
from cbec.enterprises.schemas import EnterpriseCreate
from cbec.enterprises.service import approve_enterprise, file_enterprise
from cbec.intake import IngestResult, ingest_message
from cbec.messages import render_message
from cbec.messages.authority import declaring_codes
from cbec.messages.documents import AppStatus, AppType, WaybillStatus
from cbec.messages.signature import sign_document

SHOP_B = Party("4601960009", "郑州优品跨境电子商务有限公司", "DXPENT0000000019")
RELEASED = "46012026I000000001"
# The business state a message may change (receipts, the message log, the outbox and number sequences aside).
BUSINESS_TABLES = (
    "import_order",
    "import_payment",
    "import_waybill",
    "import_inventory",
    "import_arrival",
    "import_arrival_parcel",
    "import_cancel",
    "import_return",
    "tax_bill",
    "quota_account",
    "quota_entry",
    "quantity_account",
    "quantity_entry",
)


def send(zone: Zone, documents: list[Any], sender: Party, *, sign: bool = True) -> IngestResult:
    xml = render_message(build_message(documents, sender))
    if sign:
        xml = sign_document(xml, zone.signer)
    return ingest_message(zone.ctx, xml)


def snapshot(zone: Zone) -> dict[str, list[tuple[Any, ...]]]:
    with zone.ctx.uow() as uow:
        return {
            table: [tuple(row) for row in uow.session.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
            for table in BUSINESS_TABLES
        }


def statuses(result: IngestResult) -> list[tuple[str, str]]:
    return [(r.message_type.value, r.status) for r in result.receipts]


def file_shop_b(zone: Zone) -> None:
    """File a second e-commerce enterprise, with the test certificate registered for it too."""
    ctx = zone.ctx
    file_enterprise(
        ctx,
        EnterpriseCreate(
            uscc=make_uscc("91410100060000009"),
            customs_code=SHOP_B.code,
            name=SHOP_B.name,
            dxp_id=SHOP_B.dxp_id,
            roles=["ecommerce_enterprise", "tax_guarantor"],
        ),
    )
    approve_enterprise(ctx, SHOP_B.code, reason="材料齐全", actor="zone-office")
    from cbec.enterprises.certificates import trusted_certificates

    with ctx.uow() as uow:
        [certificate] = trusted_certificates(uow.session, PARTIES.ecommerce.code, ctx.clock.now())
    register_certificate(ctx, SHOP_B.code, certificate, actor="zone-office")


def released_set(zone: Zone) -> Any:
    """Send a whole set by its rightful parties and let it arrive: inventory RELEASED (800)."""
    s = a_set()
    send(zone, [s.order], PARTIES.platform)
    send(zone, [s.payment], PARTIES.payment)
    send(zone, [s.waybill], PARTIES.logistics)
    send(zone, [s.inventory], PARTIES.agent)
    arrival = send(
        zone,
        [build_arrival(PARTIES, [s.waybill.logistics_no], bill_no="MAWB20260302001", at=AT)],
        PARTIES.site_operator,
    )
    assert ("CEB622Message", "800") in statuses(arrival)
    return s


@pytest.fixture
def cast(zone: Zone) -> tuple[Zone, Any, Any]:
    """A zone with shop B filed, one released set and a second set waiting for its arrival (status 120)."""
    file_shop_b(zone)
    first = released_set(zone)
    waiting = a_set("ORD20260302000002")
    send(zone, [waiting.order], PARTIES.platform)
    send(zone, [waiting.payment], PARTIES.payment)
    send(zone, [waiting.waybill], PARTIES.logistics)
    result = send(zone, [waiting.inventory], PARTIES.agent)
    assert statuses(result) == [("CEB622Message", "2"), ("CEB622Message", "120")]
    return zone, first, waiting


def as_variant(document: Any, app_type: AppType, app_status: AppStatus) -> Any:
    declaration = replace(
        document.declaration, guid=str(uuid.uuid4()).upper(), app_type=app_type, app_status=app_status
    )
    return replace(document, declaration=declaration)


KINDS: dict[str, Callable[[Any, Any], Any]] = {
    "order": lambda first, waiting: first.order,
    "payment": lambda first, waiting: first.payment,
    "waybill": lambda first, waiting: first.waybill,
    "waybill_status": lambda first, waiting: WaybillStatus(
        declaration=first.waybill.declaration,
        logistics_code=first.waybill.logistics_code,
        logistics_name=first.waybill.logistics_name,
        logistics_no=first.waybill.logistics_no,
        logistics_status="S",
        status_time=AT + timedelta(days=2),
    ),
    "inventory": lambda first, waiting: first.inventory,
    "cancel": lambda first, waiting: build_cancel(first.inventory, RELEASED, at=AT + timedelta(hours=2)),
    "return": lambda first, waiting: build_return(
        first.inventory, RELEASED, [(1, Decimal(1))], at=AT + timedelta(days=10)
    ),
    "arrival": lambda first, waiting: build_arrival(
        PARTIES, [waiting.waybill.logistics_no], bill_no="MAWB20260302002", at=AT + timedelta(hours=3)
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_document_in_the_name_of_a_party_that_may_not_declare_it_is_refused_and_changes_nothing(
    cast: tuple[Zone, Any, Any], kind: str
) -> None:
    zone, first, waiting = cast
    document = KINDS[kind](first, waiting)
    declaring = {code for _, code in declaring_codes(document)}
    others = [party for party in [*ROLES, SHOP_B] if party.code not in declaring]
    assert others, kind
    before = snapshot(zone)
    sent = 0
    for sender in others:
        for signed in (False, True):
            for app_status in (AppStatus.DRAFT, AppStatus.DECLARED):
                for app_type in (AppType.NEW, AppType.CHANGE, AppType.DELETE):
                    variant = as_variant(document, app_type, app_status)
                    result = send(zone, [variant], sender, sign=signed)
                    where = (kind, sender.code, signed, app_status.value, app_type.value)
                    assert result.outcome == "processed", where
                    assert [p.rule_id for p in result.documents[0].problems] == ["AUTH-PARTY"], where
                    assert len(result.receipts) == 1, where
                    assert snapshot(zone) == before, where
                    sent += 1
    assert sent == len(others) * 12


def test_a_forged_three_documents_and_arrival_release_nothing(cast: tuple[Zone, Any, Any]) -> None:
    """The attack: the e-commerce enterprise sends the order, the payment in the payment company's name and the
    waybill in the logistics company's name; the agent its signed inventory; shop B an unsigned appStatus=1
    CEB711 in the supervised-site operator's name. Before party authority the inventory went 120 → 800."""
    zone, _first, _waiting = cast
    s = a_set("ORD20260302000003")
    assert statuses(send(zone, [s.order], PARTIES.ecommerce)) == [("CEB312Message", "120")]
    payment = send(zone, [s.payment], PARTIES.ecommerce)
    waybill = send(zone, [s.waybill], PARTIES.ecommerce)
    assert [p.rule_id for p in payment.documents[0].problems] == ["AUTH-PARTY"]
    assert [p.rule_id for p in waybill.documents[0].problems] == ["AUTH-PARTY"]
    inventory = send(zone, [s.inventory], PARTIES.agent)
    assert statuses(inventory) == [("CEB622Message", "2")]  # waits for the payment and the waybill
    draft = as_variant(
        build_arrival(PARTIES, [s.waybill.logistics_no], bill_no="MAWB20260302003", at=AT), AppType.NEW, AppStatus.DRAFT
    )
    forged = send(zone, [draft], SHOP_B, sign=False)
    assert [p.rule_id for p in forged.documents[0].problems] == ["AUTH-PARTY"]
    with zone.ctx.uow() as uow:
        status = uow.session.execute(
            text("SELECT status FROM import_inventory WHERE order_no = 'ORD20260302000003'")
        ).scalar_one()
    assert status == "2"


def test_a_draft_arrival_from_the_operator_changes_nothing(cast: tuple[Zone, Any, Any]) -> None:
    zone, _first, waiting = cast
    before = snapshot(zone)
    draft = as_variant(
        build_arrival(PARTIES, [waiting.waybill.logistics_no], bill_no="MAWB20260302002", at=AT),
        AppType.NEW,
        AppStatus.DRAFT,
    )
    result = send(zone, [draft], PARTIES.site_operator, sign=False)
    assert statuses(result) == [("CEB712Message", "1")]
    assert result.documents[0].note == "draft: nothing changed"
    assert snapshot(zone) == before


def test_a_draft_cancel_of_a_released_inventory_changes_nothing(cast: tuple[Zone, Any, Any]) -> None:
    """The attack: an unsigned appStatus=1 CEB623 cancelled a released inventory (tax bill voided, quota back)."""
    zone, first, _waiting = cast
    before = snapshot(zone)
    draft = as_variant(
        build_cancel(first.inventory, RELEASED, at=AT + timedelta(hours=2)), AppType.NEW, AppStatus.DRAFT
    )
    result = send(zone, [draft], PARTIES.agent, sign=False)
    assert statuses(result) == [("CEB624Message", "1")]
    assert snapshot(zone) == before


def test_a_draft_change_of_a_declared_order_changes_nothing(cast: tuple[Zone, Any, Any]) -> None:
    zone, first, _waiting = cast
    before = snapshot(zone)
    for app_type in (AppType.CHANGE, AppType.DELETE):
        result = send(zone, [as_variant(first.order, app_type, AppStatus.DRAFT)], PARTIES.platform)
        assert statuses(result) == [("CEB312Message", "1")]
    assert snapshot(zone) == before


def test_another_enterprise_may_not_delete_change_cancel_or_return_what_it_did_not_declare(
    cast: tuple[Zone, Any, Any],
) -> None:
    """Shop B names itself as the e-commerce enterprise (so it passes AUTH-PARTY) but acts on shop A's documents."""
    zone, first, waiting = cast
    before = snapshot(zone)
    order = replace(first.order, ecommerce_code=SHOP_B.code, ecommerce_name=SHOP_B.name)
    for app_type in (AppType.CHANGE, AppType.DELETE):
        result = send(zone, [as_variant(order, app_type, AppStatus.DECLARED)], SHOP_B)
        assert [p.rule_id for p in result.documents[0].problems] == ["AUTH-ORIGINAL"], app_type
    inventory = replace(waiting.inventory, ecommerce_code=SHOP_B.code, agent_code=SHOP_B.code)
    result = send(zone, [as_variant(inventory, AppType.DELETE, AppStatus.DECLARED)], SHOP_B)
    assert [p.rule_id for p in result.documents[0].problems] == ["AUTH-ORIGINAL"]
    mine = replace(first.inventory, ecommerce_code=SHOP_B.code, agent_code=SHOP_B.code)
    cancel = send(zone, [build_cancel(mine, RELEASED, at=AT + timedelta(hours=2))], SHOP_B)
    assert "AUTH-ORIGINAL" in [p.rule_id for p in cancel.documents[0].problems]
    returned = send(zone, [build_return(mine, RELEASED, [(1, Decimal(1))], at=AT + timedelta(days=10))], SHOP_B)
    assert "AUTH-ORIGINAL" in [p.rule_id for p in returned.documents[0].problems]
    assert snapshot(zone) == before


def test_an_agent_declares_for_an_enterprise_only_while_its_mandate_is_in_force(cast: tuple[Zone, Any, Any]) -> None:
    zone, _first, _waiting = cast
    s = a_set("ORD20260302000004")
    refused = send(zone, [s.order], PARTIES.agent)
    assert [p.rule_id for p in refused.documents[0].problems] == ["AUTH-PARTY"]
    mandate = grant_delegation(
        zone.ctx,
        DelegationCreate(agent_code=PARTIES.agent.code, scopes=["ceb.submit"], valid_to=AT + timedelta(days=30)),
        grantor_code=PARTIES.ecommerce.code,
        actor="zone-office",
    )
    accepted = send(zone, [as_variant(s.order, AppType.NEW, AppStatus.DECLARED)], PARTIES.agent)
    assert statuses(accepted) == [("CEB312Message", "120")]
    # the sender's authority is kept between messages: a revocation is seen by the very next message
    t = a_set("ORD20260302000005")
    assert statuses(send(zone, [t.order], PARTIES.agent)) == [("CEB312Message", "120")]
    revoke_delegation(zone.ctx, mandate.id, reason="合同终止 / contract ended", actor="zone-office")
    u = a_set("ORD20260302000006")
    assert [p.rule_id for p in send(zone, [u.order], PARTIES.agent).documents[0].problems] == ["AUTH-PARTY"]


def test_a_mandate_that_ends_by_time_alone_ends_the_agents_authority_then(cast: tuple[Zone, Any, Any]) -> None:
    zone, _first, _waiting = cast
    clock = zone.ctx.clock
    assert isinstance(clock, FixedClock)
    grant_delegation(
        zone.ctx,
        DelegationCreate(
            agent_code=PARTIES.agent.code, scopes=["ceb.submit"], valid_to=clock.now() + timedelta(hours=1)
        ),
        grantor_code=PARTIES.ecommerce.code,
        actor="zone-office",
    )
    assert statuses(send(zone, [a_set("ORD20260302000007").order], PARTIES.agent)) == [("CEB312Message", "120")]
    clock.advance(timedelta(hours=1))  # no write in between: the kept authority must end by its own time
    late = send(zone, [a_set("ORD20260302000008").order], PARTIES.agent)
    assert [p.rule_id for p in late.documents[0].problems] == ["AUTH-PARTY"]
