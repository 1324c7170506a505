"""Ruleset versions of the risk system (规则集版本): lifecycle with maker-checker publication, shadow runs with
phantom decisions, backtests over stored traces or a columnar snapshot of them, compiled rules (closures and numpy)
and JDM decision tables (docs/risk.md)."""

from cbec.risk.versions.backtest import last_report, run_backtest
from cbec.risk.versions.compile import Compiled, compile_ruleset
from cbec.risk.versions.jdm import compile_table, export_bundle, import_bundle
from cbec.risk.versions.schemas import BacktestReport, ShadowReport, VersionRead, VolumeRow
from cbec.risk.versions.service import (
    DRAFT,
    PUBLISHED,
    RETIRED,
    SHADOW,
    consumer_rulesets,
    draft,
    list_versions,
    publish,
    record_phantoms,
    retire,
    ruleset_of,
    ruleset_of_digest,
    shadow_report,
    show,
    to_shadow,
)
from cbec.risk.versions.snapshot import read_manifest, take_snapshot

__all__ = [
    "DRAFT",
    "PUBLISHED",
    "RETIRED",
    "SHADOW",
    "BacktestReport",
    "Compiled",
    "ShadowReport",
    "VersionRead",
    "VolumeRow",
    "compile_ruleset",
    "compile_table",
    "consumer_rulesets",
    "draft",
    "export_bundle",
    "import_bundle",
    "last_report",
    "list_versions",
    "publish",
    "read_manifest",
    "record_phantoms",
    "retire",
    "ruleset_of",
    "ruleset_of_digest",
    "run_backtest",
    "shadow_report",
    "show",
    "take_snapshot",
    "to_shadow",
]
