"""Decision step (布控决策): release, manual review or inspection for an accepted inventory.

The policy is supervision's (``cbec.supervision.decision``), shared by imports and exports.
"""

from __future__ import annotations

from cbec.supervision import Decision as Decision
from cbec.supervision import DecisionPolicy as DecisionPolicy
from cbec.supervision import ExtraCheck as ExtraCheck
from cbec.supervision import InventoryFacts as InventoryFacts
from cbec.supervision import Outcome as Outcome
