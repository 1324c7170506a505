"""Pure rules of risk disposal: pivot choice, actions and maker-checker, snooze expiry, precision and drift."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from cbec.risk.cases.rules import (
    ActionIn,
    Labelled,
    PivotKind,
    Snooze,
    check_action,
    check_confirm,
    check_snooze,
    choose_pivot,
    is_snoozed,
    iso_week,
    open_key,
    precision,
    tally,
)

SUBJECTS = {"buyer": "b1", "payer": "p1", "phone": "ph1", "address": "ad1", "enterprise": "E1", "platform": "P1"}
NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


def ids(problems: list) -> list[str]:
    return [p.rule_id for p in problems]


def test_the_pivot_follows_the_typology() -> None:
    assert choose_pivot("order_splitting", SUBJECTS) == (PivotKind.BUYER, "b1")
    assert choose_pivot("id_misuse", SUBJECTS) == (PivotKind.BUYER, "b1")
    assert choose_pivot("fake_order", SUBJECTS) == (PivotKind.PHONE, "ph1")
    assert choose_pivot("undervaluation", SUBJECTS) == (PivotKind.ENTERPRISE, "E1")
    assert choose_pivot("quality", SUBJECTS) == (PivotKind.ENTERPRISE, "E1")
    # fallbacks: a ring without a phone key pivots on its address, then on the platform
    assert choose_pivot("fake_order", {**SUBJECTS, "phone": ""}) == (PivotKind.ADDRESS, "ad1")
    assert choose_pivot("fake_order", {"platform": "P1", "enterprise": "E1"}) == (PivotKind.PLATFORM, "P1")
    assert choose_pivot("order_splitting", {"enterprise": "E1"}) == (PivotKind.ENTERPRISE, "E1")
    assert choose_pivot("order_splitting", {}) is None
    assert open_key(None, "buyer", "b1") == "-|buyer|b1" and open_key("hub/x", "buyer", "b1") == "hub/x|buyer|b1"


def test_an_alert_of_a_party_s_rules_alone_pivots_on_that_party() -> None:
    # S7 (R1.5, the platform's bunched week) alone: a platform alert; with S1 (the buyer's own splitting): the buyer's
    assert choose_pivot("order_splitting", SUBJECTS, ["S7"]) == (PivotKind.PLATFORM, "P1")
    assert choose_pivot("order_splitting", SUBJECTS, ["S1", "S7"]) == (PivotKind.BUYER, "b1")
    # F4 (R2.5, the seller's quick cancels and returns) alone: the seller's; with F1 (a shared phone): the phone's
    assert choose_pivot("fake_order", SUBJECTS, ["F4"]) == (PivotKind.ENTERPRISE, "E1")
    assert choose_pivot("fake_order", SUBJECTS, ["F1", "F4"]) == (PivotKind.PHONE, "ph1")
    assert choose_pivot("fake_order", {"phone": "ph1", "platform": "P1"}, ["F4"]) == (PivotKind.PHONE, "ph1")


def test_actions_are_typed_and_closed_cases_take_none() -> None:
    assert check_action(ActionIn("inspect"), state="open", pending=0) == []
    assert ids(check_action(ActionIn("inspect"), state="closed", pending=0)) == ["RSK-CASE-CLOSED"]
    assert ids(check_action(ActionIn("burn"), state="open", pending=0)) == ["RSK-CASE-ACTION"]
    assert ids(check_action(ActionIn("note", "  "), state="open", pending=0)) == ["RSK-CASE-COMMENT"]
    assert ids(check_action(ActionIn("return"), state="open", pending=0)) == ["RSK-CASE-COMMENT"]
    assert ids(check_action(ActionIn("refer_agency", "x", agency="nasa"), state="open", pending=0)) == [
        "RSK-CASE-AGENCY"
    ]
    assert check_action(ActionIn("refer_agency", "x", agency="tax"), state="open", pending=0) == []
    assert ids(check_action(ActionIn("propose_list_entry", "x"), state="open", pending=0)) == ["RSK-CASE-LIST"]
    assert ids(check_action(ActionIn("close", outcome="maybe"), state="open", pending=1)) == [
        "RSK-CASE-OUTCOME",
        "RSK-CASE-PENDING",
    ]
    assert check_action(ActionIn("close", outcome="false_positive"), state="open", pending=0) == []
    message = check_action(ActionIn("inspect"), state="closed", pending=0)[0].message
    assert "已结案" in message and "closed" in message


def test_maker_checker_never_lets_the_proposer_decide() -> None:
    assert ids(check_confirm("li", maker="li", state="proposed", decision="confirm")) == ["RSK-CASE-SELF-APPROVAL"]
    assert ids(check_confirm("li", maker="li", state="proposed", decision="reject")) == ["RSK-CASE-SELF-APPROVAL"]
    assert check_confirm("wang", maker="li", state="proposed", decision="confirm") == []
    # one officer with two API keys (username:key prefix) or a key and a session is one person
    assert ids(check_confirm("li:cbec_B", maker="li:cbec_A", state="proposed", decision="confirm")) == [
        "RSK-CASE-SELF-APPROVAL"
    ]
    assert ids(check_confirm("li", maker="li:cbec_A", state="proposed", decision="confirm")) == [
        "RSK-CASE-SELF-APPROVAL"
    ]
    assert check_confirm("lin:cbec_B", maker="li:cbec_A", state="proposed", decision="confirm") == []
    assert ids(check_confirm("wang", maker="li", state="confirmed", decision="confirm")) == ["RSK-CASE-NOT-PENDING"]
    assert ids(check_confirm("wang", maker="li", state="done", decision="reject")) == ["RSK-CASE-NOT-PENDING"]
    assert ids(check_confirm("wang", maker="li", state="proposed", decision="maybe")) == ["RSK-CASE-DECISION"]


def test_a_snooze_silences_an_alert_only_while_in_force_and_only_when_all_its_rules_are_snoozed() -> None:
    pivot = ("phone", "ph1")
    snoozes = [Snooze("F1", "phone", "ph1", NOW + timedelta(days=1)), Snooze("F2", "phone", "ph1", NOW)]
    assert is_snoozed(["F1"], pivot, snoozes, NOW)
    assert is_snoozed(["F1"], pivot, snoozes, NOW + timedelta(days=1) - timedelta(microseconds=1))
    assert not is_snoozed(["F1"], pivot, snoozes, NOW + timedelta(days=1))  # expired at its end
    assert not is_snoozed(["F2"], pivot, snoozes, NOW)  # ends at NOW
    assert not is_snoozed(["F1", "F3"], pivot, snoozes, NOW)  # F3 still speaks
    assert not is_snoozed(["F1"], ("phone", "other"), snoozes, NOW)
    assert not is_snoozed([], pivot, snoozes, NOW)
    assert ids(check_snooze("F1", ["F1"], 0)) == ["RSK-CASE-SNOOZE"]
    assert ids(check_snooze("ZZ", ["F1"], 30)) == ["RSK-CASE-SNOOZE"]
    assert check_snooze("F1", ["F1"], 365) == []


def test_precision_and_weekly_volume_per_rule_and_typology() -> None:
    assert precision(0, 0) is None
    assert precision(2, 3) == Decimal("0.6667")
    assert precision(1, 8) == Decimal("0.1250")
    assert iso_week(date(2026, 3, 1)) == "2026-W09" and iso_week(date(2026, 3, 2)) == "2026-W10"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    alerts = [
        Labelled("fake_order", ("F1", "F2"), date(2026, 3, 1), "confirmed", False),
        Labelled("fake_order", ("F1",), date(2026, 3, 2), "false_positive", False),
        Labelled("fake_order", ("F1",), date(2026, 3, 2), None, True),
        Labelled("order_splitting", ("S1",), date(2026, 3, 2), "valuable", False),
    ]
    by_rule, by_typology = tally(alerts)
    f1 = by_rule["F1"]
    assert (f1.alerts, f1.snoozed, f1.labelled, f1.true, f1.false_positives) == (3, 1, 2, 1, 1)
    assert f1.precision == Decimal("0.5000") and f1.weeks == {"2026-W09": 1, "2026-W10": 2}
    assert by_rule["F2"].precision == Decimal("1.0000")
    assert list(by_typology) == ["fake_order", "order_splitting"]
    assert by_typology["order_splitting"].precision == Decimal("1.0000")
    assert by_typology["fake_order"].alerts == 3
