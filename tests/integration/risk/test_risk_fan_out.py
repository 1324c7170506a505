"""Laundering inputs over the real counters: one payer paying at many e-commerce enterprises (fan-out), one
enterprise paid by many payers (fan-in), whole-hundred totals counted per payer, and the L rules they fire."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from cbec.risk import repository as repo
from cbec.risk.book import CounterBook
from cbec.risk.rules import SubjectKind, evaluate, parse_input, shipped_ruleset
from cbec.risk.service import Observation, count, counted_subjects, met_links
from cbec.storage.context import Context

DAY = date(2026, 3, 2)
RULES = shipped_ruleset()


def _seen(n: int, payer: str, seller: str, total: str, day: date) -> Observation:
    subjects = {SubjectKind.BUYER: f"buyer-{n}", SubjectKind.PAYER: payer, SubjectKind.ENTERPRISE: seller}
    value = Decimal(total)
    whole = value >= RULES.parameter("round_min") and value % RULES.parameter("round_unit") == 0
    return Observation(f"E{n:017d}", day, subjects, value, False, whole, (("330499", value),))


def test_fan_out_fan_in_and_whole_hundred_counts_over_a_window(ctx: Context) -> None:
    seen = [
        _seen(1, "mule", "4601960101", "1000.00", DAY - timedelta(days=31)),  # outside the 30-day window
        _seen(2, "mule", "4601960102", "2000.00", DAY - timedelta(days=3)),
        _seen(3, "mule", "4601960103", "1000.00", DAY - timedelta(days=1)),
        _seen(4, "mule", "4601960101", "1500.00", DAY),  # 1,500 is whole hundreds too
        _seen(5, "other", "4601960101", "1234.50", DAY),
    ]
    refs = tuple(
        parse_input(name)
        for name in ("payer.enterprises.30d", "payer.round.30d", "enterprise.payers.7d", "enterprise.round.7d")
    )
    wanted = [r for r in refs if not isinstance(r, str)]
    keys = {SubjectKind.PAYER: "mule", SubjectKind.ENTERPRISE: "4601960101"}
    for split in (2, 3):  # two consume batches: the book of the second reads what the first wrote
        with ctx.uow() as uow:
            book = CounterBook(uow.session)
            part = seen[:split] if split == 2 else seen[2:]
            book.load(
                (s for o in part for s in counted_subjects(o)), (k for o in part for k in met_links(o)), part[0].day
            )
            for observation in part:
                count(book, observation)
            in_memory = book.windows(wanted, keys, DAY)
            book.write()
            uow.commit()
    with ctx.uow() as uow:
        found = repo.windows(uow.session, wanted, keys, DAY)
        uow.commit()
    assert in_memory == found  # the book's sums are the stored ones
    # the mule met enterprises 101 (again today: moved to today), 102 and 103 within 30 days; 4 of its totals are
    # whole hundreds, 3 inside the window; enterprise 101 was paid by the mule and by another payer today
    assert found == {
        "payer.enterprises.30d": Decimal(3),
        "payer.round.30d": Decimal(3),
        "enterprise.payers.7d": Decimal(2),
        "enterprise.round.7d": Decimal(1),
    }
    inputs: dict[str, Decimal | None] = {**found, "doc.round_value": Decimal(1), "payer.buyers.30d": Decimal(3)}
    inputs["doc.payer_differs"] = Decimal(1)  # the mule pays for someone else
    scores = {s.typology.value: s for s in evaluate(RULES, inputs).scores}
    laundering = scores["laundering"]
    assert (laundering.score, laundering.band.value) == (90, "hold")  # L1 30 + L2 20 + L3 40
    assert sorted(c.rule for c in laundering.contributions) == ["L1", "L2", "L3"]
    # 2026.3: a buyer paying three sellers for themself is shopping, not a fan-out (L3 needs a third party's
    # whole-hundred payment)
    inputs["doc.payer_differs"] = Decimal(0)
    laundering = next(s for s in evaluate(RULES, inputs).scores if s.typology.value == "laundering")
    assert (laundering.score, sorted(c.rule for c in laundering.contributions)) == (50, ["L1", "L2"])
