"""Use cases of the credit system: each public function is one transaction."""

from cbec.credit.service.aeo import aeo_catalogue, aeo_modules, assess_aeo, list_assessments, score_aeo
from cbec.credit.service.alerts import alert_enterprises, decide_alert, list_alerts
from cbec.credit.service.config import (
    config_document,
    config_documents,
    configuration,
    load_configuration,
    load_documents,
    seed_configuration,
)
from cbec.credit.service.daily import list_objections, list_repairs, run_daily
from cbec.credit.service.events import CONSUMER, apply_events
from cbec.credit.service.evidence import evidence_of, read_evidence, subject_evidence
from cbec.credit.service.facts import import_facts, record_fact
from cbec.credit.service.list_requests import (
    add_list_entry,
    correct_list_entry,
    decide_list_request,
    end_list_entry,
    list_entry,
    list_list_requests,
)
from cbec.credit.service.lists import (
    apply_list_measures,
    catalogue_on,
    list_entries,
    public_entries,
    subject_measures,
)
from cbec.credit.service.overrides import decide_override, list_override_requests, propose_override
from cbec.credit.service.rating import rate_subjects, set_override, show_subject, subject_facts
from cbec.credit.service.repair import apply_repair, decide_objection, decide_repair, file_objection
from cbec.credit.service.rulesets import (
    decide_ruleset,
    dry_run_proposal,
    list_ruleset_proposals,
    propose_ruleset,
    zone_method,
)
from cbec.credit.service.screening import screen_enterprises, screen_name
from cbec.credit.service.supervision import clearance_measures
from cbec.credit.service.thirdparty import decide_review, import_reports, list_reports, list_reviews
from cbec.credit.service.uncorrected import decide_uncorrected, flag_uncorrected, list_uncorrected

__all__ = [
    "CONSUMER",
    "add_list_entry",
    "aeo_catalogue",
    "aeo_modules",
    "alert_enterprises",
    "apply_events",
    "apply_list_measures",
    "apply_repair",
    "assess_aeo",
    "catalogue_on",
    "clearance_measures",
    "config_document",
    "config_documents",
    "configuration",
    "correct_list_entry",
    "decide_alert",
    "decide_list_request",
    "decide_objection",
    "decide_override",
    "decide_repair",
    "decide_review",
    "decide_ruleset",
    "decide_uncorrected",
    "dry_run_proposal",
    "end_list_entry",
    "evidence_of",
    "file_objection",
    "flag_uncorrected",
    "import_facts",
    "import_reports",
    "list_alerts",
    "list_assessments",
    "list_entries",
    "list_entry",
    "list_list_requests",
    "list_objections",
    "list_override_requests",
    "list_repairs",
    "list_reports",
    "list_reviews",
    "list_ruleset_proposals",
    "list_uncorrected",
    "load_configuration",
    "load_documents",
    "propose_override",
    "propose_ruleset",
    "public_entries",
    "rate_subjects",
    "read_evidence",
    "record_fact",
    "run_daily",
    "score_aeo",
    "screen_enterprises",
    "screen_name",
    "seed_configuration",
    "set_override",
    "show_subject",
    "subject_evidence",
    "subject_facts",
    "subject_measures",
    "zone_method",
]
