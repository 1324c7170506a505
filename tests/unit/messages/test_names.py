"""CEB element names ↔ English attributes (字段名称对照): complete in both directions."""

from __future__ import annotations

import dataclasses

import pytest

from cbec.messages import documents as d
from cbec.messages.documents import Edition
from cbec.messages.fieldspec import field_catalogue
from cbec.messages.names import GROUPS, UNMAPPED_GROUPS, ceb_name, english_name, glossary_rows

RECEIPT_GROUPS = (
    "OrderReturn",
    "PaymentReturn",
    "LogisticsReturn",
    "LogisticsStatusReturn",
    "InventoryReturn",
    "InvtCancelReturn",
    "InvtRefundReturn",
    "DeliveryReturn",
)
# class -> (groups whose targets land on it, attributes that are not elements)
CLASSES: dict[type, tuple[tuple[str, ...], set[str]]] = {
    d.ImportOrder: (("OrderHead",), {"lines"}),
    d.OrderLine: (("OrderList",), set()),
    d.Payment: (("PaymentHead",), set()),
    d.Waybill: (("LogisticsHead",), set()),
    d.WaybillStatus: (("LogisticsStatus",), set()),
    d.Inventory: (("InventoryHead",), {"lines"}),
    d.InventoryLine: (("InventoryList",), set()),
    d.CancelRequest: (("InvtCancel",), set()),
    d.ReturnRequest: (("InvtRefundHead",), {"lines"}),
    d.ReturnLine: (("InvtRefundList",), set()),
    d.ArrivalRecord: (("DeliveryHead",), {"lines"}),
    d.ArrivalLine: (("DeliveryList",), set()),
    d.Transfer: (("BaseTransfer",), set()),
    d.Subscription: (("BaseSubscribe",), set()),
    # keys only export receipts carry are mapped in export_names (test_export_names)
    d.Receipt: (
        RECEIPT_GROUPS,
        {"message_type", "payment_no", "bill_no", "message_seq_no", "statistics_flag", "summary_no"},
    ),
    d.TaxBill: (("TaxHeadRd",), {"lines"}),
    d.TaxBillLine: (("TaxListRd",), set()),
    d.FormatReceipt: (("MessageReturn",), set()),
}
DECLARED = ("OrderHead", "PaymentHead", "LogisticsHead", "LogisticsStatus", "InventoryHead", "InvtCancel")


def _fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


@pytest.mark.parametrize("cls", list(CLASSES), ids=lambda c: c.__name__)
def test_every_dataclass_attribute_is_mapped_and_every_target_exists(cls: type) -> None:
    groups, not_elements = CLASSES[cls]
    targets = {name for group in groups for name in GROUPS[group].values()}
    plain = {t for t in targets if "." not in t}
    nested = {t.split(".", 1)[0] for t in targets if "." in t}
    assert plain | nested | not_elements == _fields(cls)
    for target in targets - plain:
        owner, attribute = target.split(".")
        assert owner == "declaration"
        assert attribute in _fields(d.Declaration)


def test_declaration_fields_are_mapped_in_every_declared_group() -> None:
    for group in (*DECLARED, "InvtRefundHead", "DeliveryHead"):
        mapped = {t.split(".", 1)[1] for t in GROUPS[group].values() if t.startswith("declaration.")}
        assert mapped == _fields(d.Declaration), group


@pytest.mark.parametrize("edition", list(Edition))
def test_every_element_of_every_import_message_is_mapped(edition: Edition) -> None:
    catalogue = field_catalogue(edition)
    seen: set[str] = set()
    for name in catalogue.names("import"):
        for _path, group in catalogue.message(name).walk():
            fields = {f.name for f in group.fields()}
            if group.name in UNMAPPED_GROUPS or not fields:
                continue
            seen.add(group.name)
            if group.name in RECEIPT_GROUPS:
                assert fields <= set(GROUPS[group.name]), (name, group.name)
            else:
                assert fields == set(GROUPS[group.name]), (name, group.name, fields ^ set(GROUPS[group.name]))
    assert seen == set(GROUPS)


def test_optional_elements_map_to_optional_attributes() -> None:
    catalogue = field_catalogue(Edition.E202205)
    for cls, (groups, _) in CLASSES.items():
        if cls in (d.Receipt, d.TaxBill, d.FormatReceipt):
            continue
        defaults = {f.name: f.default for f in dataclasses.fields(cls)}
        for name in catalogue.names("import"):
            for _path, group in catalogue.message(name).walk():
                if group.name not in groups:
                    continue
                for spec in group.fields():
                    target = GROUPS[group.name][spec.name]
                    if "." in target:
                        continue
                    optional_attribute = defaults[target] is None
                    assert optional_attribute == (spec.min_occurs == 0), (group.name, spec.name)


def test_well_known_pairs() -> None:
    pairs = {
        ("OrderHead", "acturalPaid"): "actual_paid",
        ("OrderHead", "buyerTelephone"): "buyer_phone",
        ("OrderHead", "ebpCode"): "platform_code",
        ("InventoryHead", "country"): "departure_country",
        ("InventoryList", "country"): "origin_country",
        ("InventoryList", "qty1"): "legal_quantity",
        ("InventoryHead", "preNo"): "eport_no",
        ("InventoryHead", "emsNo"): "account_book_no",
        ("InventoryHead", "areaCode"): "warehouse_code",
        ("LogisticsHead", "packNo"): "pack_count",
        ("DeliveryHead", "rkdNo"): "entry_no",
        ("PaymentHead", "payTime"): "paid_at",
        ("LogisticsStatus", "logisticsTime"): "status_time",
        ("TaxListRd", "taxPrice"): "dutiable_value",
        ("TaxHeadRd", "entDutyNo"): "payment_doc_no",
        ("MessageReturn", "oriCopMsgId"): "original_message_id",
        ("InventoryReturn", "returnTime"): "returned_at",
        ("OrderHead", "appTime"): "declaration.app_time",
    }
    for (group, ceb), english in pairs.items():
        assert english_name(group, ceb) == english
        assert ceb_name(group, english) == ceb
    with pytest.raises(KeyError):
        ceb_name("OrderHead", "no_such_attribute")


def test_glossary_rows() -> None:
    rows = glossary_rows()
    assert len(rows) == len({(ceb, english) for ceb, english, _ in rows})
    by_pair = {(ceb, english): text for ceb, english, text in rows}
    assert (
        by_pair[("acturalPaid", "actual_paid")] == "商品价格+运杂费+代扣税款-非现金抵扣金额，与支付凭证的支付金额一致。"
    )
    assert by_pair[("payerName", "payer_name")] == "支付人的真实姓名。"  # the XSD annotation is a copy-paste error
    assert ("country", "departure_country") in by_pair and ("country", "origin_country") in by_pair
    assert all(text for text in by_pair.values())
