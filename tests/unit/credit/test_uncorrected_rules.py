"""Rules of publication past the maximum (pure): hypothesis over windows, days and flags — a flag is accepted only for
a current negative fact before its maximum, with a rule, a reason and an end after the maximum (or none); and
maker-checker compares accounts, else usernames, and an account's proposal needs an account to approve it."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cbec.credit.models import CreditFact
from cbec.credit.repair import maker_checker
from cbec.credit.schemas import UncorrectedIn
from cbec.credit.service.uncorrected import check_flag

START = date(2026, 1, 1)


@given(
    severity=st.sampled_from(("minor", "general", "serious", "positive", "neutral")),
    fact_type=st.sampled_from(("penalty", "list_entry", "customs_tier")),
    max_days=st.one_of(st.none(), st.integers(1, 900)),
    today_days=st.integers(0, 1200),
    until_days=st.one_of(st.none(), st.integers(0, 1500)),
    current=st.booleans(),
    reason=st.sampled_from(("", " ", "未缴清罚款")),
)
def test_a_flag_is_accepted_only_before_the_maximum_for_a_current_negative_fact(
    severity: str,
    fact_type: str,
    max_days: int | None,
    today_days: int,
    until_days: int | None,
    current: bool,
    reason: str,
) -> None:
    window_max = START + timedelta(days=max_days) if max_days is not None else None
    fact = CreditFact(id=1, fact_type=fact_type, severity=severity, publish_max_until=window_max)
    until = START + timedelta(days=until_days) if until_days is not None else None
    today = START + timedelta(days=today_days)
    problems = check_flag(
        fact, current, UncorrectedIn(fact_id=1, legal_basis="行业规定", reason=reason, until=until), today
    )
    accepted = not problems
    expected = (
        current
        and severity in ("minor", "general", "serious")
        and fact_type != "customs_tier"
        and window_max is not None
        and today < window_max
        and (until is None or until > window_max)
        and reason.strip() != ""
    )
    assert accepted == expected


def test_maker_checker_compares_accounts_else_usernames() -> None:
    same_account = maker_checker("alice:k2", applicant=None, maker="alice:k1", what="x", account=7, maker_account=7)
    assert [p.rule_id for p in same_account] == ["CRD-MAKER-CHECKER"]
    assert maker_checker("bob:k1", applicant=None, maker="alice:k1", what="x", account=8, maker_account=7) == []
    by_name = maker_checker("alice", applicant=None, maker="alice:k1", what="x", account=None, maker_account=None)
    assert [p.rule_id for p in by_name] == ["CRD-MAKER-CHECKER"]  # the same username, one side without an account
    free = maker_checker("bob", applicant=None, maker="alice:k1", what="x", account=None, maker_account=7)
    assert ([p.rule_id for p in free], "--as" in free[0].hint) == (["CRD-MAKER-CHECKER"], True)
    assert maker_checker("bob", applicant=None, maker="alice", what="x") == []  # the CLI alone, as before
