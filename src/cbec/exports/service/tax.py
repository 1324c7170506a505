"""Export tax ledgers (出口税收台账) per enterprise and period: regime per line, rebates, 36号 CIT, returns, FX.

Every figure is traced to the inventory line it came from (inventory number + gnum): a ledger row per
released line exported in the period (by export date, ieDate), a row per tallied return applied in the
period, and totals that reconcile with the inventories (Σ line values = Σ inventory goods values).
Foreign-currency values are converted at the customs rate of the declaration date (272号, see
``reference.to_cny``). Registering purchase invoices and tax profiles are use cases here too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from cbec.common.clock import SHANGHAI, business_date
from cbec.common.errors import InvalidInput, NotFound, Problem
from cbec.common.money import to_fen
from cbec.common.scope import Scope
from cbec.enterprises import find_active_by_code
from cbec.exports import repository as repo
from cbec.exports.codes import RETAIL_TRADE_MODES
from cbec.exports.models import ExportInventoryRecord, ExportTaxProfile, PurchaseInvoiceLink
from cbec.exports.service.reference import (
    Conversion,
    RateMissing,
    excluded,
    parameter,
    rebate_rate,
    tax_parameters,
    to_cny,
)
from cbec.exports.tax_rules import (
    CitAssessment,
    EnterpriseSize,
    LineFacts,
    Regime,
    decide_regime,
    deemed_profit_cit,
    must_register_fx,
    rebate,
    return_relief,
)
from cbec.storage.context import Context

USD = "502"
# Releases near the period edges may carry an export date inside it.
_LOOKBACK = timedelta(days=40)
_LOOKAHEAD = timedelta(days=40)


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One exported inventory line in the ledger."""

    inventory_no: str
    line_no: int
    export_date: date
    trade_mode: str
    statistics_flag: str
    hs_code: str
    goods_name: str
    quantity: Decimal
    currency: str
    value: Decimal  # line totalPrice in its currency
    rate_date: date | None
    cny_per_unit: Decimal
    value_cny: Decimal
    regime: str
    conditions: str
    invoice_nos: str
    invoice_amount: Decimal
    vat_rate: Decimal
    rebate_rate: Decimal
    refund: Decimal
    non_refundable: Decimal
    note: str


@dataclass(frozen=True, slots=True)
class LedgerReturn:
    """A tallied return of exported goods applied in the period (revenue reversed, relief explained)."""

    return_id: int
    inventory_no: str
    line_no: int
    applied_on: date
    exported_on: date
    hs_code: str
    quantity: Decimal
    value_cny: Decimal  # reversed revenue (positive amount)
    regime: str
    relief: bool
    conditions: str


@dataclass(slots=True)
class TaxLedger:
    """An enterprise's export tax ledger for a period."""

    ecommerce_code: str
    ecommerce_name: str
    start: date
    end: date
    lines: list[LedgerLine] = field(default_factory=list)
    returns: list[LedgerReturn] = field(default_factory=list)
    revenue_by_regime: dict[str, Decimal] = field(default_factory=dict)
    refund_total: Decimal = Decimal(0)
    non_refundable_total: Decimal = Decimal(0)
    cit: CitAssessment | None = None
    fx_received_usd: Decimal = Decimal(0)
    fx_must_register: bool = False
    inventories: int = 0
    inventory_value_by_currency: dict[str, Decimal] = field(default_factory=dict)
    line_value_by_currency: dict[str, Decimal] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        """Tell whether the ledger lines add up to the inventories they came from."""
        return self.inventory_value_by_currency == self.line_value_by_currency


def parse_period(period: str) -> tuple[date, date]:
    """Return the first and last day of YYYY, YYYY-MM or YYYY-Qn."""
    try:
        if len(period) == 4:
            year = int(period)
            return date(year, 1, 1), date(year, 12, 31)
        if "Q" in period.upper():
            year_text, quarter_text = period.upper().split("-Q")
            year, quarter = int(year_text), int(quarter_text)
            if not 1 <= quarter <= 4:
                raise ValueError(period)
            first = date(year, 3 * quarter - 2, 1)
            last_month = 3 * quarter
        else:
            year_text, month_text = period.split("-")
            year, last_month = int(year_text), int(month_text)
            first = date(year, last_month, 1)
        following = date(year + (last_month == 12), last_month % 12 + 1, 1)
        return first, date.fromordinal(following.toordinal() - 1)
    except ValueError as exc:
        raise InvalidInput(
            f"not a period: {period!r}",
            problems=[Problem("EXP-PERIOD", "period", f"not a period: {period!r}", "Write 2026, 2026-03 or 2026-Q1.")],
        ) from exc


def build_ledger(ctx: Context, ecommerce_code: str, period: str, *, scope: Scope | None = None) -> TaxLedger:
    """Build an enterprise's export tax ledger for a period (YYYY, YYYY-MM or YYYY-Qn); outside the scope: not found."""
    start, end = parse_period(period)
    with ctx.uow() as uow:
        session = uow.session
        ref = find_active_by_code(session, ecommerce_code)
        if ref is None or not repo.enterprise_in_scope(session, ecommerce_code, scope):
            raise NotFound(f"enterprise {ecommerce_code} is not filed", ecommerce_code=ecommerce_code)
        ledger = TaxLedger(ecommerce_code, ref.name, start, end)
        profile = repo.tax_profile(session, ecommerce_code)
        zone_customs = {ctx.settings.zone_customs_code}
        rows = [
            r
            for r in repo.released_between(
                session,
                datetime.combine(start, time(0), SHANGHAI) - _LOOKBACK,
                datetime.combine(end, time(23, 59, 59), SHANGHAI) + _LOOKAHEAD,
                ecommerce_code=ecommerce_code,
            )
            if start <= r.export_date <= end
        ]
        invoices = _invoices(session, [r.inventory_no or "" for r in rows])
        regimes: dict[tuple[str, int], str] = {}
        for inventory in rows:
            _ledger_lines(session, ledger, inventory, invoices, profile, zone_customs, regimes)
        _ledger_returns(session, ledger, ecommerce_code, start, end, zone_customs, profile)
        _totals(session, ledger, profile, end)
        return ledger


def _invoices(session: Session, inventory_nos: list[str]) -> dict[tuple[str, int], list[PurchaseInvoiceLink]]:
    found: dict[tuple[str, int], list[PurchaseInvoiceLink]] = defaultdict(list)
    for link in repo.invoices_for(session, inventory_nos):
        found[(link.inventory_no, link.line_no)].append(link)
    return found


def _facts(
    inventory: ExportInventoryRecord,
    has_invoice: bool,
    profile: ExportTaxProfile | None,
    zone_customs: set[str],
    is_excluded: bool,
    proceeds: bool,
) -> LineFacts:
    return LineFacts(
        registered_in_zone=True,  # the consignor is an approved enterprise of this zone (checked above)
        data_on_platform=True,  # date, name, unit, quantity, price and amount are on the stored inventory
        declared_at_zone_customs=inventory.customs_code in zone_customs,
        ecommerce_export=inventory.trade_mode in RETAIL_TRADE_MODES,
        goods_excluded=is_excluded,
        has_invoice=has_invoice,
        refund_qualified=bool(profile and profile.refund_qualified),
        tax_registered=profile.tax_registered if profile is not None else True,
        proceeds_received=proceeds,
        statistics_flag=inventory.statistics_flag,
    )


def _convert(session: Session, ledger: TaxLedger, currency: str, amount: Decimal, on: date, where: str) -> Conversion:
    try:
        return to_cny(session, currency, amount, on)
    except RateMissing as exc:
        ledger.problems.append(
            Problem("EXP-RATE", where, exc.message, "Load the central parities with `cbec export rates load`.")
        )
        return Conversion(currency, amount, None, Decimal(0), Decimal(0))


def _ledger_lines(
    session: Session,
    ledger: TaxLedger,
    inventory: ExportInventoryRecord,
    invoices: dict[tuple[str, int], list[PurchaseInvoiceLink]],
    profile: ExportTaxProfile | None,
    zone_customs: set[str],
    regimes: dict[tuple[str, int], str],
) -> None:
    number = inventory.inventory_no or inventory.eport_no
    declared_on = business_date(inventory.declared_at)
    proceeds = (
        repo.receipt_note_by_key(session, inventory.platform_code, inventory.ecommerce_code, inventory.order_no)
        is not None
    )
    ledger.inventories += 1
    ledger.inventory_value_by_currency[inventory.currency] = (
        ledger.inventory_value_by_currency.get(inventory.currency, Decimal(0)) + inventory.goods_value
    )
    for line in repo.lines_of(session, inventory.id):
        ledger.line_value_by_currency[line.currency] = (
            ledger.line_value_by_currency.get(line.currency, Decimal(0)) + line.total_price
        )
        links = invoices.get((number, line.line_no), [])
        is_excluded = excluded(session, line.hs_code, inventory.export_date)
        decision = decide_regime(_facts(inventory, bool(links), profile, zone_customs, is_excluded, proceeds))
        conversion = _convert(
            session, ledger, line.currency, line.total_price, declared_on, f"{number}[{line.line_no}]"
        )
        amount = sum((link.amount for link in links), Decimal(0))
        vat_rate = links[0].vat_rate if links else Decimal(0)
        refund = kept = rate = Decimal(0)
        note = ""
        if decision.regime == Regime.REFUND:
            found = rebate_rate(session, line.hs_code, inventory.export_date)
            if found is None:
                note = "no rebate rate on record for this HS code: refund not computed"
                ledger.problems.append(
                    Problem(
                        "EXP-REBATE", f"{number}[{line.line_no}]", note, "Load the rate (`cbec export rates load`)."
                    )
                )
            else:
                rate = min(found.rebate_rate, vat_rate)
                result = rebate(amount, vat_rate=vat_rate, rebate_rate=rate)
                refund, kept = result.refund, result.non_refundable
                note = f"rebate rate {found.rebate_rate} ({found.source}{'; ' + found.note if found.note else ''})"
        regimes[(number, line.line_no)] = decision.regime
        ledger.lines.append(
            LedgerLine(
                inventory_no=number,
                line_no=line.line_no,
                export_date=inventory.export_date,
                trade_mode=inventory.trade_mode,
                statistics_flag=inventory.statistics_flag,
                hs_code=line.hs_code,
                goods_name=line.goods_name,
                quantity=line.quantity,
                currency=line.currency,
                value=line.total_price,
                rate_date=conversion.rate_date,
                cny_per_unit=conversion.cny_per_unit,
                value_cny=conversion.cny,
                regime=decision.regime,
                conditions=decision.explain(),
                invoice_nos=";".join(link.invoice_no for link in links),
                invoice_amount=amount,
                vat_rate=vat_rate,
                rebate_rate=rate,
                refund=refund,
                non_refundable=kept,
                note=note,
            )
        )


def _ledger_returns(
    session: Session,
    ledger: TaxLedger,
    ecommerce_code: str,
    start: date,
    end: date,
    zone_customs: set[str],
    profile: ExportTaxProfile | None,
) -> None:
    for row in repo.returns_between(session, ecommerce_code, start, end):
        inventory = repo.inventory_by_number(session, row.inventory_no)
        if inventory is None:
            continue
        lines = {line.line_no: line for line in repo.lines_of(session, inventory.id)}
        months = parameter(session, "return_relief_months", inventory.export_date)
        links = _invoices(session, [row.inventory_no])
        for line_no_text, quantity_text in sorted(row.returned_lines.items()):
            line = lines[int(line_no_text)]
            quantity = Decimal(quantity_text)
            share = line.total_price * quantity / line.quantity
            conversion = _convert(
                session, ledger, line.currency, share, business_date(inventory.declared_at), f"return {row.id}"
            )
            relief = return_relief(
                inventory.export_date, row.applied_on, line.hs_code, int(months) if months is not None else None
            )
            decision = decide_regime(
                _facts(
                    inventory,
                    bool(links.get((row.inventory_no, line.line_no))),
                    profile,
                    zone_customs,
                    excluded(session, line.hs_code, inventory.export_date),
                    True,
                )
            )
            ledger.returns.append(
                LedgerReturn(
                    return_id=row.id,
                    inventory_no=row.inventory_no,
                    line_no=line.line_no,
                    applied_on=row.applied_on,
                    exported_on=inventory.export_date,
                    hs_code=line.hs_code,
                    quantity=quantity,
                    value_cny=conversion.cny,
                    regime=decision.regime,
                    relief=relief.eligible,
                    conditions="; ".join(f"{'✓' if c.met else '✗'} {c.name} ({c.evidence})" for c in relief.conditions),
                )
            )


def _totals(session: Session, ledger: TaxLedger, profile: ExportTaxProfile | None, end: date) -> None:
    by_regime: dict[str, Decimal] = defaultdict(Decimal)
    for line in ledger.lines:
        by_regime[line.regime] += line.value_cny
        ledger.refund_total += line.refund
        ledger.non_refundable_total += line.non_refundable
    for back in ledger.returns:
        by_regime[back.regime] -= back.value_cny
    ledger.revenue_by_regime = {k: to_fen(v) for k, v in sorted(by_regime.items())}
    exempt = ledger.revenue_by_regime.get(Regime.EXEMPT_WITHOUT_INVOICE, Decimal(0))
    try:
        params = tax_parameters(session, end)
    except RateMissing as exc:
        ledger.problems.append(Problem("EXP-PARAM", "parameters", exc.message, "Run `cbec export rates seed`."))
        return
    if exempt > 0:
        size = EnterpriseSize(
            employees=profile.employees if profile else None,
            total_assets=profile.total_assets if profile else None,
            restricted_industry=bool(profile and profile.restricted_industry),
        )
        ledger.cit = deemed_profit_cit(exempt, size, params)
    year_start = datetime.combine(date(end.year, 1, 1), time(0), SHANGHAI)
    period_end = datetime.combine(end, time(23, 59, 59), SHANGHAI)
    usd = Decimal(0)
    for note in repo.receipt_notes_between(session, ledger.ecommerce_code, year_start, period_end):
        usd += _to_usd(session, ledger, note.currency, note.amount, business_date(note.accounted_at))
    ledger.fx_received_usd = to_fen(usd)
    ledger.fx_must_register = must_register_fx(ledger.fx_received_usd, params.fx_registration_threshold_usd)


def _to_usd(session: Session, ledger: TaxLedger, currency: str, amount: Decimal, on: date) -> Decimal:
    if currency == USD:
        return amount
    cny = _convert(session, ledger, currency, amount, on, f"receipt {currency}").cny
    usd_rate = _convert(session, ledger, USD, Decimal(1), on, "USD rate").cny_per_unit
    return cny / usd_rate if usd_rate else Decimal(0)


# --- registering invoices and tax profiles ----------------------------------------------------------------


def register_invoice(
    ctx: Context,
    *,
    ecommerce_code: str,
    invoice_no: str,
    invoice_date: date,
    inventory_no: str,
    line_no: int,
    amount: Decimal,
    vat_rate: Decimal,
    scope: Scope | None = None,
) -> int:
    """Link a purchase VAT invoice (amount excluding VAT) to an exported inventory line of the scope's enterprise."""
    with ctx.uow() as uow:
        session = uow.session
        if not repo.enterprise_in_scope(session, ecommerce_code, scope):
            raise NotFound(f"enterprise {ecommerce_code} is not filed", ecommerce_code=ecommerce_code)
        inventory = repo.inventory_by_number(session, inventory_no)
        problems: list[Problem] = []
        if inventory is None or inventory.ecommerce_code != ecommerce_code:
            problems.append(
                Problem(
                    "EXP-INVOICE", "inventory_no", f"no export inventory {inventory_no} of {ecommerce_code}", "Check."
                )
            )
        elif line_no not in {line.line_no for line in repo.lines_of(session, inventory.id)}:
            problems.append(
                Problem("EXP-INVOICE", "line_no", f"line {line_no} is not in {inventory_no}", "Check gnum.")
            )
        if amount <= 0 or not Decimal(0) < vat_rate < Decimal(1):
            problems.append(Problem("EXP-INVOICE", "amount", "amount > 0 and 0 < VAT rate < 1 required", "Check."))
        if problems:
            raise InvalidInput("the invoice cannot be linked", problems=problems)
        link = PurchaseInvoiceLink(
            ecommerce_code=ecommerce_code,
            invoice_no=invoice_no,
            invoice_date=invoice_date,
            inventory_no=inventory_no,
            line_no=line_no,
            amount=amount,
            vat_rate=vat_rate,
            registered_at=ctx.clock.now(),
        )
        session.add(link)
        session.flush()
        uow.commit()
        return link.id


def set_tax_profile(
    ctx: Context,
    ecommerce_code: str,
    *,
    refund_qualified: bool,
    tax_registered: bool = True,
    employees: int | None = None,
    total_assets: Decimal | None = None,
    restricted_industry: bool = False,
    scope: Scope | None = None,
) -> None:
    """Record what the export tax ledgers need to know about an enterprise (of the scope, else not found)."""
    with ctx.uow() as uow:
        session = uow.session
        if find_active_by_code(session, ecommerce_code) is None or not repo.enterprise_in_scope(
            session, ecommerce_code, scope
        ):
            raise NotFound(f"enterprise {ecommerce_code} is not filed", ecommerce_code=ecommerce_code)
        profile = repo.tax_profile(session, ecommerce_code) or ExportTaxProfile(ecommerce_code=ecommerce_code)
        profile.refund_qualified, profile.tax_registered = refund_qualified, tax_registered
        profile.employees, profile.total_assets = employees, total_assets
        profile.restricted_industry, profile.updated_at = restricted_industry, ctx.clock.now()
        session.add(profile)
        uow.commit()


__all__ = [
    "LedgerLine",
    "LedgerReturn",
    "TaxLedger",
    "build_ledger",
    "parse_period",
    "register_invoice",
    "set_tax_profile",
]
