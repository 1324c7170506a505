"""Trade facts (贸易事实): one non-personal row per goods line of every import and export inventory.

HS code, origin and destination, quantities, value in the declared currency and in CNY and USD at the customs
rate, parties, tenant, dates and a status kept current as the inventory moves, in clear typed columns; plus keyed
pseudonymous subject keys (buyer, payer, consignee phone, address) for risk, never the personal data itself.

Written by the document domains (clearance, exports) in the transaction that stores or moves the inventory,
through a ``FactBook``; read by the read side (statistics, later risk, credit, finance) through ``queries``.
This package imports neither side: writers hand it documents and values, readers ask it questions.
"""

from cbec.common.pseudonyms import subject_key
from cbec.facts.models import TradeFact
from cbec.facts.queries import InventoryLine, ReleasedLine, UnitValue, fact_scope, released_lines, unit_values
from cbec.facts.rates import RatesNotAssembled, assemble_rates, customs_rates
from cbec.facts.rules import (
    RELEASED_STATUSES,
    Direction,
    FactHeader,
    FactLine,
    FactStatus,
    Rates,
    consignee_region,
    export_lines,
    fact_rows,
    fact_status,
    import_lines,
    moved,
    moved_values,
)
from cbec.facts.writer import BackfillReport, FactBook, sync_facts

__all__ = [
    "RELEASED_STATUSES",
    "BackfillReport",
    "Direction",
    "FactBook",
    "FactHeader",
    "FactLine",
    "FactStatus",
    "InventoryLine",
    "Rates",
    "RatesNotAssembled",
    "ReleasedLine",
    "TradeFact",
    "UnitValue",
    "assemble_rates",
    "consignee_region",
    "customs_rates",
    "export_lines",
    "fact_rows",
    "fact_scope",
    "fact_status",
    "import_lines",
    "moved",
    "moved_values",
    "released_lines",
    "subject_key",
    "sync_facts",
    "unit_values",
]
