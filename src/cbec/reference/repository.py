"""All SQL of the reference-data domain (参数/基础数据); never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, insert, or_, select
from sqlalchemy.orm import Session

from cbec.reference.models import CodeEntry, PositiveListEntry, TariffRate, TaxParameter
from cbec.reference.rules import ReferenceKind
from cbec.storage.revisions import mark_written

ReferenceModel = type[CodeEntry] | type[PositiveListEntry] | type[TariffRate] | type[TaxParameter]
ReferenceRecord = CodeEntry | PositiveListEntry | TariffRate | TaxParameter

MODELS: dict[ReferenceKind, ReferenceModel] = {
    ReferenceKind.CODES: CodeEntry,
    ReferenceKind.POSITIVE_LIST: PositiveListEntry,
    ReferenceKind.TARIFF: TariffRate,
    ReferenceKind.TAX_PARAMETERS: TaxParameter,
}


def _in_force(model: ReferenceModel, on: date) -> ColumnElement[bool]:
    return (model.valid_from <= on) & or_(model.valid_to.is_(None), model.valid_to >= on)


def existing_records(session: Session, kind: ReferenceKind, tables: Iterable[str] = ()) -> list[ReferenceRecord]:
    """Return every stored row of a kind (for codes, of the named tables only)."""
    if kind is ReferenceKind.CODES:
        names = sorted(set(tables))
        if not names:
            return []
        return list(session.scalars(select(CodeEntry).where(CodeEntry.table_name.in_(names))))
    model = MODELS[kind]
    return list(session.scalars(select(model)))


def codes_of_table(session: Session, table: str) -> frozenset[str]:
    """Return every code ever stored in a code table."""
    return frozenset(session.scalars(select(CodeEntry.code).where(CodeEntry.table_name == table)))


def insert_rows(session: Session, kind: ReferenceKind, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new rows in bulk."""
    if rows:
        session.execute(insert(MODELS[kind]), list(rows))


def note_written(session: Session) -> None:
    """Tell this transaction's look-ups that it changed reference data (the triggers give it a new token)."""
    mark_written(session, ["reference"])


def codes_in_force(session: Session, on: date) -> list[tuple[str, str, str, str | None, str | None]]:
    """Return (table, code, name_zh, name_en, alias) of every code in force on a date."""
    stmt = select(CodeEntry.table_name, CodeEntry.code, CodeEntry.name_zh, CodeEntry.name_en, CodeEntry.alias).where(
        _in_force(CodeEntry, on)
    )
    return [(t, c, zh, en, alias) for t, c, zh, en, alias in session.execute(stmt)]


def code_in_force(session: Session, table: str, code: str, on: date) -> CodeEntry | None:
    """Return one code in force on a date."""
    stmt = select(CodeEntry).where(CodeEntry.table_name == table, CodeEntry.code == code, _in_force(CodeEntry, on))
    return session.scalars(stmt.order_by(CodeEntry.valid_from.desc())).first()


def positive_list_entry(session: Session, hs8: str, on: date) -> PositiveListEntry | None:
    """Return the positive-list row of an 8-digit code in force on a date."""
    stmt = select(PositiveListEntry).where(PositiveListEntry.hs8 == hs8, _in_force(PositiveListEntry, on))
    return session.scalars(stmt.order_by(PositiveListEntry.valid_from.desc())).first()


def tariff_rates(session: Session, prefixes: Sequence[str], on: date) -> list[TariffRate]:
    """Return the tariff rows of the given prefixes in force on a date."""
    stmt = select(TariffRate).where(TariffRate.hs_prefix.in_(list(prefixes)), _in_force(TariffRate, on))
    return list(session.scalars(stmt))


def tax_parameters_in_force(session: Session, on: date) -> list[TaxParameter]:
    """Return the tax parameters in force on a date."""
    return list(session.scalars(select(TaxParameter).where(_in_force(TaxParameter, on))))


def page(
    session: Session,
    kind: ReferenceKind,
    *,
    table: str | None,
    code: str | None,
    on: date | None,
    limit: int,
    offset: int,
) -> tuple[int, list[ReferenceRecord]]:
    """Return (total, rows) of one reference table, in force on a date or every version when on is None."""
    model = MODELS[kind]
    stmt: Select[Any] = select(model)
    key_column: Any
    if model is CodeEntry:
        stmt = stmt.where(CodeEntry.table_name == table)
        key_column = CodeEntry.code
    elif model is PositiveListEntry:
        key_column = PositiveListEntry.hs8
    elif model is TariffRate:
        key_column = TariffRate.hs_prefix
    else:
        key_column = TaxParameter.name
    if code is not None:
        stmt = stmt.where(key_column == code)
    if on is not None:
        stmt = stmt.where(_in_force(model, on))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(key_column, model.valid_from).limit(limit).offset(offset))
    return total, list(rows)
