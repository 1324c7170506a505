"""Use cases of the reference data (参数/基础数据): seed the built-in tables, load files, read tables.

Loading is all or nothing: every row is validated first and any bad row means nothing is written. Loading
the same rows again changes nothing; a row with a later ``valid_from`` closes the row before it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from cbec.common.errors import InvalidInput, Problem
from cbec.reference import repository as repo
from cbec.reference.errors import GoodsNotFound, ReferenceFileInvalid, UnknownReferenceTable
from cbec.reference.files import read_csv_text, read_records
from cbec.reference.lookups import lookup_goods
from cbec.reference.rows import CodeRow, ReferenceRow, parse_records, row_columns
from cbec.reference.rules import CODE_TABLES, ReferenceKind, chain_valid_to, plain
from cbec.reference.schemas import GoodsRead, LoadReport, ReferencePage
from cbec.storage.context import Context

DATA_PACKAGE = "cbec.reference"
BUILTIN_FILES = {
    ReferenceKind.POSITIVE_LIST: "positive_list.csv",
    ReferenceKind.TARIFF: "tariff.csv",
    ReferenceKind.TAX_PARAMETERS: "tax_parameters.csv",
}
# Tables other than the code tables, by the name used in `cbec reference show` and the API.
KIND_TABLES = {
    "positive-list": ReferenceKind.POSITIVE_LIST,
    "tariff": ReferenceKind.TARIFF,
    "tax-parameters": ReferenceKind.TAX_PARAMETERS,
}


def seed_builtin(ctx: Context) -> LoadReport:
    """Load the code tables, positive list, tariff rows and tax parameters shipped with cbec."""
    parts = _builtin_rows()
    with ctx.uow() as uow:
        reports = [_apply(uow.session, kind, rows, source) for kind, source, rows in parts]
        if any(report.changed for report in reports):
            repo.note_written(uow.session)
        uow.commit()
    return LoadReport(
        kind="builtin",
        source="builtin",
        rows=sum(r.rows for r in reports),
        inserted=sum(r.inserted for r in reports),
        updated=sum(r.updated for r in reports),
        unchanged=sum(r.unchanged for r in reports),
        closed=sum(r.closed for r in reports),
        parts=tuple(reports),
    )


@functools.cache
def _builtin_rows() -> tuple[tuple[ReferenceKind, str, tuple[ReferenceRow, ...]], ...]:
    """Parse the package data once per process (it never changes while running)."""
    parts: list[tuple[ReferenceKind, str, tuple[ReferenceRow, ...]]] = []
    problems: list[Problem] = []
    code_rows: list[ReferenceRow] = []
    for table, file_name, valid_from, source in _manifest():
        header, records = read_csv_text(_data_text(file_name))
        defaults = {"table": table, "valid_from": valid_from, "source": source}
        rows, found = parse_records(ReferenceKind.CODES, header, records, defaults=defaults)
        problems.extend(_in_file(file_name, found))
        code_rows.extend(rows)
    parts.append((ReferenceKind.CODES, "builtin:codes", tuple(code_rows)))
    units = frozenset(r.code for r in code_rows if isinstance(r, CodeRow) and r.table_name == "unit")
    for kind, file_name in BUILTIN_FILES.items():
        header, records = read_csv_text(_data_text(file_name))
        rows, found = parse_records(kind, header, records, known_units=units)
        problems.extend(_in_file(file_name, found))
        parts.append((kind, f"builtin:{file_name}", tuple(rows)))
    if problems:
        raise ReferenceFileInvalid("the built-in reference data is invalid", problems=problems)
    return tuple(parts)


def load_file(ctx: Context, path: str | Path, kind: str | ReferenceKind) -> LoadReport:
    """Validate every row of a reference file, then write all of it or nothing."""
    try:
        reference_kind = ReferenceKind(kind)
    except ValueError as exc:
        kinds = ", ".join(k.value for k in ReferenceKind)
        raise InvalidInput(
            f"unknown reference kind {kind!r}",
            problems=[Problem("REF-KIND", "kind", f"unknown kind {kind!r}", f"Use one of: {kinds}.")],
        ) from exc
    file_path = Path(path)
    header, records = read_records(file_path)
    with ctx.uow() as uow:
        known_units = None
        if reference_kind is ReferenceKind.POSITIVE_LIST:
            known_units = repo.codes_of_table(uow.session, "unit")
        rows, problems = parse_records(reference_kind, header, records, known_units=known_units)
        if not records and not problems:
            problems.append(Problem("REF-EMPTY", "row[2]", "the file has no data rows", "Add at least one row."))
        if problems:
            raise ReferenceFileInvalid(
                f"{file_path.name}: {len(problems)} problem(s); nothing was loaded", problems=problems
            )
        report = _apply(uow.session, reference_kind, rows, str(file_path))
        if report.changed:
            repo.note_written(uow.session)
        uow.commit()
    return report


def goods_rule(ctx: Context, hs_code: str, on: date) -> GoodsRead:
    """Return what the positive list and tariff say about an HS code on a date."""
    code = hs_code.strip()
    if len(code) not in (8, 10) or not code.isascii() or not code.isdigit():
        raise InvalidInput(
            f"not an HS code: {hs_code!r}",
            problems=[Problem("REF-HS-FORMAT", "hs_code", f"not an HS code: {hs_code!r}", "Give 8 or 10 digits.")],
        )
    with ctx.uow() as uow:
        rule = lookup_goods(uow.session, code, on)
    if rule is None:
        raise GoodsNotFound(f"HS {code} is neither on the positive list nor in the tariff on {on}", hs_code=code)
    return GoodsRead(hs_code=code, on=on, **_rule_fields(rule))


def reference_table(
    ctx: Context,
    table: str,
    *,
    on: date | None = None,
    code: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> ReferencePage:
    """Return a page of one reference table, in force on a date or every version when no date is given."""
    if table in KIND_TABLES:
        kind, code_table = KIND_TABLES[table], None
    elif table in CODE_TABLES:
        kind, code_table = ReferenceKind.CODES, table
    else:
        names = ", ".join([*CODE_TABLES, *KIND_TABLES])
        raise UnknownReferenceTable(f"unknown reference table {table!r}; known: {names}", table=table)
    limit = max(1, min(limit, 1000))
    offset = max(0, offset)
    with ctx.uow() as uow:
        total, rows = repo.page(uow.session, kind, table=code_table, code=code, on=on, limit=limit, offset=offset)
        items = [_jsonable(row_columns_of(record)) for record in rows]
    return ReferencePage(table=table, on=on, total=total, limit=limit, offset=offset, items=items)


# --- helpers -----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Member:
    """One row of an effective-dated chain: a stored record or a row about to be inserted."""

    valid_from: date
    valid_to: date | None
    record: Any = None
    pending: dict[str, Any] | None = None


def _apply(session: Session, kind: ReferenceKind, rows: Sequence[ReferenceRow], source: str) -> LoadReport:
    """Insert new rows, correct changed ones and close the chains they join; return the counts."""
    tables = {getattr(row, "table_name", "") for row in rows}
    existing = repo.existing_records(session, kind, tables)
    chains: dict[tuple[Any, ...], list[_Member]] = {}
    stored: dict[tuple[Any, ...], _Member] = {}
    for record in existing:
        key = _record_key(kind, record)
        member = _Member(record.valid_from, record.valid_to, record=record)
        chains.setdefault(key, []).append(member)
        stored[(*key, record.valid_from)] = member
    touched: set[tuple[Any, ...]] = set()
    inserted = updated = unchanged = closed = 0
    pending: list[dict[str, Any]] = []
    for row in rows:
        columns = row_columns(row)
        found = stored.get((*row.key(), row.valid_from))
        if found is None:
            chains.setdefault(row.key(), []).append(_Member(row.valid_from, row.valid_to, pending=columns))
            pending.append(columns)
            inserted += 1
            touched.add(row.key())
            continue
        changes = {
            name: value
            for name, value in columns.items()
            if not (name == "valid_to" and value is None) and getattr(found.record, name) != value
        }
        if changes:
            for name, value in changes.items():
                setattr(found.record, name, value)
            found.valid_to = found.record.valid_to
            updated += 1
            touched.add(row.key())
        else:
            unchanged += 1
    for key in touched:
        members = sorted(chains[key], key=lambda m: m.valid_from)
        ends = chain_valid_to([(m.valid_from, m.valid_to) for m in members])
        for member, valid_to in zip(members, ends, strict=True):
            if valid_to == member.valid_to:
                continue
            member.valid_to = valid_to
            if member.pending is not None:
                member.pending["valid_to"] = valid_to
            else:
                member.record.valid_to = valid_to
            closed += 1
    session.flush()
    repo.insert_rows(session, kind, pending)
    return LoadReport(
        kind=kind.value,
        source=source,
        rows=len(rows),
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        closed=closed,
    )


def _record_key(kind: ReferenceKind, record: Any) -> tuple[Any, ...]:
    if kind is ReferenceKind.CODES:
        return (record.table_name, record.code)
    if kind is ReferenceKind.POSITIVE_LIST:
        return (record.hs8,)
    if kind is ReferenceKind.TARIFF:
        return (record.hs_prefix,)
    return (record.name,)


def row_columns_of(record: Any) -> dict[str, Any]:
    """Return the columns of a stored reference row, without its surrogate id."""
    return {c.key: getattr(record, c.key) for c in record.__mapper__.column_attrs if c.key != "id"}


def _jsonable(columns: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in columns.items():
        if isinstance(value, Decimal):
            result[name] = str(plain(value))
        elif isinstance(value, date):
            result[name] = value.isoformat()
        else:
            result[name] = value
    return result


def _rule_fields(rule: Any) -> dict[str, Any]:
    names = GoodsRead.model_fields.keys() - {"hs_code", "on"}
    return {name: getattr(rule, name) for name in names}


def _manifest() -> Iterator[tuple[str, str, str, str]]:
    _, records = read_csv_text(_data_text("code_tables.csv"))
    for _, record in records:
        yield record["table"], record["file"], record["valid_from"], record["source"]


def _data_text(name: str) -> str:
    return resources.files(DATA_PACKAGE).joinpath("data", name).read_text(encoding="utf-8")


def _in_file(file_name: str, problems: Iterable[Problem]) -> list[Problem]:
    return [Problem(p.rule_id, f"{file_name}:{p.field}", p.message, p.hint, p.code, p.severity) for p in problems]
