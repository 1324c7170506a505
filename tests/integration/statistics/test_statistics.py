"""Statistics monitoring over a real clearance store: dashboard figures, scopes, dossiers, targets, reports."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from tests.builders import BUYER, PARTIES
from tests.web.support import mismatched_set, released_set, send_sets
from tests.zone import Zone

from cbec.audit.models import AuditRecord
from cbec.clearance.queries import search_inventories
from cbec.common.errors import NotFound
from cbec.common.scope import EVERYTHING, Scope
from cbec.quota import query_quota
from cbec.sharing.models import OutboxEvent
from cbec.statistics import ReportInvalid, ReportStatusConflict, TargetInvalid
from cbec.statistics.models import ConsumerReport, ZoneTarget
from cbec.statistics.queries import (
    document_history,
    inventory_dossier,
    list_reports,
    party_inventories,
    party_receipts,
    party_tax_bills,
    zone_overview,
)
from cbec.statistics.service import file_consumer_report, issue_report_token, review_consumer_report, set_target
from cbec.statistics.views import CountryFigures, DailyPoint, ModeFigures, RuleCount

O1, O2, O3 = (f"ORD2026030200030{n}" for n in range(1, 4))


def _day(zone: Zone) -> None:
    """One released set, one refused by 三单对碰 (CEB-M3), one inventory refused before storing (CEB-R10)."""
    send_sets(zone, [released_set(O1), mismatched_set(O2)])
    zone.send([released_set(O3).inventory], PARTIES.agent, sign=False)


def _eport(zone: Zone, order_no: str) -> str:
    [item], _ = search_inventories(zone.ctx, order_no=order_no)
    return item.eport_no


def test_zone_overview_counts_declarations_releases_and_refusals(zone: Zone) -> None:
    _day(zone)
    overview = zone_overview(zone.ctx)
    assert overview.day == date(2026, 3, 2)
    today = overview.today
    assert (today.declared, today.released, today.refused) == (3, 1, 2)
    assert (today.released_value, today.tax) == (Decimal("606.00"), Decimal("55.15"))
    assert (today.release_rate, today.refusal_rate) == (Decimal("33.3"), Decimal("66.7"))
    assert today.modes == (ModeFigures("9610", "import", 2, 1, Decimal("606.00"), Decimal("55.15")),)
    assert overview.month.declared == 3
    assert overview.refusal_reasons == (
        RuleCount("CEB-M3", 1, Decimal("50.0")),
        RuleCount("CEB-R10", 1, Decimal("50.0")),
    )
    assert overview.origins == (CountryFigures("116", "日本", "Japan", 1, Decimal("596.00")),)
    assert overview.daily == (
        DailyPoint(date(2026, 3, 1), 0, Decimal("0")),
        DailyPoint(date(2026, 3, 2), 1, Decimal("606.00")),
    )
    assert overview.waiting == {}


def test_an_empty_zone_has_no_rates(zone: Zone) -> None:
    overview = zone_overview(zone.ctx, on=date(2026, 1, 5))
    assert (overview.today.declared, overview.today.release_rate, overview.today.refusal_rate) == (0, None, None)
    assert (overview.refusal_reasons, overview.origins) == ((), ())
    assert [t.target for t in overview.targets] == [None, None, None]


def test_targets_progress_against_the_year_to_date(zone: Zone) -> None:
    _day(zone)
    set_target(zone.ctx, year=2026, indicator="released_count", target="4", actor="admin")
    set_target(zone.ctx, year=2026, indicator="trade_value", target="5,000,000,000", actor="admin")
    set_target(zone.ctx, year=2026, indicator="trade_value", target="6000", actor="admin")
    progress = {t.indicator: t for t in zone_overview(zone.ctx).targets}
    assert (progress["released_count"].actual, progress["released_count"].share) == (Decimal(1), Decimal("25.0"))
    assert (progress["trade_value"].target, progress["trade_value"].share) == (Decimal("6000"), Decimal("10.1"))
    assert (progress["tax_revenue"].actual, progress["tax_revenue"].target) == (Decimal("55.15"), None)
    assert progress["trade_value"].elapsed == Decimal("16.7")  # day 61 of 365
    with zone.ctx.session_factory() as session:
        changes = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "statistics.target.set").order_by(AuditRecord.id)
        ).all()
        assert [(a.entity_key, a.before, a.after) for a in changes][-1] == (
            "2026:trade_value",
            {"target": "5000000000"},
            {"target": "6000"},
        )


def test_a_target_breaking_rules_is_refused_with_every_problem_and_not_written(zone: Zone) -> None:
    with pytest.raises(TargetInvalid) as raised:
        set_target(zone.ctx, year=1999, indicator="parcels", target="-3", actor=" ")
    assert [p.rule_id for p in raised.value.problems] == [
        "STAT-TARGET-INDICATOR",
        "STAT-TARGET-YEAR",
        "STAT-TARGET-VALUE",
        "STAT-TARGET-ACTOR",
    ]
    with pytest.raises(TargetInvalid) as fractional:
        set_target(zone.ctx, year=2026, indicator="released_count", target="2.5", actor="admin")
    assert fractional.value.problems[0].message == "票数目标须为整数 / a count target must be a whole number"
    with zone.ctx.session_factory() as session:
        assert session.scalars(select(ZoneTarget)).all() == []
        assert session.scalars(select(AuditRecord).where(AuditRecord.action.like("statistics.%"))).all() == []


def test_a_party_sees_only_documents_that_name_it(zone: Zone) -> None:
    _day(zone)
    shop = Scope(parties=frozenset({PARTIES.ecommerce.code}))
    payer = Scope(parties=frozenset({PARTIES.payment.code}))
    assert party_inventories(zone.ctx, scope=shop)[1] == 2
    assert party_inventories(zone.ctx, scope=payer)[1] == 0
    assert party_inventories(zone.ctx, scope=Scope(parties=frozenset()))[1] == 0
    [found], total = party_inventories(zone.ctx, scope=EVERYTHING, number="L" + O1)
    assert (found.order_no, total) == (O1, 1)
    assert document_history(zone.ctx, "46012026I000000001", scope=shop).summary.order_no == O1
    with pytest.raises(NotFound):
        document_history(zone.ctx, "46012026I000000001", scope=payer)
    assert [b.total for b in party_tax_bills(zone.ctx, scope=shop)[0]] == [Decimal("55.15")]
    assert party_tax_bills(zone.ctx, scope=payer) == ([], 0)


def test_receipts_of_a_party_include_refusals_never_stored(zone: Zone) -> None:
    _day(zone)
    views = party_receipts(zone.ctx, scope=Scope(parties=frozenset({PARTIES.agent.code})))
    refusals = [v for v in views if v.refused]
    assert [(v.document_kind, [p.rule_id for p in v.problems]) for v in refusals] == [
        ("inventory", ["CEB-R10"]),
        ("inventory", ["CEB-M3"]),
    ]
    assert party_receipts(zone.ctx, scope=Scope(parties=frozenset({"0000000000"}))) == []


def test_history_reads_the_refusal_back(zone: Zone) -> None:
    _day(zone)
    history = document_history(zone.ctx, _eport(zone, O2))
    assert [r.receipt.status for r in history.receipts] == ["2", "100"]
    [problem] = history.receipts[1].problems
    assert (problem.rule_id, problem.field) == ("CEB-M3", "payment.amount_paid")
    assert history.tax_bill is None


def test_dossier_masks_personal_data_and_flags_what_differs(zone: Zone) -> None:
    _day(zone)
    dossier = inventory_dossier(zone.ctx, _eport(zone, O2))
    rows = {row.field: row for row in dossier.comparison}
    assert (rows["buyer_name"].order, rows["buyer_id_number"].payment) == ("张*", "110105********002X")
    assert rows["consignee_address"].waybill == "海南省海口市********"
    assert (rows["amount_paid"].order, rows["amount_paid"].payment, rows["amount_paid"].consistent) == (
        "661.15",
        "651.15",
        False,
    )
    assert [r.field for r in dossier.comparison if not r.consistent] == ["amount_paid"]
    assert dossier.missing == ()
    assert [(x.hs_code, x.origin_country, x.total_price) for x in dossier.inventory_lines] == [
        ("1901101000", "116", Decimal("596.00"))
    ]
    assert BUYER.id_number not in repr(dossier) and BUYER.phone not in repr(dossier)


def test_a_consumer_reports_an_inventory_once_and_the_office_closes_it(zone: Zone) -> None:
    _day(zone)
    statement = query_quota(zone.ctx, id_number=BUYER.id_number, name=BUYER.name)
    token = issue_report_token(zone.ctx, id_number=BUYER.id_number, statement=statement)
    eport = _eport(zone, O1)
    first = file_consumer_report(zone.ctx, token=token, inventory_ref=eport, note="不是我买的")
    again = file_consumer_report(zone.ctx, token=token, inventory_ref=eport)
    # CR + business date + the row's id (ids come from a sequence that other tests of the run also draw from)
    assert first.reference_no.startswith("CR20260302") and len(first.reference_no) == 16
    assert (first.already_reported, again.reference_no, again.already_reported) == (False, first.reference_no, True)
    [view], total = list_reports(zone.ctx, status="open")
    assert (total, view.inventory_no, view.order_no, view.note) == (1, "46012026I000000001", O1, "不是我买的")
    with zone.ctx.session_factory() as session:
        stored = session.scalars(select(ConsumerReport)).one()
        assert stored.note != "不是我买的"  # encrypted at rest
    with pytest.raises(ReportInvalid) as invalid:
        review_consumer_report(zone.ctx, first.reference_no, actor="admin", comment=" ", outcome="maybe")
    assert [p.rule_id for p in invalid.value.problems] == ["STAT-REPORT-COMMENT", "STAT-REPORT-OUTCOME"]
    review_consumer_report(zone.ctx, first.reference_no, actor="admin", comment="已联系平台", outcome="not_confirmed")
    with pytest.raises(ReportStatusConflict):
        review_consumer_report(zone.ctx, first.reference_no, actor="admin", comment="again", outcome="confirmed")
    [reviewed], _ = list_reports(zone.ctx, status="reviewed")
    assert (reviewed.outcome, reviewed.review_comment) == ("not_confirmed", "已联系平台")
    with zone.ctx.session_factory() as session:
        assert session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "report")).all() == []  # not confirmed
    with zone.ctx.session_factory() as session:
        actions = session.scalars(
            select(AuditRecord.action).where(AuditRecord.entity_type == "consumer_report").order_by(AuditRecord.id)
        ).all()
    assert actions == ["statistics.consumer_report.filed", "statistics.consumer_report.reviewed"]


def test_a_report_needs_a_fresh_lookup_of_that_inventory(zone: Zone, clock) -> None:
    _day(zone)
    statement = query_quota(zone.ctx, id_number=BUYER.id_number, name=BUYER.name)
    token = issue_report_token(zone.ctx, id_number=BUYER.id_number, statement=statement)
    with pytest.raises(ReportInvalid) as elsewhere:
        file_consumer_report(zone.ctx, token=token, inventory_ref="B20260302999999999")
    assert elsewhere.value.problems[0].rule_id == "STAT-REPORT-INVENTORY"
    with pytest.raises(ReportInvalid) as forged:
        file_consumer_report(zone.ctx, token="k1:AAAA", inventory_ref=_eport(zone, O1))
    assert forged.value.problems[0].rule_id == "STAT-REPORT-TOKEN"
    clock.advance(timedelta(minutes=31))
    with pytest.raises(ReportInvalid) as expired:
        file_consumer_report(zone.ctx, token=token, inventory_ref=_eport(zone, O1))
    assert expired.value.problems[0].rule_id == "STAT-REPORT-TOKEN"
    with zone.ctx.session_factory() as session:
        assert session.scalars(select(ConsumerReport)).all() == []


def test_a_city_sees_only_the_inventories_of_its_enterprises(zone: Zone) -> None:
    _day(zone)
    city = zone_overview(zone.ctx, scope=Scope(tenant="hub/sanya"))
    assert (city.today.declared, city.today.released, city.today.refused, city.origins) == (0, 0, 0, ())
    hub = zone_overview(zone.ctx, scope=Scope(tenant="hub"))
    assert (hub.today.declared, hub.today.released, hub.today.refused) == (2, 1, 1)  # unstored refusals stay out
    assert party_inventories(zone.ctx, scope=Scope(tenant="hub/sanya")) == ([], 0)
