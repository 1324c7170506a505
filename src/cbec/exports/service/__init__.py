"""Export use cases (出口): officer actions, summaries, the warehouse registry, tax profiles, invoices and ledgers.

The public surface of the export use cases for transports; the intake family is ``cbec.exports.service.family``
(assembled by the composition root).
"""

from cbec.exports.service.officer import decide_held_export
from cbec.exports.service.overdue import OverdueReport, flag_overdue_summaries
from cbec.exports.service.registry import close_warehouse, list_warehouses, register_warehouse
from cbec.exports.service.summary import reminders, summarise
from cbec.exports.service.tax import TaxLedger, build_ledger, register_invoice, set_tax_profile

__all__ = [
    "OverdueReport",
    "TaxLedger",
    "build_ledger",
    "close_warehouse",
    "decide_held_export",
    "flag_overdue_summaries",
    "list_warehouses",
    "register_invoice",
    "register_warehouse",
    "reminders",
    "set_tax_profile",
    "summarise",
]
