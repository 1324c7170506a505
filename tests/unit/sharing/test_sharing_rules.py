"""Rules of information sharing: BaseSubscribe scopes, filters, masking, business keys, signing, back-off."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from cbec.sharing.rules import (
    EventFacts,
    EventKind,
    FeedScope,
    Filter,
    backoff_seconds,
    check_subscription,
    mask_personal,
    parties_of,
    receipt_business_key,
    signature_header,
)

RECEIPT = EventFacts("receipt", "CEB622Message", "4601", "800", ("4601960002", "4601960005"))
DATA = EventFacts("data", "CEB621Message", "4601", None, ("4601960002",))
FILING = EventFacts("filing", "enterprise", "4601", "approved", ("4601960009",))


@pytest.mark.parametrize(
    ("scope", "expected"),
    [(FeedScope.ALL, [True, True, True]), (FeedScope.DATA, [False, True, True]), (FeedScope.RET, [True, False, False])],
)
def test_scope_follows_base_subscribe(scope: FeedScope, expected: list[bool]) -> None:
    assert [Filter(scope).matches(e) for e in (RECEIPT, DATA, FILING)] == expected


def test_filters_on_type_zone_status_and_parties() -> None:
    assert Filter(FeedScope.ALL, document_types=("CEB622Message",)).matches(RECEIPT)
    assert not Filter(FeedScope.ALL, document_types=("CEB312Message",)).matches(RECEIPT)
    assert not Filter(FeedScope.ALL, zones=("5101",)).matches(RECEIPT)
    assert Filter(FeedScope.ALL, statuses=("800",)).matches(RECEIPT)
    assert not Filter(FeedScope.ALL, statuses=("800",)).matches(DATA)  # a status filter wants a status
    assert Filter(FeedScope.ALL, parties=("4601960005",)).matches(RECEIPT)
    assert not Filter(FeedScope.ALL, parties=("4601960003",)).matches(RECEIPT)


def test_scope_kinds() -> None:
    assert Filter(FeedScope.RET).kinds() == {EventKind.RECEIPT, EventKind.TAX_BILL}
    # the platform's own findings (confirmed reports, overdue summaries, inspection outcomes) go with the data
    assert Filter(FeedScope.DATA).kinds() == set(EventKind) - {EventKind.RECEIPT, EventKind.TAX_BILL}
    assert max(len(k.value) for k in EventKind) <= 10  # sharing_event.kind is String(10)


def test_mask_personal_masks_by_field_name_at_any_depth() -> None:
    document = {
        "order_no": "ORD1",
        "buyer_name": "张伟",
        "buyer_id_number": "11010519491231002X",
        "buyer_phone": "13800138000",
        "buyer_reg_no": "U13800138000",
        "consignee_address": "海南省海口市美兰区国兴大道1号",
        "lines": [{"consignee": "李娜", "item_name": "奶粉"}],
        "payer_name": "",
    }
    assert mask_personal(document) == {
        "order_no": "ORD1",
        "buyer_name": "张*",
        "buyer_id_number": "110105********002X",
        "buyer_phone": "138****8000",
        "buyer_reg_no": "U13*****8000",
        "consignee_address": "海南省海口市********",
        "lines": [{"consignee": "李*", "item_name": "奶粉"}],
        "payer_name": "",
    }


def test_parties_are_the_enterprise_codes_named() -> None:
    keys = {"platform_code": "P1", "ecommerce_code": "E1", "agent_code": "E1", "customs_code": "4601", "order_no": "X"}
    assert parties_of(keys) == ["E1", "P1"]


def test_receipts_of_cancels_and_returns_are_ordered_with_their_inventory() -> None:
    keys = {"eport_no": "B20260302000000001", "inventory_no": "46012026I000000001"}
    assert receipt_business_key("inventory", keys, "G") == "inventory:B20260302000000001"
    assert receipt_business_key("cancel", keys, "G") == "inventory:B20260302000000001"
    assert receipt_business_key("order", {"platform_code": "P", "order_no": "O"}, "G") == "order:P/O"
    assert receipt_business_key("payment", {"payment_code": "Y", "payment_transaction_id": "T"}, "G") == "payment:Y/T"
    assert receipt_business_key("waybill_status", {"logistics_code": "L", "logistics_no": "N"}, "G") == "waybill:L/N"
    assert receipt_business_key("order", {}, "G1") == "order:G1"


def test_signature_header_is_hmac_sha256_over_timestamp_and_body() -> None:
    expected = hmac.new(b"secret", b"1767225600.{}", hashlib.sha256).hexdigest()
    assert signature_header(b"secret", "1767225600", b"{}") == f"sha256={expected}"


def test_backoff_doubles_and_caps() -> None:
    assert [backoff_seconds(n, base=5, cap=60) for n in range(6)] == [0.0, 5.0, 10.0, 20.0, 40.0, 60.0]


def test_subscription_checks() -> None:
    assert check_subscription("tax-feed", "agency", "tax", "RET", "https://x.example/hook", []) == []
    rules = [p.rule_id for p in check_subscription("X", "enterprise", "46019", "SOME", "ftp://x", ["4601960003"])]
    assert rules == ["SUB-NAME", "SUB-SUBSCRIBER", "SUB-TENANT", "SUB-SCOPE", "SUB-WEBHOOK"]
