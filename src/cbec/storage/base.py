"""Declarative base with a constraint naming convention, and portable column types."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, Numeric, String, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table in cbec."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Marker of a column holding ciphertext of the personal-data cipher (cbec.common.personal): declare it with
# mapped_column(..., info=ENCRYPTED). Key rotation finds every such column by itself (encrypted_columns).
ENCRYPTED: dict[str, Any] = {"encrypted": True}
# Marker of an encrypted column holding a declaration's JSON twin with a buyer's personal data: purge after the
# retention period (cbec.privacy) finds every model with such a column by itself (personal_documents).
PERSONAL_TWIN: dict[str, Any] = {"encrypted": True, "personal_twin": True}


def encrypted_columns(metadata: MetaData | None = None) -> list[tuple[Table, tuple[Column[Any], ...]]]:
    """Return every table with columns marked ENCRYPTED, and those columns, ordered by table name."""
    found = []
    for table in sorted((metadata or Base.metadata).tables.values(), key=lambda t: t.name):
        columns = tuple(column for column in table.columns if column.info.get("encrypted"))
        if columns:
            found.append((table, columns))
    return found


def personal_documents(base: type[DeclarativeBase] | None = None) -> list[type[Any]]:
    """Return every mapped class with a PERSONAL_TWIN column, in the order their tables were declared."""
    registry = (base or Base).registry
    by_table = {mapper.local_table: mapper.class_ for mapper in registry.mappers}
    return [
        by_table[table]
        for table in registry.metadata.tables.values()
        if table in by_table and any(column.info.get("personal_twin") for column in table.columns)
    ]


# Integer primary keys: BIGINT on PostgreSQL, INTEGER (rowid alias) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Amount(TypeDecorator[Decimal]):
    """An exact decimal of up to 19 digits with 5 places (CEB N19,5).

    NUMERIC(19,5) on PostgreSQL; on SQLite, where NUMERIC is stored as a float, a canonical string.
    """

    impl = Numeric(19, 5)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(19, 5, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return format(Decimal(value), "f")
        return Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        normalized = (value if isinstance(value, Decimal) else Decimal(str(value))).normalize()
        # normalize() writes whole tens as exponents (12820 -> 1.282E+4); keep plain notation.
        if normalized.as_tuple().exponent > 0:  # type: ignore[operator]
            normalized = normalized.quantize(Decimal(1))
        return normalized


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC and returned aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
