"""Export CEB element names ↔ English attributes (出口字段名称对照): complete in both directions, both editions."""

from __future__ import annotations

import dataclasses

import pytest

from cbec.messages import documents as d
from cbec.messages import export_documents as e
from cbec.messages.documents import Edition
from cbec.messages.export_names import (
    EXPORT_GROUPS,
    EXPORT_RECEIPT_GROUPS,
    UNMAPPED_EXPORT_GROUPS,
    export_ceb_name,
    export_english_name,
    export_glossary_rows,
)
from cbec.messages.fieldspec import field_catalogue
from cbec.messages.names import GROUPS, glossary_rows

EXPORT_RECEIPT_GROUP_NAMES = tuple(EXPORT_RECEIPT_GROUPS.values())
IMPORT_RECEIPT_GROUP_NAMES = (
    "OrderReturn",
    "PaymentReturn",
    "LogisticsReturn",
    "LogisticsStatusReturn",
    "InventoryReturn",
    "InvtCancelReturn",
    "InvtRefundReturn",
    "DeliveryReturn",
)
# class -> (export groups whose targets land on it, attributes that are not elements)
CLASSES: dict[type, tuple[tuple[str, ...], set[str]]] = {
    e.ExportOrder: (("OrderHead",), {"lines"}),
    e.ExportOrderLine: (("OrderList",), set()),
    e.PaymentReceiptNote: (("Receipts",), set()),
    e.ExportWaybill: (("Logistics",), set()),
    e.ExportArrival: (("ArrivalHead",), {"lines"}),
    e.Departure: (("DepartureHead",), {"lines"}),
    e.ParcelLine: (("ArrivalList", "DepartureList"), set()),
    e.ExportInventory: (("InventoryHead",), {"lines"}),
    e.ExportInventoryLine: (("InventoryList",), set()),
    e.ExportCancel: (("InvtCancel",), set()),
    e.MasterBill: (("WayBillHead",), {"lines"}),
    e.MasterBillLine: (("WayBillList",), set()),
    e.ExportReturn: (("InvtRefundHead",), {"lines"}),
    e.ExportReturnLine: (("InvtRefundList",), set()),
    e.ReturnTally: (("InvtRefundDetail",), set()),
    e.SummaryApplication: (("SummaryApplyHead", "SummaryApplyList"), set()),
    e.SummaryResult: (("SummaryResultHead",), {"lines"}),
    e.SummaryResultLine: (("SummaryResultList",), set()),
    d.Transfer: (("BaseTransfer",), set()),
    d.Subscription: (("BaseSubscribe",), set()),
}


def _fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


@pytest.mark.parametrize("cls", list(CLASSES), ids=lambda c: c.__name__)
def test_every_export_attribute_is_mapped_and_every_target_exists(cls: type) -> None:
    groups, not_elements = CLASSES[cls]
    targets = {name for group in groups for name in EXPORT_GROUPS[group].values()}
    plain = {t for t in targets if "." not in t}
    nested = {t.split(".", 1)[0] for t in targets if "." in t}
    assert plain | nested | not_elements == _fields(cls)
    for target in targets - plain:
        owner, attribute = target.split(".")
        assert owner == "declaration"
        assert attribute in _fields(d.Declaration)


def test_every_receipt_attribute_is_a_key_of_some_receipt() -> None:
    targets = {t for g in EXPORT_RECEIPT_GROUP_NAMES for t in EXPORT_GROUPS[g].values()}
    targets |= {t for g in IMPORT_RECEIPT_GROUP_NAMES for t in GROUPS[g].values()}
    assert targets | {"message_type"} == _fields(d.Receipt)
    assert {t for g in EXPORT_RECEIPT_GROUP_NAMES for t in EXPORT_GROUPS[g].values()} <= _fields(d.Receipt)


@pytest.mark.parametrize("edition", list(Edition))
def test_every_element_of_every_export_message_is_mapped(edition: Edition) -> None:
    catalogue = field_catalogue(edition)
    seen: set[str] = set()
    for name in catalogue.names("export"):
        for _path, group in catalogue.message(name).walk():
            fields = {f.name for f in group.fields()}
            if group.name in UNMAPPED_EXPORT_GROUPS or not fields:
                continue
            seen.add(group.name)
            mapped = set(EXPORT_GROUPS[group.name])
            if edition is Edition.E2018 and group.name == "SummaryResultList":
                mapped -= {"gseqno"}  # added in 202205
            assert fields == mapped, (name, group.name, fields ^ mapped)
    if edition is Edition.E202205:
        assert seen == set(EXPORT_GROUPS)
    else:
        assert set(EXPORT_GROUPS) - seen == {
            "InvtRefundHead",
            "InvtRefundList",
            "InvtRefundDetail",
            "RefundReturn",
            "InvtRefundDetailReturn",
        }


@pytest.mark.parametrize("edition", list(Edition))
def test_optional_elements_map_to_optional_attributes(edition: Edition) -> None:
    catalogue = field_catalogue(edition)
    for cls, (groups, _) in CLASSES.items():
        defaults = {f.name: f.default for f in dataclasses.fields(cls)}
        for name in catalogue.names("export"):
            for _path, group in catalogue.message(name).walk():
                if group.name not in groups or group.name == "SummaryApplyList":
                    continue
                for spec in group.fields():
                    target = EXPORT_GROUPS[group.name][spec.name]
                    if "." in target:
                        continue
                    optional_attribute = defaults[target] is None
                    assert optional_attribute == (spec.min_occurs == 0), (group.name, spec.name)


def test_well_known_pairs() -> None:
    pairs = {
        ("OrderHead", "goodsValue"): "goods_value",
        ("Receipts", "charge"): "amount",
        ("Receipts", "accountingDate"): "accounted_at",
        ("InventoryHead", "country"): "destination_country",
        ("InventoryList", "country"): "destination_country",
        ("InventoryHead", "POD"): "discharge_port",
        ("InventoryHead", "fFlag"): "freight_mark",
        ("InventoryHead", "iacCode"): "special_area_code",
        ("InventoryHead", "ieDate"): "export_date",
        ("DepartureHead", "leaveTime"): "left_at",
        ("ArrivalHead", "msgSeqNo"): "message_seq_no",
        ("InvtRefundHead", "coElNo"): "enterprise_ref_no",
        ("SummaryApplyHead", "declAgentCode"): "declaring_agent_code",
        ("SummaryApplyList", "invtNo"): "inventory_nos",
        ("SummaryResultList", "gseqno"): "goods_seq_no",
        ("SummaryReturn", "sumNo"): "summary_no",
        ("ReceiptsReturn", "payNo"): "payment_no",
        ("OrderHead", "appTime"): "declaration.app_time",
    }
    for (group, ceb), english in pairs.items():
        assert export_english_name(group, ceb) == english
        assert export_ceb_name(group, english) == ceb
    with pytest.raises(KeyError):
        export_ceb_name("OrderHead", "actual_paid")  # import only
    assert GROUPS["OrderHead"]["acturalPaid"] == "actual_paid"  # the import map is untouched


def test_glossary_rows_cover_the_export_map() -> None:
    rows = glossary_rows()
    pairs = {(ceb, english): text for ceb, english, text in rows}
    assert len(rows) == len(pairs)
    assert all(pairs.values())
    assert {(ceb, english) for ceb, english, _ in export_glossary_rows()} <= set(pairs)
    assert " ".join(pairs[("POD", "discharge_port")].split()) == "指运港代码 海关参数代码"
    assert pairs[("gseqno", "goods_seq_no")] == "汇总结果单的顺序号"
    assert pairs[("endTime", "end_time")].startswith("汇总结束时间")  # the XSD annotation says 开始
    assert ("country", "destination_country") in pairs and ("country", "departure_country") in pairs
