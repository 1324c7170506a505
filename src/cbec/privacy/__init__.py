"""Personal-data governance (个人信息保护): key rotation, retention purge, audited unmasked reads, masked views.

Sits above clearance: it reads and rewrites the stored documents' encrypted payloads.
"""

from cbec.privacy.flows import OrderFlows, order_flows
from cbec.privacy.service import (
    PersonalDataPurged,
    PurgeReport,
    RevealedBuyer,
    RotationReport,
    purge_personal_data,
    reveal_inventory_buyer,
    rotate_personal_data,
)

__all__ = [
    "OrderFlows",
    "PersonalDataPurged",
    "PurgeReport",
    "RevealedBuyer",
    "RotationReport",
    "order_flows",
    "purge_personal_data",
    "reveal_inventory_buyer",
    "rotate_personal_data",
]
