"""Publishing the development index (发展指数发布): immutable, signed editions anyone can recompute.

``publish_edition`` computes the index from the inputs as they will be published (cbec.statistics.index.edition),
signs the manifest with the signing function the transport passes (the platform's signer, ``CBEC_SIGNER``; with
signing off the manifest stays unsigned and the edition says so), and stores everything in one transaction with
an audit record. ``verify_edition`` recomputes an edition from its stored inputs and checks the digests and the
signature. An edition is visible to its publisher's tenant, the tenants below it and the tenants above it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cbec.audit import record_audit
from cbec.common.errors import Problem
from cbec.common.scope import Scope
from cbec.messages.signature import verify_document
from cbec.statistics.errors import EditionExists, EditionInvalid, EditionNotFound
from cbec.statistics.index import compute_index, parse_method, parse_observations
from cbec.statistics.index.edition import (
    LABEL,
    Manifest,
    csv_rows,
    inputs_digest,
    manifest_fields,
    method_json,
    observations_csv,
    sha256,
)
from cbec.statistics.models import IndexEdition
from cbec.storage.context import Context

Sign = Callable[[bytes], bytes]


@dataclass(frozen=True, slots=True)
class EditionSummary:
    """An edition as lists show it."""

    label: str
    tenant: str
    method_version: str
    seed: int
    digest: str
    inputs_digest: str
    signed: bool
    published_by: str
    published_at: str
    zones: int
    periods: tuple[str, ...]

    def as_row(self) -> dict[str, Any]:
        """Return the summary as REST and CSV show it."""
        return {
            "label": self.label,
            "tenant": self.tenant,
            "method_version": self.method_version,
            "seed": self.seed,
            "digest": self.digest,
            "inputs_digest": self.inputs_digest,
            "signed": self.signed,
            "published_by": self.published_by,
            "published_at": self.published_at,
            "zones": self.zones,
            "periods": list(self.periods),
        }


@dataclass(frozen=True, slots=True)
class Edition:
    """A whole edition: its summary, the published inputs, the result and the (signed) manifest."""

    summary: EditionSummary
    observations_csv: str
    method_json: str
    result: dict[str, Any]
    manifest_xml: str

    def files(self) -> dict[str, str]:
        """Return the files the edition publishes, by name: enough to recompute it with ``cbec index compute``."""
        return {
            "observations.csv": self.observations_csv,
            "method.json": self.method_json,
            "result.json": json.dumps(self.result, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            "manifest.xml": self.manifest_xml,
        }


@dataclass(frozen=True, slots=True)
class EditionCheck:
    """What recomputing an edition and checking its signature found."""

    label: str
    digest: str
    recomputed: str
    inputs_match: bool
    signed: bool
    signature_valid: bool | None  # None: the edition is unsigned
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether the edition recomputes to its digest and its signature (if any) holds."""
        return not self.problems


def _summary(row: IndexEdition, result: Mapping[str, Any]) -> EditionSummary:
    values = result.get("values", [])
    return EditionSummary(
        label=row.label,
        tenant=row.tenant,
        method_version=row.method_version,
        seed=int(row.seed),
        digest=row.digest,
        inputs_digest=row.inputs_digest,
        signed=bool(row.signed),
        published_by=row.published_by,
        published_at=row.published_at.isoformat(),
        zones=len({v["zone"] for v in values}),
        periods=tuple(sorted({v["period"] for v in values})),
    )


def _visible(scope: Scope, tenant: str) -> bool:
    """An edition is public within the zone's tree: its tenant, the tenants below and those above see it."""
    return scope.tenant is None or scope.admits_tenant(tenant) or Scope(tenant=tenant).admits_tenant(scope.tenant)


def publish_edition(
    ctx: Context,
    *,
    label: str,
    observations: Sequence[Mapping[str, Any]],
    method: Mapping[str, Any],
    seed: int,
    actor: str,
    tenant: str,
    sign: Sign,
) -> EditionSummary:
    """Compute and publish an edition of the index; EditionExists when the label is taken.

    The inputs are checked first (IndexInputInvalid lists every problem); nothing is stored unless all is well.
    """
    if not LABEL.match(label or ""):
        raise EditionInvalid(
            "the edition label is not usable",
            problems=[
                Problem(
                    "IDX-EDITION-LABEL",
                    "label",
                    f"版次标识无效 {label!r} / the edition label must be 1-40 letters, digits, '.', '_' or '-'",
                    "E.g. 2026-Q3 or zone-2026.1.",
                )
            ],
        )
    if not 0 <= seed < 2**63:
        raise EditionInvalid(
            "the seed is out of range",
            problems=[Problem("IDX-EDITION-SEED", "seed", "种子超出范围 / seed out of range", "Use 0 ≤ seed < 2^63.")],
        )
    spec = parse_method(method)
    published_method = method_json(method)
    published_observations = observations_csv(parse_observations(observations, spec))
    # Computed from the published texts read back, so that anyone recomputing from them gets these bytes.
    read_back = parse_method(json.loads(published_method))
    result = compute_index(parse_observations(csv_rows(published_observations), read_back), read_back, seed=seed)
    now = ctx.clock.now()
    manifest = Manifest(
        label=label,
        tenant=tenant,
        method_version=read_back.version,
        seed=seed,
        numpy_version=str(result["numpy"]),
        observations_sha256=sha256(published_observations),
        method_sha256=sha256(published_method),
        result_digest=str(result["digest"]),
        published_by=actor,
        published_at=now,
    )
    unsigned = manifest.xml()
    signed_xml = sign(unsigned)
    row = IndexEdition(
        label=label,
        tenant=tenant,
        method_version=read_back.version,
        seed=seed,
        numpy_version=str(result["numpy"]),
        observations_csv=published_observations,
        method_json=published_method,
        inputs_digest=inputs_digest(published_observations, published_method, seed),
        result_json=json.dumps(result, ensure_ascii=False, sort_keys=True),
        digest=str(result["digest"]),
        manifest_xml=signed_xml.decode("utf-8"),
        signed=signed_xml != unsigned,
        published_by=actor,
        published_at=now,
    )
    try:
        with ctx.uow() as uow:
            session = uow.session
            if session.scalar(select(IndexEdition.id).where(IndexEdition.label == label)) is not None:
                raise _exists(label)
            session.add(row)
            session.flush()
            record_audit(
                session,
                at=now,
                actor=actor,
                action="index.edition.published",
                entity_type="index_edition",
                entity_key=label,
                after={"digest": row.digest, "inputs_digest": row.inputs_digest, "signed": row.signed},
            )
            uow.commit()
            return _summary(row, result)
    except IntegrityError as exc:  # published by someone else between the check and the insert
        raise _exists(label) from exc


def _exists(label: str) -> EditionExists:
    return EditionExists(
        f"edition {label} exists",
        problems=[
            Problem(
                "IDX-EDITION-EXISTS",
                "label",
                f"版次 {label} 已发布，不可更改 / edition {label} is published and cannot change",
                "Publish a correction under a new label.",
            )
        ],
    )


def _row(session: Session, label: str, scope: Scope) -> IndexEdition:
    row = session.scalar(select(IndexEdition).where(IndexEdition.label == label))
    if row is None or not _visible(scope, row.tenant):
        raise EditionNotFound(
            f"no edition {label}",
            problems=[
                Problem(
                    "IDX-EDITION-NOT-FOUND",
                    "label",
                    f"没有版次 {label} / no edition {label}",
                    "List the editions: cbec index editions.",
                )
            ],
        )
    return row


def list_editions(ctx: Context, scope: Scope) -> list[EditionSummary]:
    """Return the editions the caller may see, newest first."""
    with ctx.uow() as uow:
        rows = uow.session.scalars(
            select(IndexEdition).order_by(IndexEdition.published_at.desc(), IndexEdition.id.desc())
        )
        return [_summary(r, json.loads(r.result_json)) for r in rows if _visible(scope, r.tenant)]


def get_edition(ctx: Context, label: str, scope: Scope) -> Edition:
    """Return one edition with its published inputs, result and manifest; EditionNotFound otherwise."""
    with ctx.uow() as uow:
        row = _row(uow.session, label, scope)
        result = json.loads(row.result_json)
        return Edition(_summary(row, result), row.observations_csv, row.method_json, result, row.manifest_xml)


def verify_edition(ctx: Context, label: str, scope: Scope) -> EditionCheck:
    """Recompute an edition from its published inputs and check its digests and signature."""
    edition = get_edition(ctx, label, scope)
    return check_edition(edition.observations_csv, edition.method_json, edition.summary, edition.manifest_xml)


def check_edition(observations: str, method: str, summary: EditionSummary, manifest_xml: str) -> EditionCheck:
    """Check published inputs against an edition's digests and manifest (pure: no database)."""
    problems: list[Problem] = []
    spec = parse_method(json.loads(method))
    result = compute_index(parse_observations(csv_rows(observations), spec), spec, seed=summary.seed)
    recomputed = str(result["digest"])
    if recomputed != summary.digest:
        problems.append(
            Problem(
                "IDX-EDITION-DIGEST",
                "digest",
                f"重算摘要 {recomputed[:12]}… 与发布的 {summary.digest[:12]}… 不符 / the recomputed digest differs",
                f"Check the numpy version (published with {result['numpy']}) and the inputs.",
            )
        )
    matches = inputs_digest(observations, method, summary.seed) == summary.inputs_digest
    if not matches:
        problems.append(
            Problem("IDX-EDITION-INPUTS", "inputs", "输入与发布的不符 / inputs differ", "Use the published files.")
        )
    named = manifest_fields(manifest_xml.encode("utf-8"))
    expected = {
        "Label": summary.label,
        "ResultDigest": summary.digest,
        "ObservationsSha256": sha256(observations),
        "MethodSha256": sha256(method),
        "Seed": str(summary.seed),
    }
    for name, value in expected.items():
        if named.get(name) != value:
            problems.append(
                Problem(
                    "IDX-EDITION-MANIFEST",
                    name,
                    f"清单的 {name} 与版次不符 / the manifest's {name} does not match",
                    "The edition was altered after publication.",
                )
            )
    valid: bool | None = None
    if summary.signed:
        verdict = verify_document(manifest_xml.encode("utf-8"))
        valid = verdict.valid
        problems.extend(verdict.problems)
    return EditionCheck(summary.label, summary.digest, recomputed, matches, summary.signed, valid, problems)
