"""Bulk rows by COPY (批量写入) on PostgreSQL, in the session's transaction.

Many rows of one table written by an INSERT go through the ORM's or Core's parameter processing and one
Bind/Execute per row; ``COPY … FROM STDIN`` sends them as one stream the server loads in one pass. Values are
first converted by each column's own type (the same bind processing an INSERT does: UTC timestamps, JSON
text, decimals), so what is stored is what the INSERT would have stored. Which columns need converting, and how,
is worked out once per table and columns (``copy_plan``): the others' values go to the driver as they are, and a
JSON value is serialised once, to the text the driver would have sent for the INSERT. The statement is reported
to the engine's ``before_cursor_execute`` listeners like any other, so statement counts stay honest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from types import SimpleNamespace
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import JSON, Table, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import instance_state
from sqlalchemy.types import TypeDecorator, TypeEngine

from cbec.storage.ids import take_id


class Values(SimpleNamespace):
    """A row to be written by a bulk statement: its column values by attribute name, later its id.

    Not an ORM object: such rows (journal records, receipts) are written once and never change in the
    transaction, so they need none of the ORM's per-object bookkeeping and never enter the session.
    """


Converter = Callable[[Any], Any]
Conversion = tuple[int, Converter, Any]  # a value's position in the row, its conversion, what None is sent as


def copy_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write the rows (every one with the same columns, by column name) with one COPY; PostgreSQL only."""
    if not rows:
        return
    names = tuple(rows[0])
    take = itemgetter(*names)
    copy_values(session, table, names, [take(row) for row in rows] if len(names) > 1 else [(take(r),) for r in rows])


def copy_values(session: Session, table: Table, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write rows given as sequences of values in the order of ``names`` with one COPY; PostgreSQL only.

    Each value is converted as an INSERT's bind processing would (``copy_plan``); JSON goes as the text the
    driver would have sent, serialised once here. The COPY is reported to ``before_cursor_execute`` listeners.
    """
    connection = session.connection()
    raw = connection.connection.driver_connection
    plan = copy_plan(table, tuple(names), connection.dialect)
    connection.dispatch.before_cursor_execute(connection, None, plan.statement, (), None, False)
    converters = plan.converters(raw)
    try:
        with raw.cursor() as cursor, cursor.copy(plan.statement) as copy:  # type: ignore[union-attr]
            write = copy.write_row
            if not converters:
                for row in rows:
                    write(row)
                return
            for row in rows:
                values = list(row)
                for index, convert, none in converters:
                    value = values[index]
                    values[index] = none if value is None else convert(value)
                write(values)
    except connection.dialect.loaded_dbapi.Error as exc:  # the same exception an INSERT would have raised
        raise DBAPIError.instance(plan.statement, None, exc, connection.dialect.loaded_dbapi.Error) from exc


@dataclass(frozen=True, slots=True)
class CopyPlan:
    """How rows of some columns of a table are sent by COPY, worked out once per (table, columns, dialect).

    ``processed`` holds the columns whose values an INSERT would change before sending them (their position, type
    and bind processor); every other column's values go as they are. A JSON column's values are serialised here,
    by the JSON dumps function of the driver's connection (what the driver would have run on the INSERT's
    parameter), so the driver receives text.
    """

    statement: str
    processed: tuple[tuple[int, TypeEngine[Any], Converter], ...]
    dialect: Dialect
    _converters: dict[tuple[Converter | None, Converter | None], list[Conversion]] = field(default_factory=dict)

    def converters(self, raw: Any) -> list[Conversion]:
        """Return how the values to convert are converted for a driver connection (see ``Conversion``)."""
        if not self.processed:
            return []
        from psycopg.types.json import Json, Jsonb  # the driver's, imported where it is in use

        dumps = {Json: _driver_dumps(raw, Json), Jsonb: _driver_dumps(raw, Jsonb)}
        key = (dumps[Json], dumps[Jsonb])
        known = self._converters.get(key)
        if known is None:
            known = [
                (index, *_converter(type_, process, self.dialect, dumps)) for index, type_, process in self.processed
            ]
            self._converters[key] = known
        return known


_PLANS: WeakKeyDictionary[Dialect, dict[tuple[Table, tuple[str, ...]], CopyPlan]] = WeakKeyDictionary()


def copy_plan(table: Table, names: tuple[str, ...], dialect: Dialect) -> CopyPlan:
    """Return the COPY plan of these columns of a table (made once per dialect)."""
    plans = _PLANS.setdefault(dialect, {})
    plan = plans.get((table, names))
    if plan is None:
        processed = []
        for index, name in enumerate(names):
            type_ = table.c[name].type
            process = type_._cached_bind_processor(dialect)
            if process is not None:
                processed.append((index, type_, process))
        plan = CopyPlan(f"COPY {table.name} ({', '.join(names)}) FROM STDIN", tuple(processed), dialect)
        plans[(table, names)] = plan
    return plan


def _driver_dumps(raw: Any, wrapper: type[Any]) -> Converter | None:
    """Return the function a driver connection serialises a JSON wrapper's value with (None: not known)."""
    from psycopg.adapt import PyFormat

    dumper = raw.adapters.get_dumper(wrapper, PyFormat.TEXT)(wrapper, raw)
    dumps: Converter | None = getattr(dumper, "dumps", None)
    return dumps


def _converter(
    type_: TypeEngine[Any], process: Converter, dialect: Dialect, dumps: Mapping[type[Any], Converter | None]
) -> tuple[Converter, Any]:
    """Return a column's conversion of a value that is not None, and what None is sent as.

    The conversion is the column's bind processing; a JSON value the bind processing would wrap for the driver is
    serialised as the driver would serialise the wrapper. None is sent as SQL NULL unless the type gives it a value
    of its own (JSON: the JSON ``null``).
    """
    none = process(None) if type_.should_evaluate_none else None
    probe: Any = process({}) if isinstance(type_, JSON) else None
    serialise = dumps.get(type(probe)) if getattr(probe, "dumps", False) is None else None
    if serialise is None:
        implemented = type_.dialect_impl(dialect)
        if isinstance(implemented, TypeDecorator) and implemented.impl_instance.bind_processor(dialect) is None:
            # What the processor runs, without the call that wraps it (``TypeDecorator.bind_processor``).
            return partial(implemented.process_bind_param, dialect=dialect), none
        return process, none
    wrapper: type[Any] = type(probe)

    def convert_json(value: Any) -> Any:
        kind = type(value)
        if kind is dict or kind is list:
            return serialise(value)
        wrapped = process(value)
        return serialise(wrapped.obj) if type(wrapped) is wrapper and wrapped.dumps is None else wrapped

    return convert_json, serialise(none.obj) if isinstance(none, wrapper) else none


def bind_processors(table: Table, names: Sequence[str], dialect: Dialect) -> list[Callable[[Any], Any] | None]:
    """Return each named column's bind processing (what an INSERT does to a value before sending it).

    A type that gives None a value of its own (JSON: the JSON ``null``, as an INSERT stores it) is processed for
    None too; for every other type None stays None, SQL NULL.
    """
    processors: list[Callable[[Any], Any] | None] = []
    for name in names:
        type_ = table.c[name].type
        process = type_._cached_bind_processor(dialect)
        processors.append(_Evaluating(process) if process is not None and type_.should_evaluate_none else process)
    return processors


class _Evaluating:
    """A bind processor applied to None as well (see ``bound``)."""

    __slots__ = ("none", "process")

    def __init__(self, process: Callable[[Any], Any]) -> None:
        self.process = process
        self.none = process(None)

    def __call__(self, value: Any) -> Any:
        return self.process(value)


def bound(process: Callable[[Any], Any] | None, value: Any) -> Any:
    """Return a value as the database driver should receive it (None stays None unless its type says otherwise)."""
    if process is None:
        return value
    if value is None:
        return process.none if isinstance(process, _Evaluating) else None
    return process(value)


def columns_of(model: type[Any]) -> list[tuple[str, str]]:
    """Return (attribute, column) names of a model's columns, its generated id left out."""
    return [(attr.key, attr.columns[0].key) for attr in inspect(model).column_attrs if not attr.columns[0].primary_key]


_COPYABLE: dict[type[Any], list[tuple[str, str, Any]] | None] = {}


def _copyable_default(column: Any) -> bool:
    """Tell whether COPY can write a column's default: none, or a plain value (even beside a server default)."""
    if column.default is None:
        return column.server_default is None
    return bool(column.default.is_scalar)


def _copy_plan(model: type[Any]) -> list[tuple[str, str, Any]] | None:
    """Return (attribute, column, default) of a model whose new rows may be written by COPY, else None.

    Only plain tables qualify: one table, no foreign keys (no order to keep between tables), column defaults that
    are plain values, no server-side default without one (a column with both, such as a flag added by a migration
    with ``server_default`` for the rows already stored, is written with its plain default), no ORM insert events.
    """
    if model in _COPYABLE:
        return _COPYABLE[model]
    mapper = inspect(model)
    table = mapper.local_table
    plan: list[tuple[str, str, Any]] | None = None
    if (
        isinstance(table, Table)
        and not table.foreign_keys
        and mapper.inherits is None
        and mapper.version_id_col is None
        and not mapper.dispatch.before_insert
        and not mapper.dispatch.after_insert
    ):
        columns = [attr.columns[0] for attr in mapper.column_attrs]
        if all(_copyable_default(c) for c in columns):
            plan = [
                (attr.key, column.key, column.default.arg if column.default is not None else None)
                for attr, column in zip(mapper.column_attrs, columns, strict=True)
            ]
    _COPYABLE[model] = plan
    return plan


def _stored(session: Session, objects: list[Any]) -> None:
    """Tell the session these pending objects are now stored: persistent, with nothing left to write.

    What the ORM's own flush does after its INSERT (``Session._register_persistent``: identity keys, committed
    attribute state, the transaction's list of new rows, so a rollback detaches them again), in one pass instead of
    expunging each object and adding it back, which cascaded over the mapper twice per row.
    """
    session._register_persistent({instance_state(obj) for obj in objects})


def copy_new_rows(session: Session, models: tuple[type[Any], ...]) -> int:
    """Write the session's new rows of these models by one COPY per table; they stay in the session as stored.

    PostgreSQL only. Rows without an id get one from the table's sequence (``cbec.storage.ids``, one statement
    per table). Rows of models that do not qualify (see ``_copy_plan``) are left to the ORM's flush. Call it
    where the rows are complete (just before the flush that would INSERT them): a later change is written as
    an UPDATE. Returns how many rows were written.
    """
    if session.get_bind().dialect.name != "postgresql":
        return 0
    groups: dict[type[Any], list[Any]] = {}
    for obj in session.new:
        if isinstance(obj, models):
            groups.setdefault(type(obj), []).append(obj)
    written = 0
    with session.no_autoflush:  # taking ids must not flush the very rows about to be copied
        for model, objects in groups.items():
            plan = _copy_plan(model)
            if plan is None:
                continue  # left to the ORM's flush
            missing = [obj for obj in objects if obj.id is None]
            for obj in missing:
                obj.id = take_id(session, model, batch=len(missing))
            rows = []
            for obj in objects:
                state = obj.__dict__
                for attr, _column, default in plan:
                    # An unset attribute, or None where the column has a default, is left out of an ORM INSERT,
                    # which then writes the default: write it too, and let the object know it.
                    if attr not in state or (state[attr] is None and default is not None):
                        setattr(obj, attr, default)
                rows.append({column: state[attr] for attr, column, _default in plan})
            copy_rows(session, model.__table__, rows)
            _stored(session, objects)
            written += len(objects)
    return written
