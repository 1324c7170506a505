"""External lists over a database: all-or-nothing loads that replace a kind's entries, the command line, and a
watched party's inventory screened by the live consumer (the list input in its trace)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.builders import PARTIES, a_set
from tests.zone import Zone
from typer.testing import CliRunner

from cbec.cli.main import app
from cbec.cli.state import state
from cbec.risk.errors import RiskInvalid
from cbec.risk.lists import ListKind, list_entries, load_list, load_samples, sample_text
from cbec.risk.lists.models import RiskListLoad
from cbec.risk.models import RiskDecision
from cbec.risk.service import apply_events

WATCH = {"enterprise": PARTIES.agent.code, "agency": "GACC", "reason": "r", "valid_from": "2026-01-01"}


@pytest.fixture
def cli(zone: Zone) -> Iterator[CliRunner]:
    state._ctx = zone.ctx
    yield CliRunner()
    state._ctx = None


def test_a_load_replaces_its_kind_and_a_bad_file_changes_nothing(zone: Zone) -> None:
    loaded = load_samples(zone.ctx, actor="officer.a")
    assert [(r.kind, r.entries, r.replaced) for r in loaded] == [
        ("ipr", 3, 0),
        ("recall", 2, 0),
        ("prohibited", 2, 0),
        ("watch", 2, 0),
    ]
    again = load_list(
        zone.ctx, "watch", json.dumps({"provenance": "test", "entries": [WATCH]}), source="w.json", actor="officer.b"
    )
    assert (again.entries, again.replaced, again.source, again.loaded_by) == (1, 2, "w.json", "officer.b")
    assert [(e.kind, e.key) for e in list_entries(zone.ctx, "watch")] == [("watch", PARTIES.agent.code)]
    bad = {"provenance": "test", "entries": [WATCH, {**WATCH, "enterprise": "x"}]}
    with pytest.raises(RiskInvalid) as caught:
        load_list(zone.ctx, "watch", json.dumps(bad), source="bad.json", actor="officer.b")
    assert [(p.rule_id, p.field) for p in caught.value.problems] == [("RSK-LIST-FIELD", "entries[1].enterprise")]
    with pytest.raises(RiskInvalid) as caught:
        load_list(zone.ctx, "blocked", "{}", source="x.json", actor="officer.b")
    assert [p.rule_id for p in caught.value.problems] == ["RSK-LIST-KIND"]
    assert [(e.kind, e.key) for e in list_entries(zone.ctx, "watch")] == [("watch", PARTIES.agent.code)]
    assert len(list_entries(zone.ctx)) == 3 + 2 + 2 + 1
    with zone.ctx.uow() as uow:
        loads = [
            (r.kind, r.source, r.entries) for r in uow.session.scalars(select(RiskListLoad).order_by(RiskListLoad.id))
        ]
        uow.commit()
    assert loads[-1] == ("watch", "w.json", 1) and len(loads) == 5  # the refused loads left no row


def test_the_command_line_loads_and_lists_and_reports_every_problem(cli: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "ipr.json"
    good.write_text(sample_text(ListKind.IPR), encoding="utf-8")
    done = cli.invoke(app, ["risk", "lists", "load", str(good), "--kind", "ipr", "--actor", "officer.a"])
    assert done.exit_code == 0, done.output
    assert "ipr: 3 entries loaded from ipr.json (replacing 0)" in done.output
    shown = cli.invoke(app, ["risk", "lists", "show", "--kind", "ipr"])
    assert shown.exit_code == 0 and "3 entries" in shown.output and "NORDLYS" in shown.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"entries": [{"brand": "X"}]}), encoding="utf-8")
    refused = cli.invoke(app, ["risk", "lists", "load", str(bad), "--kind", "ipr"])
    assert refused.exit_code == 1
    for rule in ("RSK-LIST-PROVENANCE", "RSK-LIST-FIELD"):
        assert rule in refused.output
    missing = cli.invoke(app, ["risk", "lists", "load", str(tmp_path / "none.json"), "--kind", "ipr"])
    assert missing.exit_code == 2


def test_the_consumer_screens_an_inventory_against_the_lists_in_force(zone: Zone) -> None:
    one = a_set("ORD20260302700001")
    for doc, sender in (
        (one.order, PARTIES.ecommerce),
        (one.payment, PARTIES.payment),
        (one.waybill, PARTIES.logistics),
        (one.inventory, PARTIES.agent),
    ):
        zone.send([doc], sender)
    load_list(zone.ctx, "watch", json.dumps({"provenance": "test", "entries": [WATCH]}), source="w", actor="a")
    assert apply_events(zone.ctx).assessed == 1
    with zone.ctx.uow() as uow:
        decision = uow.session.scalars(select(RiskDecision)).one()
        uow.commit()
    inputs = decision.trace["inputs"]
    # the watch list is loaded (its party is watched); no IPR, recall or prohibited list is: unknown, not 0
    assert {k: inputs[k] for k in ("doc.watched", "doc.ipr_score", "doc.recall_hit", "doc.prohibited_hit")} == {
        "doc.watched": "1",
        "doc.ipr_score": None,
        "doc.recall_hit": None,
        "doc.prohibited_hit": None,
    }
    quality = {t["typology"]: t for t in decision.trace["typologies"]}["quality"]
    assert (quality["score"], quality["band"]) == (20, "none")  # a watch alone does not alert
    statuses = {r["rule"]: r["status"] for r in decision.trace["rules"] if r["typology"] == "quality"}
    assert statuses == {"Q1": "insufficient", "Q2": "insufficient", "Q3": "fired", "Q4": "no_band"}
