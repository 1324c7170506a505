"""Enterprise filing (企业备案): one filing per enterprise, shared by every agency of the zone.

Clearance uses ``find_active_by_code`` and ``has_role``; transports use the use cases in ``service``.
"""

from cbec.enterprises.errors import (
    EnterpriseExists,
    EnterpriseImportInvalid,
    EnterpriseInvalid,
    EnterpriseNotFound,
    EnterpriseStatusConflict,
)
from cbec.enterprises.keys import fill_contact_keys
from cbec.enterprises.lookups import find_active_by_code
from cbec.enterprises.rules import (
    ROLE_NAMES_ZH,
    EnterpriseRef,
    EnterpriseRole,
    EnterpriseStatus,
    Transition,
    has_role,
)

__all__ = [
    "ROLE_NAMES_ZH",
    "EnterpriseExists",
    "EnterpriseImportInvalid",
    "EnterpriseInvalid",
    "EnterpriseNotFound",
    "EnterpriseRef",
    "EnterpriseRole",
    "EnterpriseStatus",
    "EnterpriseStatusConflict",
    "Transition",
    "fill_contact_keys",
    "find_active_by_code",
    "has_role",
]
