"""Read models of statistics monitoring (统计监测视图): dashboard figures, a party's documents, an officer's dossier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from cbec.clearance.views import InventorySummary
from cbec.common.errors import Problem
from cbec.messages import Receipt, TaxBill
from cbec.statistics.rules import Period


@dataclass(frozen=True, slots=True)
class ModeFigures:
    """One regulatory mode and direction in a period.

    Values are in CNY: imports at their dutiable value, exports converted at the customs rate of the declaration
    date. ``unconverted`` counts released exports whose value is left out because no customs rate is on record.
    Exports carry no tax here (export retail is exempt; the export tax ledgers are kept by the export module).
    """

    mode: str
    direction: str
    declared: int
    released: int
    released_value: Decimal
    tax: Decimal
    unconverted: int = 0


@dataclass(frozen=True, slots=True)
class DirectionFigures:
    """Subtotal of one direction (import or export) in a period."""

    direction: str
    declared: int
    released: int
    refused: int
    released_value: Decimal
    tax: Decimal
    unconverted: int
    release_rate: Decimal | None
    refusal_rate: Decimal | None


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """Declarations, releases and refusals of import and export inventories in a period.

    ``declared`` counts stored inventories plus declarations refused before being stored; release and refusal
    rates are shares of the inventories concluded in the period (released + refused). The totals add both
    directions up (values in CNY, tax is import tax only); ``imports`` and ``exports`` keep them apart.
    """

    period: Period
    modes: tuple[ModeFigures, ...]
    declared: int
    released: int
    refused: int
    released_value: Decimal
    tax: Decimal
    release_rate: Decimal | None
    refusal_rate: Decimal | None
    imports: DirectionFigures
    exports: DirectionFigures
    unconverted: int


@dataclass(frozen=True, slots=True)
class RuleCount:
    """How often one rule refused an inventory."""

    rule_id: str
    count: int
    share: Decimal | None


@dataclass(frozen=True, slots=True)
class CountryFigures:
    """Released goods of one country: origin of imported lines, or final destination of exported lines (CNY)."""

    code: str
    name_zh: str
    name_en: str
    inventories: int
    value: Decimal


@dataclass(frozen=True, slots=True)
class DailyPoint:
    """Releases on one business day: imports and exports together, and the exports among them.

    ``value`` is in CNY; exports whose customs rate is missing are counted but add no value.
    """

    day: date
    released: int
    value: Decimal
    exports: int = 0
    export_value: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class TargetProgress:
    """Year-to-date figure of one indicator against the zone's target."""

    indicator: str
    year: int
    target: Decimal | None
    actual: Decimal
    share: Decimal | None
    elapsed: Decimal  # share of the year gone by, for comparison
    updated_by: str | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class ZoneOverview:
    """Everything the zone dashboard shows for one business day."""

    day: date
    today: PeriodFigures
    month: PeriodFigures
    waiting: dict[str, int]
    refusal_reasons: tuple[RuleCount, ...]
    origins: tuple[CountryFigures, ...]
    destinations: tuple[CountryFigures, ...]
    daily: tuple[DailyPoint, ...]
    targets: tuple[TargetProgress, ...]


@dataclass(frozen=True, slots=True)
class ReceiptView:
    """A receipt with what it refused, read back into problems."""

    receipt: Receipt
    document_kind: str
    refused: bool
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class DocumentHistory:
    """One inventory with its receipts in order (the status timeline), refusals explained, and tax bill."""

    summary: InventorySummary
    logistics_code: str
    receipts: tuple[ReceiptView, ...]
    tax_bill: TaxBill | None


@dataclass(frozen=True, slots=True)
class TaxBillView:
    """A tax bill as listed to an enterprise."""

    tax_no: str
    inventory_no: str
    order_no: str
    status: str
    customs_duty: Decimal
    vat: Decimal
    consumption_tax: Decimal
    total: Decimal
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One field as the order, payment, waybill and inventory state it (masked), and whether they agree."""

    field: str
    order: str | None
    payment: str | None
    waybill: str | None
    inventory: str | None
    consistent: bool


@dataclass(frozen=True, slots=True)
class GoodsLine:
    """One goods line of the order or the inventory."""

    line_no: int
    name: str
    hs_code: str | None
    origin_country: str
    quantity: Decimal
    unit_price: Decimal
    total_price: Decimal


@dataclass(frozen=True, slots=True)
class Dossier:
    """An inventory with its order, payment and waybill side by side, personal data masked (关员审核视图)."""

    summary: InventorySummary
    reasons: tuple[str, ...]
    comparison: tuple[ComparisonRow, ...]
    order_lines: tuple[GoodsLine, ...]
    inventory_lines: tuple[GoodsLine, ...]
    missing: tuple[str, ...]  # partner documents not found
    receipts: tuple[ReceiptView, ...]


@dataclass(frozen=True, slots=True)
class ReportView:
    """A consumer's misuse report as the zone office sees it (no personal data)."""

    reference_no: str
    inventory_ref: str
    inventory_no: str | None
    order_no: str
    ecommerce_code: str | None
    platform_code: str | None
    status: str
    note: str | None
    reported_at: datetime
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_comment: str | None
    outcome: str | None = None  # ReportOutcome; None: open, or reviewed before outcomes were recorded
