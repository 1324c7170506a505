"""Fixtures of the web portal tests: a clock at the real present, accounts, and the portal app."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.web.support import Portal
from tests.zone import Zone

from cbec.common.clock import FixedClock


@pytest.fixture
def clock() -> FixedClock:
    """A fixed clock at the real present (UTC): browsers and cookie jars drop session cookies that expired."""
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def portal(zone: Zone) -> Portal:
    """The portal of a filed zone (accounts made on first use); its app has fresh rate limits."""
    return Portal(zone)
