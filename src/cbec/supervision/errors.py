"""Typed errors of supervision measures."""

from __future__ import annotations

from cbec.common.errors import InvalidInput


class SupervisionInvalid(InvalidInput):
    """A measure breaks a rule (source, rate, validity); every problem is listed."""
