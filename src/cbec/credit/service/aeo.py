"""Use case of the AEO self-assessment scorer (认证标准自评): pure, no transaction — the standard is shipped data."""

from __future__ import annotations

from typing import Any

from cbec.credit.aeo import Standard, score, shipped_standard
from cbec.credit.errors import CreditInvalid
from cbec.credit.schemas import AeoScoreRead


def score_aeo(document: Any, standard: Standard | None = None) -> AeoScoreRead:
    """Score a self-assessment against the shipped standard (or one given); every problem refused at once."""
    result, problems = score(document, standard or shipped_standard())
    if result is None:
        raise CreditInvalid(f"{len(problems)} problem(s) in the self-assessment", problems=problems)
    return result
