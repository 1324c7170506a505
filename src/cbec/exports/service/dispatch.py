"""Which handler runs an export document (出口单证分派): a table from document class to handler function.

Orders, receipts of payment and waybills (``partners``) and inventories (``inventory``) are matched and decided;
arrival (CEB507), master bill (CEB607) and departure (CEB509) move parcels (``movements``); a cancel (CEB605)
withdraws an inventory before departure (``cancels``); a return (CEB213) and its tally (CEB215) bring exported
goods back (``returns``); a summary application (CEB701) asks for last month's closed inventories to be
summarised (``summary_applications``). Every handler takes the run (``run.ExportRun``) and one document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cbec.exports.service.cancels import handle_cancel
from cbec.exports.service.inventory import handle_inventory
from cbec.exports.service.movements import handle_arrival, handle_departure, handle_master_bill
from cbec.exports.service.partners import handle_order, handle_receipt_note, handle_waybill
from cbec.exports.service.returns import handle_return, handle_tally
from cbec.exports.service.run import ExportRun
from cbec.exports.service.summary_applications import handle_summary_application
from cbec.messages.export_documents import (
    Departure,
    ExportArrival,
    ExportCancel,
    ExportInventory,
    ExportOrder,
    ExportReturn,
    ExportWaybill,
    MasterBill,
    PaymentReceiptNote,
    ReturnTally,
    SummaryApplication,
)

Handler = Callable[[ExportRun, Any], None]

HANDLERS: dict[type, Handler] = {
    ExportOrder: handle_order,
    PaymentReceiptNote: handle_receipt_note,
    ExportWaybill: handle_waybill,
    ExportInventory: handle_inventory,
    ExportArrival: handle_arrival,
    MasterBill: handle_master_bill,
    Departure: handle_departure,
    ExportCancel: handle_cancel,
    ExportReturn: handle_return,
    ReturnTally: handle_tally,
    SummaryApplication: handle_summary_application,
}


def handle(run: ExportRun, document: object) -> None:
    """Run one export document through its handler."""
    handler = HANDLERS.get(type(document))
    if handler is None:
        raise TypeError(f"not an export declaration: {type(document).__name__}")
    handler(run, document)
