"""The benchmark's export traffic (bench.export_workload) through the real intake, on the test database."""

from __future__ import annotations

from collections import Counter

from bench.export_workload import ExportSpec, expected_statuses, generate_exports, plan_exports
from bench.runner import file_zone, ingest_all
from sqlalchemy import text

from cbec.storage.context import Context

# 20 sets, a fifth faulty: one of each fault kind; about half carry a receipt of payment, some go early.
SPEC = ExportSpec(sets=20, seed=7, fault_rate=0.2, early_share=0.1)


def test_the_plan_is_the_same_for_the_same_seed() -> None:
    first, faults = plan_exports(SPEC)
    again, faults_again = plan_exports(SPEC)
    assert [(p.documents.order.order_no, p.receipt, p.early, p.fault) for p in first] == [
        (p.documents.order.order_no, p.receipt, p.early, p.fault) for p in again
    ]
    assert (
        faults == faults_again == Counter({"line_mismatch": 1, "gross_under_net": 1, "no_waybill": 1, "not_arrived": 1})
    )


def test_export_traffic_clears_every_sound_set_and_stops_each_faulty_one_where_it_should(ctx: Context) -> None:
    workload = generate_exports(SPEC)
    file_zone(ctx, workload.certificates, exports=True)

    report = ingest_all(ctx, workload.messages)

    assert workload.sets == 20
    kinds = Counter(m.message_type for m in workload.messages)
    assert kinds == Counter(
        {
            "CEB303Message": 1,
            "CEB403Message": 1,
            "CEB505Message": 1,
            "CEB603Message": 2,
            "CEB507Message": 1,
            "CEB607Message": 1,
            "CEB509Message": 1,
        }
    )
    assert report.outcomes == Counter({"processed": 8})
    with ctx.engine.connect() as conn:
        statuses = Counter(
            {str(s): int(n) for s, n in conn.execute(text("SELECT status, count(*) FROM export_inventory GROUP BY 1"))}
        )
        receipts = Counter(
            {
                (str(t), str(s)): int(n)
                for t, s, n in conn.execute(
                    text("SELECT message_type, status, count(*) FROM issued_receipt GROUP BY 1, 2")
                )
            }
        )
    # 16 sound sets closed (899) after departure; the line mismatch refused (100), the inventory without its
    # waybill still declaring (2), the parcel that never arrived accepted (120); the gross-under-net one not stored.
    assert statuses == Counter({"899": 16, "100": 1, "2": 1, "120": 1})
    assert statuses == expected_statuses(workload)
    # Every document answered: 20 orders, 10 receipts of payment and 19 waybills accepted (120); one arrival, one
    # master bill and one departure concluded (399); 20 inventories: 19 stored and declaring (2), 17 matched (120),
    # 16 arrived, concluded and released (399, 800) and departed (899), 2 refused (100).
    assert receipts == Counter(
        {
            ("CEB304Message", "120"): 20,
            ("CEB404Message", "120"): 10,
            ("CEB506Message", "120"): 19,
            ("CEB508Message", "399"): 1,
            ("CEB608Message", "399"): 1,
            ("CEB510Message", "399"): 1,
            ("CEB604Message", "2"): 19,
            ("CEB604Message", "120"): 17,
            ("CEB604Message", "399"): 16,
            ("CEB604Message", "800"): 16,
            ("CEB604Message", "899"): 16,
            ("CEB604Message", "100"): 2,
        }
    )
    assert report.receipts == 138
    assert report.documents == workload.documents == 72
