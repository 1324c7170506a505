"""Use cases of the credit system: each public function is one transaction."""

from cbec.credit.service.config import configuration, load_configuration, seed_configuration
from cbec.credit.service.events import CONSUMER, apply_events
from cbec.credit.service.facts import import_facts, record_fact
from cbec.credit.service.rating import rate_subjects, set_override, show_subject, subject_facts
from cbec.credit.service.screening import screen_enterprises, screen_name

__all__ = [
    "CONSUMER",
    "apply_events",
    "configuration",
    "import_facts",
    "load_configuration",
    "rate_subjects",
    "record_fact",
    "screen_enterprises",
    "screen_name",
    "seed_configuration",
    "set_override",
    "show_subject",
    "subject_facts",
]
