"""Field specification package data (报文字段规范) generated from the official XSDs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from cbec.messages.documents import Edition
from cbec.messages.fieldspec import FieldSpec, ForeignSpec, GroupSpec, field_catalogue, message_spec
from tests.unit.messages.conftest import ceb_path

REPO = Path(__file__).resolve().parents[3]
IMPORT_MESSAGES = [
    *("CEB311Message", "CEB312Message", "CEB411Message", "CEB412Message", "CEB511Message", "CEB512Message"),
    *("CEB513Message", "CEB514Message", "CEB621Message", "CEB622Message", "CEB623Message", "CEB624Message"),
    *("CEB625Message", "CEB626Message", "CEB711Message", "CEB712Message", "CEB816Message", "CEB818Message"),
    "CEB900Message",
]


def test_both_editions_hold_every_import_message_and_the_export_ones() -> None:
    for edition in Edition:
        catalogue = field_catalogue(edition)
        assert catalogue.names("import") == tuple(IMPORT_MESSAGES)
        assert "CEB603Message" in catalogue.names("export")
    assert "CEB213Message" in field_catalogue(Edition.E202205).names("export")
    assert "CEB213Message" not in field_catalogue(Edition.E2018).names()


def test_order_message_shape() -> None:
    spec = message_spec(Edition.E202205, "CEB311Message")
    assert [(n.name, n.min_occurs, n.max_occurs) for n in spec.root.children] == [
        ("Order", 1, 100),
        ("BaseTransfer", 1, 1),
        ("BaseSubscribe", 0, 5),
        ("ExtendMessage", 0, 1),
        ("Signature", 0, 1),
    ]
    order = spec.root.group("Order")
    assert [(g.name, g.min_occurs, g.max_occurs) for g in order.groups()] == [("OrderHead", 1, 1), ("OrderList", 1, 99)]
    head = order.group("OrderHead")
    assert [f.name for f in head.fields()][:6] == ["guid", "appType", "appTime", "appStatus", "orderType", "orderNo"]
    assert head.field("guid") == FieldSpec(
        name="guid", kind="string", description="企业系统生成36位唯一序号（英文字母大写）。", length=36
    )
    paid = head.field("acturalPaid")
    assert (paid.kind, paid.total_digits, paid.fraction_digits, paid.required) == ("decimal", 19, 5, True)
    assert head.field("currency").fixed == "142"
    assert head.field("payCode").min_occurs == 0
    assert order.group("OrderList").field("gnum").kind == "int"
    assert [a.name for a in spec.attributes] == ["guid", "version"]
    signature = spec.root.child("Signature")
    assert isinstance(signature, ForeignSpec)
    assert signature.namespace == "http://www.w3.org/2000/09/xmldsig#"


def test_signature_is_mandatory_in_the_xsd_for_inventory_cancel_return_and_arrival() -> None:
    for name, low in [("CEB621Message", 1), ("CEB623Message", 1), ("CEB625Message", 1), ("CEB711Message", 1)]:
        assert message_spec(Edition.E202205, name).root.children[-1].min_occurs == low
    assert message_spec(Edition.E202205, "CEB711Message").root.group("Delivery").max_occurs == 1
    assert (
        message_spec(Edition.E202205, "CEB711Message").root.group("Delivery").group("DeliveryList").max_occurs is None
    )


def test_editions_differ_in_inventory_item_no_and_trade_country() -> None:
    old = message_spec(Edition.E2018, "CEB621Message").root.group("Inventory").group("InventoryList")
    new = message_spec(Edition.E202205, "CEB621Message").root.group("Inventory").group("InventoryList")
    assert (old.field("itemNo").max_length, new.field("itemNo").max_length) == (30, 20)
    assert (old.field("tradeCountry").length, old.field("tradeCountry").max_length) == (3, None)
    assert (
        new.field("tradeCountry").length,
        new.field("tradeCountry").min_length,
        new.field("tradeCountry").max_length,
    ) == (
        None,
        1,
        3,
    )


def test_tax_bill_and_format_receipt_shapes() -> None:
    tax = message_spec(Edition.E202205, "CEB816Message").root.group("Tax")
    assert (tax.min_occurs, tax.max_occurs) == (1, None)
    assert [f.name for f in tax.group("TaxListRd").fields()] == [
        "gnum",
        "gcode",
        "taxPrice",
        "customsTax",
        "valueAddedTax",
        "consumptionTax",
    ]
    ret = message_spec(Edition.E202205, "CEB900Message").root.group("MessageReturn")
    assert ret.field("oriCopMsgId").min_length == 0
    assert ret.field("returnTime").length == 17


def test_export_spec_keeps_whitespace_and_defaults() -> None:
    head = message_spec(Edition.E202205, "CEB603Message").root.group("Inventory").group("InventoryHead")
    assert head.field("fFlag").fixed == "3"
    assert head.field("trafMode").white_space == "collapse"
    order_head = message_spec(Edition.E202205, "CEB303Message").root.group("Order").group("OrderHead")
    assert (order_head.field("appStatus").default, order_head.field("freight").default) == ("1", "0")


def test_groups_are_nested_specs() -> None:
    paths = [path for path, _ in message_spec(Edition.E202205, "CEB621Message").walk()]
    assert paths == [
        "Inventory",
        "Inventory/InventoryHead",
        "Inventory/InventoryList",
        "BaseTransfer",
        "BaseSubscribe",
        "ExtendMessage",
        "ExtendMessage/Message",
    ]
    assert isinstance(message_spec(Edition.E202205, "CEB621Message").root.group("ExtendMessage"), GroupSpec)


def test_sources_record_the_xsd_digests() -> None:
    sources = field_catalogue(Edition.E202205).sources
    assert [(s["direction"], s["file"]) for s in sources] == [
        ("import", "海关跨境进口业务节点报文定义202205.xsd"),
        ("export", "海关跨境出口业务节点报文定义202205.xsd"),
    ]
    assert all(len(s["sha256"]) == 64 for s in sources)
    provenance = (REPO / "src/cbec/messages/data/PROVENANCE.md").read_text("utf-8")
    for source in sources:
        assert source["sha256"] in provenance


def test_committed_package_data_is_what_the_generator_writes_from_the_xsds() -> None:
    shared = ceb_path("xsd").parents[1]
    spec = importlib.util.spec_from_file_location("gen_fieldspec", REPO / "tools" / "gen_fieldspec.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    outputs = module.build(shared)
    assert sorted(outputs) == ["PROVENANCE.md", "fields_2018.json", "fields_202205.json"]
    for name, text in outputs.items():
        assert (REPO / "src/cbec/messages/data" / name).read_text("utf-8") == text, name
