"""Published editions of the development index: immutable, signed, recomputed bit for bit from what they publish."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select, update

from cbec.common.scope import Scope
from cbec.messages.signature import sign_document
from cbec.messages.signature_signers import SignatureAlgorithm, generate_test_identity
from cbec.statistics import (
    EditionExists,
    EditionInvalid,
    EditionNotFound,
    IndexInputInvalid,
    compute_index,
    parse_method,
    parse_observations,
    shipped_method,
)
from cbec.statistics.index.edition import csv_rows, manifest_fields
from cbec.statistics.models import IndexEdition
from cbec.statistics.queries import get_edition, list_editions
from cbec.statistics.service import publish_edition, verify_edition
from cbec.storage.context import Context

CODES = [i["code"] for i in shipped_method()["indicators"]]


def _observations(zones: tuple[str, ...] = ("hub/a", "hub/b", "hub/c")) -> list[dict[str, Any]]:
    rows = []
    for z, zone in enumerate(zones):
        for period in ("2025", "2026"):
            for j, code in enumerate(CODES):
                value = 10.0 * (z + 1) + j + (0.5 if period == "2026" else 0.0) + 1 / 3
                rows.append({"zone": zone, "period": period, "indicator": code, "value": str(value)})
    return rows


def _unsigned(xml: bytes) -> bytes:
    return xml


def _count(ctx: Context) -> int:
    with ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(IndexEdition)) or 0)


def _publish(ctx: Context, label: str = "2026-A", tenant: str = "hub", sign: Any = _unsigned) -> Any:
    return publish_edition(
        ctx,
        label=label,
        observations=_observations(),
        method=shipped_method(),
        seed=7,
        actor="zone.office",
        tenant=tenant,
        sign=sign,
    )


def test_an_edition_is_recomputed_from_its_published_files_alone(ctx: Context) -> None:
    done = _publish(ctx)
    edition = get_edition(ctx, "2026-A", Scope(tenant="hub"))
    method = parse_method(json.loads(edition.method_json))
    again = compute_index(parse_observations(csv_rows(edition.observations_csv), method), method, seed=7)
    assert again["digest"] == done.digest == edition.result["digest"]
    assert edition.observations_csv.splitlines()[0:2] == [
        "zone,period,indicator,value",
        "hub/a,2025,import_value_cny,10.333333333333334",
    ]
    assert (done.zones, done.periods, done.signed, done.method_version) == (3, ("2025", "2026"), False, "zone-2026.1")
    check = verify_edition(ctx, "2026-A", Scope(tenant="hub"))
    assert (check.ok, check.recomputed, check.inputs_match, check.signature_valid) == (True, done.digest, True, None)
    assert [e.label for e in list_editions(ctx, Scope(tenant="hub"))] == ["2026-A"]


def test_a_label_is_published_once_and_nothing_else_is_stored(ctx: Context) -> None:
    _publish(ctx)
    with pytest.raises(EditionExists) as taken:
        _publish(ctx)
    assert [p.rule_id for p in taken.value.problems] == ["IDX-EDITION-EXISTS"]
    with pytest.raises(EditionInvalid) as bad:
        _publish(ctx, label="2026 Q3 / draft")
    assert [p.rule_id for p in bad.value.problems] == ["IDX-EDITION-LABEL"]
    with pytest.raises(IndexInputInvalid) as unusable:
        publish_edition(
            ctx,
            label="2026-B",
            observations=[{"zone": "hub/a", "period": "2026", "indicator": "nonsense", "value": "1"}],
            method=shipped_method(),
            seed=7,
            actor="zone.office",
            tenant="hub",
            sign=_unsigned,
        )
    assert [p.rule_id for p in unusable.value.problems] == ["IDX-OBS"]
    assert _count(ctx) == 1


def test_a_signed_edition_verifies_and_an_altered_one_does_not(ctx: Context) -> None:
    signer, _ = generate_test_identity(SignatureAlgorithm.SM2_SM3, "cbec index publisher", seed=b"index-edition")
    done = _publish(ctx, sign=lambda xml: sign_document(xml, signer))
    assert done.signed is True
    edition = get_edition(ctx, "2026-A", Scope())
    assert manifest_fields(edition.manifest_xml.encode())["ResultDigest"] == done.digest
    check = verify_edition(ctx, "2026-A", Scope())
    assert (check.ok, check.signature_valid) == (True, True)

    with ctx.uow() as uow:  # someone edits a published value behind the platform's back
        altered = edition.observations_csv.replace("10.333333333333334", "99.0", 1)
        uow.session.execute(update(IndexEdition).values(observations_csv=altered))
        uow.commit()
    check = verify_edition(ctx, "2026-A", Scope())
    assert check.ok is False
    assert [p.rule_id for p in check.problems] == [
        "IDX-EDITION-DIGEST",
        "IDX-EDITION-INPUTS",
        "IDX-EDITION-MANIFEST",
    ]
    assert check.signature_valid is True  # the manifest itself was not touched: it names the true digests

    with ctx.uow() as uow:  # and a forged manifest breaks the signature
        forged = edition.manifest_xml.replace(done.digest, "0" * 64)
        uow.session.execute(update(IndexEdition).values(manifest_xml=forged, observations_csv=edition.observations_csv))
        uow.commit()
    check = verify_edition(ctx, "2026-A", Scope())
    assert check.signature_valid is False
    assert "IDX-EDITION-MANIFEST" in [p.rule_id for p in check.problems]


def test_editions_are_seen_up_and_down_the_tree_but_not_sideways(ctx: Context) -> None:
    _publish(ctx, label="hub-2026", tenant="hub")
    _publish(ctx, label="a-2026", tenant="hub/a")
    assert [e.label for e in list_editions(ctx, Scope(tenant="hub/a"))] == ["a-2026", "hub-2026"]
    assert [e.label for e in list_editions(ctx, Scope(tenant="hub/b"))] == ["hub-2026"]
    assert [e.label for e in list_editions(ctx, Scope(tenant="hub"))] == ["a-2026", "hub-2026"]
    with pytest.raises(EditionNotFound) as hidden:
        get_edition(ctx, "a-2026", Scope(tenant="hub/b"))
    assert [p.rule_id for p in hidden.value.problems] == ["IDX-EDITION-NOT-FOUND"]
