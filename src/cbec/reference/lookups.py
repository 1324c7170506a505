"""Read side of the reference data (参数/基础数据) used by clearance and tax, inside their transactions.

Code tables, goods rules and tax parameters are kept in memory under the ``reference`` revision token, which
the database changes with every write to those tables (cbec.storage.revisions), read once per transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from cbec.reference import repository as repo
from cbec.reference.errors import ReferenceDataMissing
from cbec.reference.rules import TAX_PARAMETER_NAMES, CodeName, CodeTables, GoodsRule, merge_names, plain
from cbec.storage.context import Context
from cbec.storage.revisions import RevisionCache

REFERENCE = "reference"
_snapshots: RevisionCache[CodeTables] = RevisionCache(REFERENCE, limit=32)
_goods: RevisionCache[GoodsRule | None] = RevisionCache(REFERENCE)
_parameters: RevisionCache[tuple[tuple[str, Decimal], ...]] = RevisionCache(REFERENCE, limit=64)


def code_tables(ctx_or_session: Context | Session, on: date) -> CodeTables:
    """Return the code tables in force on a date, cached per date until the reference data changes."""
    if isinstance(ctx_or_session, Session):
        return _code_tables(ctx_or_session, on)
    with ctx_or_session.session_factory() as session:
        return _code_tables(session, on)


def _code_tables(session: Session, on: date) -> CodeTables:
    return _snapshots.get(session, on, lambda: _read_code_tables(session, on))


def _read_code_tables(session: Session, on: date) -> CodeTables:
    rows = repo.codes_in_force(session, on)
    return CodeTables(on, merge_names((t, c, CodeName(zh, en, alias)) for t, c, zh, en, alias in rows))


def lookup_goods(session: Session, hs_code: str, on: date) -> GoodsRule | None:
    """Return the positive-list and tariff rule of an HS code on a date, or None if both are silent.

    The tariff row is the longest prefix in force (10 digits, then 8). A code on the positive list without
    any tariff row is a data gap and raises ReferenceDataMissing.
    """
    code = hs_code.strip()
    if len(code) < 8 or not code.isascii() or not code.isdigit():
        return None
    return _goods.get(session, (code, on), lambda: _read_goods(session, code, on))


def _read_goods(session: Session, code: str, on: date) -> GoodsRule | None:
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
    return dict(_parameters.get(session, on, lambda: _read_tax_parameters(session, on)))


def _read_tax_parameters(session: Session, on: date) -> tuple[tuple[str, Decimal], ...]:
    values = {row.name: plain(row.value) for row in repo.tax_parameters_in_force(session, on)}
    missing = [name for name in TAX_PARAMETER_NAMES if name not in values]
    if missing:
        raise ReferenceDataMissing(
            f"tax parameters not in force on {on}: {', '.join(missing)}; run `cbec reference seed`",
            on=on.isoformat(),
        )
    return tuple((name, values[name]) for name in TAX_PARAMETER_NAMES)
