"""Export documents after the declaration (运抵、总分单、离境、撤单、退货、理货、汇总申请).

Arrival (CEB507) releases waiting inventories (E4); a master bill (CEB607) ties parcels to a bill of
lading and voyage (E5); departure (CEB509) closes released inventories (899, E6); a cancel (CEB605) withdraws
an inventory before departure; a return (CEB213) and its tally (CEB215) bring exported goods back (E9);
a summary application (CEB701) asks for last month's closed inventories to be summarised (E7).

The handlers live one use-case group per module (``movements``, ``cancels``, ``returns``,
``summary_applications``); the processor here combines them and dispatches each document to its handler.
"""

from __future__ import annotations

from cbec.exports.service.cancels import ExportCancels
from cbec.exports.service.movements import ExportMovements
from cbec.exports.service.returns import ExportReturns
from cbec.exports.service.summary_applications import ExportSummaryApplications
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


class ExportMessageProcessor(ExportMovements, ExportCancels, ExportReturns, ExportSummaryApplications):
    """The complete export processor: every export declaration type."""

    def handle(self, document: object) -> None:
        """Dispatch one export document to its handler."""
        if isinstance(document, ExportOrder):
            self.handle_order(document)
        elif isinstance(document, PaymentReceiptNote):
            self.handle_receipt_note(document)
        elif isinstance(document, ExportWaybill):
            self.handle_waybill(document)
        elif isinstance(document, ExportInventory):
            self.handle_inventory(document)
        elif isinstance(document, ExportArrival):
            self.handle_arrival(document)
        elif isinstance(document, MasterBill):
            self.handle_master_bill(document)
        elif isinstance(document, Departure):
            self.handle_departure(document)
        elif isinstance(document, ExportCancel):
            self.handle_cancel(document)
        elif isinstance(document, ExportReturn):
            self.handle_return(document)
        elif isinstance(document, ReturnTally):
            self.handle_tally(document)
        elif isinstance(document, SummaryApplication):
            self.handle_summary_application(document)
        else:
            raise TypeError(f"not an export declaration: {type(document).__name__}")
