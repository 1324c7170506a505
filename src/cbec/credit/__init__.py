"""Credit system (信用体系): the credit database, customs schemes as data, and the zone's explainable rating.

Facts about enterprises and persons (append-only, bitemporal) come from agencies (import, API) and from the
platform's own events (through cbec.sharing.consumers, never by importing the pipeline). Customs Decree 251 / 282
tiers, disclosure windows and the rating ruleset are effective-dated configuration (cbec/credit/data). Clearance
does not import this package; what it may read of credit is data (``credit_score``). See docs/credit.md.
"""

from cbec.credit.errors import CreditConfigMissing, CreditConflict, CreditForbidden, CreditInvalid, CreditNotFound
from cbec.credit.rules import FactType, ListType, Severity, Source, SubjectKind

__all__ = [
    "CreditConfigMissing",
    "CreditConflict",
    "CreditForbidden",
    "CreditInvalid",
    "CreditNotFound",
    "FactType",
    "ListType",
    "Severity",
    "Source",
    "SubjectKind",
]
