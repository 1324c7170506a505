"""Read side of the reference data (参数/基础数据) used by clearance and tax, inside their transactions."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from cbec.reference import repository as repo
from cbec.reference.errors import ReferenceDataMissing
from cbec.reference.rules import TAX_PARAMETER_NAMES, CodeName, CodeTables, GoodsRule, merge_names, plain
from cbec.storage.context import Context

_SNAPSHOT_LIMIT = 32
_snapshots: OrderedDict[tuple[str, str, date], CodeTables] = OrderedDict()
_snapshot_lock = threading.Lock()


def code_tables(ctx_or_session: Context | Session, on: date) -> CodeTables:
    """Return the code tables in force on a date, cached per date until the reference data changes."""
    if isinstance(ctx_or_session, Session):
        return _code_tables(ctx_or_session, on)
    with ctx_or_session.session_factory() as session:
        return _code_tables(session, on)


def _code_tables(session: Session, on: date) -> CodeTables:
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), repo.revision(session), on)
    with _snapshot_lock:
        cached = _snapshots.get(key)
        if cached is not None:
            _snapshots.move_to_end(key)
            return cached
    rows = repo.codes_in_force(session, on)
    snapshot = CodeTables(on, merge_names((t, c, CodeName(zh, en, alias)) for t, c, zh, en, alias in rows))
    with _snapshot_lock:
        _snapshots[key] = snapshot
        while len(_snapshots) > _SNAPSHOT_LIMIT:
            _snapshots.popitem(last=False)
    return snapshot


def lookup_goods(session: Session, hs_code: str, on: date) -> GoodsRule | None:
    """Return the positive-list and tariff rule of an HS code on a date, or None if both are silent.

    The tariff row is the longest prefix in force (10 digits, then 8). A code on the positive list without
    any tariff row is a data gap and raises ReferenceDataMissing.
    """
    code = hs_code.strip()
    if len(code) < 8 or not code.isascii() or not code.isdigit():
        return None
    hs8 = code[:8]
    prefixes = [code[:10], hs8] if len(code) >= 10 else [hs8]
    entry = repo.positive_list_entry(session, hs8, on)
    rates = sorted(repo.tariff_rates(session, prefixes, on), key=lambda r: (len(r.hs_prefix), r.valid_from))
    tariff = rates[-1] if rates else None
    if entry is None and tariff is None:
        return None
    if tariff is None:
        raise ReferenceDataMissing(
            f"HS {hs8} is on the positive list on {on} but no tariff row is in force",
            hs_code=code,
            on=on.isoformat(),
        )
    if entry is not None:
        description = entry.description_zh
    else:
        name = repo.code_in_force(session, "hs8", hs8, on)
        description = name.name_zh if name else ""
    sources = [entry.source_doc] if entry is not None else []
    sources.append(tariff.source)
    return GoodsRule(
        hs8=hs8,
        description_zh=description,
        on_positive_list=entry is not None,
        bonded_only=bool(entry and entry.bonded_only),
        qty_cap=plain(entry.qty_cap) if entry is not None and entry.qty_cap is not None else None,
        qty_cap_unit=entry.qty_cap_unit if entry is not None else None,
        named_goods=entry.named_goods if entry is not None else None,
        duty_rate=plain(tariff.duty_rate),
        vat_rate=plain(tariff.vat_rate),
        ct_kind=tariff.ct_kind,
        ct_rate=plain(tariff.ct_rate),
        ct_threshold=plain(tariff.ct_threshold) if tariff.ct_threshold is not None else None,
        ct_threshold_basis=tariff.ct_threshold_basis,
        source=" | ".join(sources),
        ct_threshold_piece=plain(tariff.ct_threshold_piece) if tariff.ct_threshold_piece is not None else None,
        tariff_prefix=tariff.hs_prefix,
        remark=entry.remark if entry is not None else None,
    )


def tax_parameters(session: Session, on: date) -> dict[str, Decimal]:
    """Return the retail-import tax parameters in force on a date (all six, or ReferenceDataMissing)."""
    values = {row.name: plain(row.value) for row in repo.tax_parameters_in_force(session, on)}
    missing = [name for name in TAX_PARAMETER_NAMES if name not in values]
    if missing:
        raise ReferenceDataMissing(
            f"tax parameters not in force on {on}: {', '.join(missing)}; run `cbec reference seed`",
            on=on.isoformat(),
        )
    return {name: values[name] for name in TAX_PARAMETER_NAMES}
