"""Enterprise filing on a real database: filing, lifecycle with audit, masking, look-up, import."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.unit.enterprises.builders import (
    ENTERPRISE_CSV_HEADER,
    approved,
    customs_code_for,
    enterprise,
    enterprise_csv_row,
    uscc_for,
)

from cbec.audit.models import AuditRecord
from cbec.common.pseudonyms import subject_key
from cbec.enterprises import (
    EnterpriseExists,
    EnterpriseImportInvalid,
    EnterpriseInvalid,
    EnterpriseNotFound,
    EnterpriseRole,
    EnterpriseStatus,
    EnterpriseStatusConflict,
    find_active_by_code,
    has_role,
)
from cbec.enterprises.models import Enterprise
from cbec.enterprises.service import (
    approve_enterprise,
    enterprise_audit,
    file_enterprise,
    get_enterprise,
    import_enterprises,
    list_enterprises,
    reinstate_enterprise,
    revoke_enterprise,
    suspend_enterprise,
)
from cbec.storage.context import Context

FILED_AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # the clock fixture, 10:00 Asia/Shanghai


def counts(ctx: Context) -> tuple[int, int]:
    with ctx.session_factory() as session:
        return (
            session.scalar(select(func.count()).select_from(Enterprise)) or 0,
            session.scalar(select(func.count()).select_from(AuditRecord)) or 0,
        )


def write(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_filing_starts_pending_and_masks_the_contact(ctx: Context) -> None:
    read = file_enterprise(ctx, enterprise(1, roles=["payment_company", "ecommerce_enterprise"]))
    assert read.model_dump() == {
        "id": read.id,
        "uscc": uscc_for(1),
        "customs_code": customs_code_for(1),
        "name": "海口测试电子商务有限公司1",
        "name_en": None,
        "dxp_id": "DXPENT0000000001",
        "roles": ["ecommerce_enterprise", "payment_company"],
        "contact_name": "王*",
        "contact_phone": "138****8000",
        "zone": "hub",
        "status": "pending",
        "filed_at": FILED_AT,
        "updated_at": FILED_AT,
    }


def test_contact_data_is_encrypted_at_rest(ctx: Context) -> None:
    read = file_enterprise(ctx, enterprise(1))
    with ctx.session_factory() as session:
        row = session.get(Enterprise, read.id)
        assert row is not None
        assert row.contact_phone_enc is not None and "13800138000" not in row.contact_phone_enc
        assert ctx.cipher.decrypt(row.contact_phone_enc) == "13800138000"
        assert row.contact_name_enc is not None and ctx.cipher.decrypt(row.contact_name_enc) == "王芳"


def test_lifecycle_writes_one_audit_record_per_change(ctx: Context) -> None:
    filed = file_enterprise(ctx, enterprise(1))
    approve_enterprise(ctx, filed.id, reason="资料齐全", actor="officer-1")
    suspend_enterprise(ctx, filed.customs_code, reason="涉嫌违规", actor="officer-2")
    reinstate_enterprise(ctx, filed.uscc, reason="整改完成", actor="officer-2")
    final = revoke_enterprise(ctx, filed.id, reason="企业注销", actor="officer-3")
    assert final.status == "revoked"
    trail = enterprise_audit(ctx, filed.id)
    assert [(a.action, a.actor, a.before, a.after, a.reason) for a in trail] == [
        (
            "enterprises.enterprise.filed",
            "tester",
            None,
            {
                "uscc": uscc_for(1),
                "customs_code": customs_code_for(1),
                "name": "海口测试电子商务有限公司1",
                "name_en": None,
                "dxp_id": "DXPENT0000000001",
                "roles": ["ecommerce_enterprise"],
                "contact_name": "王*",
                "contact_phone": "138****8000",
                "zone": "hub",
                "status": "pending",
            },
            None,
        ),
        ("enterprises.enterprise.approved", "officer-1", {"status": "pending"}, {"status": "approved"}, "资料齐全"),
        ("enterprises.enterprise.suspended", "officer-2", {"status": "approved"}, {"status": "suspended"}, "涉嫌违规"),
        ("enterprises.enterprise.reinstated", "officer-2", {"status": "suspended"}, {"status": "approved"}, "整改完成"),
        ("enterprises.enterprise.revoked", "officer-3", {"status": "approved"}, {"status": "revoked"}, "企业注销"),
    ]
    assert {a.at for a in trail} == {FILED_AT}


def test_refused_transition_changes_nothing(ctx: Context) -> None:
    filed = file_enterprise(ctx, enterprise(1))
    with pytest.raises(EnterpriseStatusConflict) as caught:
        suspend_enterprise(ctx, filed.id, reason="x", actor="officer")
    assert caught.value.message == "不能从 pending 执行 suspend / cannot suspend a filing that is pending"
    with pytest.raises(EnterpriseInvalid):
        approve_enterprise(ctx, filed.id, reason=" ", actor="officer")
    revoke_enterprise(ctx, filed.id, reason="重复备案", actor="officer")
    with pytest.raises(EnterpriseStatusConflict):
        reinstate_enterprise(ctx, filed.id, reason="x", actor="officer")
    assert get_enterprise(ctx, filed.id).status == "revoked"
    assert [a.action for a in enterprise_audit(ctx, filed.id)] == [
        "enterprises.enterprise.filed",
        "enterprises.enterprise.revoked",
    ]


def test_one_filing_per_credit_code_and_per_customs_code(ctx: Context) -> None:
    file_enterprise(ctx, enterprise(1))
    with pytest.raises(EnterpriseExists) as caught:
        file_enterprise(ctx, enterprise(2, uscc=uscc_for(1), customs_code=customs_code_for(1)))
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("ENT-TAKEN", "uscc"),
        ("ENT-TAKEN", "customs_code"),
    ]
    with pytest.raises(EnterpriseExists):
        file_enterprise(ctx, enterprise(2, customs_code=customs_code_for(1)))
    assert counts(ctx) == (1, 1)


def test_invalid_filing_reports_every_problem_and_writes_nothing(ctx: Context) -> None:
    with pytest.raises(EnterpriseInvalid) as caught:
        file_enterprise(ctx, enterprise(1, uscc="91110000600037341N", customs_code="12", roles=["bank"]))
    assert [p.rule_id for p in caught.value.problems] == ["USCC-CHECKSUM", "CUSTOMS-CODE-LENGTH", "ENT-ROLE"]
    assert counts(ctx) == (0, 0)


def test_letter_initial_credit_code_can_be_filed(ctx: Context) -> None:
    read = file_enterprise(ctx, enterprise(1, uscc=uscc_for(1, authority="Y1")))
    assert read.uscc.startswith("Y1")


def test_find_active_by_code_sees_only_approved_filings(ctx: Context) -> None:
    filed = file_enterprise(ctx, enterprise(1, roles=["ecommerce_platform", "logistics_company"]))
    with ctx.session_factory() as session:
        assert find_active_by_code(session, filed.customs_code) is None
    approve_enterprise(ctx, filed.id, reason="ok", actor="officer")
    with ctx.session_factory() as session:
        by_customs = find_active_by_code(session, customs_code_for(1))
        by_uscc = find_active_by_code(session, uscc_for(1).lower())
        assert find_active_by_code(session, "0000000000") is None
    assert by_customs is not None and by_customs == by_uscc
    assert (by_customs.id, by_customs.name, by_customs.dxp_id, by_customs.status) == (
        filed.id,
        "海口测试电子商务有限公司1",
        "DXPENT0000000001",
        EnterpriseStatus.APPROVED,
    )
    assert by_customs.roles == frozenset({EnterpriseRole.ECOMMERCE_PLATFORM, EnterpriseRole.LOGISTICS_COMPANY})
    assert has_role(by_customs, EnterpriseRole.LOGISTICS_COMPANY) is True
    suspend_enterprise(ctx, filed.id, reason="x", actor="officer")
    with ctx.session_factory() as session:
        assert find_active_by_code(session, filed.customs_code) is None


def test_list_filters_and_pages(ctx: Context) -> None:
    approved(ctx, 1, roles=["ecommerce_platform"])
    approved(ctx, 2, roles=["ecommerce_enterprise"])
    file_enterprise(ctx, enterprise(3, roles=["ecommerce_enterprise", "payment_company"], zone="east"))
    page = list_enterprises(ctx, role="ecommerce_enterprise")
    assert [(e.customs_code, e.status) for e in page.items] == [
        (customs_code_for(2), "approved"),
        (customs_code_for(3), "pending"),
    ]
    assert list_enterprises(ctx, status="pending").total == 1
    assert list_enterprises(ctx, zone="east").items[0].zone == "east"
    second = list_enterprises(ctx, limit=1, offset=1)
    assert (second.total, [e.customs_code for e in second.items]) == (3, [customs_code_for(2)])
    assert {e.contact_phone for e in list_enterprises(ctx).items} == {"138****8000"}
    with pytest.raises(EnterpriseInvalid):
        list_enterprises(ctx, status="active")


def test_unknown_enterprise(ctx: Context) -> None:
    with pytest.raises(EnterpriseNotFound):
        get_enterprise(ctx, 999)
    with pytest.raises(EnterpriseNotFound):
        get_enterprise(ctx, "4601999999")


def test_import_writes_every_row_and_is_idempotent(ctx: Context, tmp_path: Path) -> None:
    path = write(tmp_path, "ents.csv", ENTERPRISE_CSV_HEADER, *(enterprise_csv_row(n) for n in (1, 2, 3)))
    calls: list[tuple[int, int]] = []
    report = import_enterprises(ctx, path, actor="importer", progress=lambda done, total: calls.append((done, total)))
    assert (report.rows, report.created, report.updated, report.unchanged, report.warnings) == (3, 3, 0, 0, [])
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert counts(ctx) == (3, 3)
    again = import_enterprises(ctx, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert counts(ctx) == (3, 3)
    read = get_enterprise(ctx, customs_code_for(2))
    assert (read.roles, read.status) == (["ecommerce_enterprise", "ecommerce_platform"], "pending")


def test_import_with_bad_rows_writes_nothing_and_reports_every_problem(ctx: Context, tmp_path: Path) -> None:
    file_enterprise(ctx, enterprise(9))
    path = write(
        tmp_path,
        "ents.csv",
        ENTERPRISE_CSV_HEADER,
        enterprise_csv_row(1),
        enterprise_csv_row(2, uscc="91110000600037341N", roles="ecommerce_platform;bank"),
        enterprise_csv_row(3, customs_code=customs_code_for(1)),
        enterprise_csv_row(4, customs_code=customs_code_for(9)),
        enterprise_csv_row(5, contact_phone="n/a", name=""),
    )
    with pytest.raises(EnterpriseImportInvalid) as caught:
        import_enterprises(ctx, path)
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [
        ("USCC-CHECKSUM", "row[3].uscc"),
        ("ENT-ROLE", "row[3].roles"),
        ("ENT-DUPLICATE-ROW", "row[4].customs_code"),
        ("ENT-TAKEN", "row[5].customs_code"),
        ("ENT-NAME", "row[6].name"),
        ("ENT-PHONE", "row[6].contact_phone"),
    ]
    assert caught.value.message == "ents.csv: 6 problem(s); nothing was imported"
    assert counts(ctx) == (1, 1)


def test_changed_rows_need_update(ctx: Context, tmp_path: Path) -> None:
    import_enterprises(ctx, write(tmp_path, "a.csv", ENTERPRISE_CSV_HEADER, enterprise_csv_row(1)))
    changed = write(
        tmp_path,
        "b.csv",
        ENTERPRISE_CSV_HEADER,
        enterprise_csv_row(1, name="海口新名称有限公司", contact_phone="13900139000"),
    )
    with pytest.raises(EnterpriseImportInvalid) as caught:
        import_enterprises(ctx, changed)
    [problem] = caught.value.problems
    assert (problem.rule_id, problem.field, problem.message) == (
        "ENT-CHANGED",
        "row[2].name",
        f"与已备案信息不同 / enterprise {uscc_for(1)} is filed with different name, contact_phone",
    )
    with ctx.uow() as uow:  # the contact phone's subject key is written with the phone (risk R5.1)
        row = uow.session.scalars(select(Enterprise).where(Enterprise.customs_code == customs_code_for(1))).one()
        assert row.contact_phone_key == subject_key(ctx.cipher.blind_index, "phone", "13800138000")
    report = import_enterprises(ctx, changed, update=True, actor="importer")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    with ctx.uow() as uow:
        row = uow.session.scalars(select(Enterprise).where(Enterprise.customs_code == customs_code_for(1))).one()
        assert row.contact_phone_key == subject_key(ctx.cipher.blind_index, "phone", "13900139000")
    read = get_enterprise(ctx, customs_code_for(1))
    assert (read.name, read.contact_phone, read.status) == ("海口新名称有限公司", "139****9000", "pending")
    last = enterprise_audit(ctx, read.id)[-1]
    assert (last.action, last.actor, last.before, last.after, last.reason) == (
        "enterprises.enterprise.updated",
        "importer",
        {"name": "海口测试电子商务有限公司1", "contact_phone": "138****8000"},
        {"name": "海口新名称有限公司", "contact_phone": "139****9000"},
        "import --update",
    )


def test_json_import_with_role_lists(ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "ents.json"
    rows = [
        {
            "uscc": uscc_for(7),
            "customs_code": customs_code_for(7),
            "name": "海口支付有限公司",
            "roles": ["payment_company", "tax_guarantor"],
            "contact_phone": None,
        }
    ]
    path.write_text(
        json.dumps({"enterprises": rows}, ensure_ascii=False),
        encoding="utf-8",
    )
    report = import_enterprises(ctx, path)
    assert report.created == 1
    read = get_enterprise(ctx, customs_code_for(7))
    assert (read.roles, read.contact_phone, read.dxp_id) == (["payment_company", "tax_guarantor"], None, None)


def test_import_refuses_wrong_columns(ctx: Context, tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "uscc,customs,name,roles", "a,b,c,d")
    with pytest.raises(EnterpriseImportInvalid) as caught:
        import_enterprises(ctx, path)
    assert [p.message for p in caught.value.problems] == [
        "缺少列 / missing columns: customs_code",
        "未知列 / unknown columns: customs",
    ]
    assert counts(ctx) == (0, 0)
